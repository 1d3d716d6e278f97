package io.swarmscaler.controller.reconcile;

import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Scale requests from outside (webhooks) waiting for the next reconcile pass. A request is never acted on
 * directly: the pass plans it under the same rules as a policy, and completes its future with the outcome.
 */
public final class ScaleRequestInbox {
    private final Map<String, CompletableFuture<RequestOutcome>> waiting = new LinkedHashMap<>();
    private final List<ScaleRequest> queued = new ArrayList<>();

    /** Queues {@code request}; the future completes when a pass has decided on it. */
    public synchronized CompletableFuture<RequestOutcome> submit(ScaleRequest request) {
        CompletableFuture<RequestOutcome> outcome = new CompletableFuture<>();
        waiting.put(request.id(), outcome);
        queued.add(request);
        return outcome;
    }

    /** The requests for this pass; they leave the queue. */
    synchronized List<ScaleRequest> take() {
        List<ScaleRequest> taken = List.copyOf(queued);
        queued.clear();
        return taken;
    }

    synchronized void complete(Map<String, RequestOutcome> outcomes, List<ScaleRequest> taken) {
        for (ScaleRequest request : taken) {
            CompletableFuture<RequestOutcome> future = waiting.remove(request.id());
            if (future != null) {
                future.complete(outcomes.getOrDefault(request.id(),
                        new RequestOutcome(false, "the scaler made no decision on this request")));
            }
        }
    }

    /** A pass failed before deciding: the requests wait for the next one. */
    synchronized void requeue(List<ScaleRequest> taken) {
        queued.addAll(0, taken);
    }
}
