package io.swarmscaler.controller.reconcile;

import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Scale requests from outside (webhooks) waiting for the next reconcile pass. A request is never acted on
 * directly: the pass plans it under the same rules as a policy, and completes its ticket with the outcome.
 *
 * <p>Bounded: at most {@code capacity} requests wait; a request with the same key as one waiting, or as one
 * submitted within the retry window (a client's retry, Alertmanager's twin), joins it and gets its outcome,
 * refusal included. Outcomes are kept for the last {@code remembered} requests, for {@code GET /v1/requests/{id}}.
 */
public final class ScaleRequestInbox {
    /** How a caller follows a request: its id, and the decision once a pass has made it. */
    public record Ticket(String id, CompletableFuture<RequestOutcome> outcome) {}

    public record Settings(int capacity, Duration retryWindow, Duration maxWait, int remembered) {
        /** 32 waiting; retries within 10 s merge; a request no pass could decide in 5 min is refused. */
        public static Settings defaults() {
            return new Settings(32, Duration.ofSeconds(10), Duration.ofMinutes(5), 1000);
        }
    }

    private record Recent(Ticket ticket, Instant at) {}

    private final Settings settings;
    private final Clock clock;
    /** Waiting for a pass, by dedup key. */
    private final Map<String, ScaleRequest> queued = new LinkedHashMap<>();
    private final Map<String, Ticket> queuedTickets = new LinkedHashMap<>();
    private final Map<String, Recent> recentByRetryKey = new LinkedHashMap<>();
    /** Every known ticket by id, oldest first; the oldest decided ones are forgotten first. */
    private final Map<String, Ticket> known = new LinkedHashMap<>();

    public ScaleRequestInbox(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Queues {@code request}, or joins the request already waiting with its dedup key or submitted within the
     * retry window with its {@code retryKey}.
     *
     * @return the ticket to follow, empty when the inbox is full
     */
    public synchronized Optional<Ticket> submit(ScaleRequest request, String retryKey) {
        Instant now = clock.instant();
        recentByRetryKey.values().removeIf(r -> !now.isBefore(r.at().plus(settings.retryWindow())));
        Recent retried = recentByRetryKey.get(retryKey);
        if (retried != null) {
            return Optional.of(retried.ticket());
        }
        Ticket waiting = queuedTickets.get(request.dedupKey());
        if (waiting != null) {
            recentByRetryKey.put(retryKey, new Recent(waiting, now));
            return Optional.of(waiting);
        }
        if (queued.size() >= settings.capacity()) {
            return Optional.empty();
        }
        Ticket ticket = new Ticket(request.id(), new CompletableFuture<>());
        queued.put(request.dedupKey(), request);
        queuedTickets.put(request.dedupKey(), ticket);
        recentByRetryKey.put(retryKey, new Recent(ticket, now));
        known.put(ticket.id(), ticket);
        forgetOldest();
        return Optional.of(ticket);
    }

    public synchronized Optional<Ticket> find(String id) {
        return Optional.ofNullable(known.get(id));
    }

    private void forgetOldest() {
        Iterator<Ticket> oldest = known.values().iterator();
        while (known.size() > settings.remembered() && oldest.hasNext()) {
            if (oldest.next().outcome().isDone()) {
                oldest.remove();
            }
        }
    }

    /** The requests for this pass; they leave the queue. */
    public synchronized List<ScaleRequest> take() {
        List<ScaleRequest> taken = List.copyOf(queued.values());
        queued.clear();
        return taken;
    }

    /** Completes the tickets of {@code taken} with the pass's outcomes. */
    public synchronized void complete(Map<String, RequestOutcome> outcomes, List<ScaleRequest> taken) {
        for (ScaleRequest request : taken) {
            Ticket ticket = queuedTickets.remove(request.dedupKey());
            if (ticket != null) {
                ticket.outcome().complete(outcomes.getOrDefault(request.id(),
                        new RequestOutcome(false, "the scaler made no decision on this request")));
            }
        }
    }

    /**
     * A pass failed before deciding: the requests wait for the next one, unless they waited longer than the
     * settings allow; those are refused with the reason the passes fail.
     */
    synchronized void requeue(List<ScaleRequest> taken, RuntimeException failure) {
        Instant now = clock.instant();
        Map<String, ScaleRequest> again = new LinkedHashMap<>();
        List<ScaleRequest> expired = new ArrayList<>();
        for (ScaleRequest request : taken) {
            if (now.isAfter(request.receivedAt().plus(settings.maxWait()))) {
                expired.add(request);
            } else {
                again.put(request.dedupKey(), request);
            }
        }
        again.putAll(queued);
        queued.clear();
        queued.putAll(again);
        String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        Map<String, RequestOutcome> refused = new LinkedHashMap<>();
        expired.forEach(r -> refused.put(r.id(), new RequestOutcome(false,
                "not decided: no reconcile pass succeeded within %ds of the request; last failure: %s"
                        .formatted(settings.maxWait().toSeconds(), reason))));
        complete(refused, expired);
    }
}
