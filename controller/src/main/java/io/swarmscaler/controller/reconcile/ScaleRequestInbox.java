package io.swarmscaler.controller.reconcile;

import io.swarmscaler.controller.port.ScalerState;
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
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Scale requests from outside (webhooks) waiting for the next reconcile pass. A request is never acted on
 * directly: the pass plans it under the same rules as a policy, and completes its ticket with the outcome.
 *
 * <p>Bounded: at most {@code capacity} requests wait; a request with the same key as one waiting, or as one
 * submitted within the retry window (a client's retry, Alertmanager's twin), joins it and gets its outcome,
 * refusal included. Outcomes are kept for the last {@code remembered} requests, for {@code GET /v1/requests/{id}}.
 *
 * <p>On a follower, requests are handed to the leader through the store ({@link #handedOff}); their tickets wait
 * for the outcome the leader stores ({@link #sync}), which also answers for requests other replicas received.
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
    /** This replica's requests handed to the leader, by id, until its outcome is in the store. */
    private final Map<String, Ticket> handedOff = new LinkedHashMap<>();
    /** The store's handed-over requests as last synced, by id. */
    private Map<String, ScalerState.HandedOver> stored = Map.of();

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

    /** A request this replica received, else one handed over by any replica and still in the store. */
    public synchronized Optional<Ticket> find(String id) {
        Ticket ticket = known.get(id);
        if (ticket != null) {
            return Optional.of(ticket);
        }
        return Optional.ofNullable(stored.get(id)).map(h -> new Ticket(id,
                h.outcome().map(CompletableFuture::completedFuture).orElseGet(CompletableFuture::new)));
    }

    /** This follower handed {@code taken} to the leader: their tickets wait for its stored outcome. */
    public synchronized void handedOff(List<ScaleRequest> taken) {
        for (ScaleRequest request : taken) {
            Ticket ticket = queuedTickets.remove(request.dedupKey());
            if (ticket != null) {
                handedOff.put(request.id(), ticket);
            }
        }
    }

    /**
     * The leader takes a request a follower handed over; one that waited longer than the settings allow is refused
     * instead (its sender was told it waits; acting on it now would surprise them).
     *
     * @return its ticket, which gives the outcome to store; empty when the inbox is full
     */
    public synchronized Optional<Ticket> submitHandedOver(ScaleRequest request) {
        if (clock.instant().isAfter(request.receivedAt().plus(settings.maxWait()))) {
            return Optional.of(new Ticket(request.id(), CompletableFuture.completedFuture(new RequestOutcome(false,
                    "not done: no replica led within %ds of the request".formatted(settings.maxWait().toSeconds())))));
        }
        return submit(request, "handed-over:" + request.id());
    }

    /**
     * The handed-over requests in the store: completes this replica's tickets whose outcome is there (or whose
     * request left the store undecided), and answers {@link #find} for the others.
     */
    public synchronized void sync(List<ScalerState.HandedOver> inStore) {
        stored = inStore.stream().collect(Collectors.toMap(h -> h.request().id(), Function.identity(), (a, b) -> a));
        handedOff.entrySet().removeIf(waiting -> {
            ScalerState.HandedOver handed = stored.get(waiting.getKey());
            if (handed == null) {
                waiting.getValue().outcome().complete(new RequestOutcome(false,
                        "not decided: the request left the scaler's state undecided (was the state service removed?)"));
                return true;
            }
            handed.outcome().ifPresent(waiting.getValue().outcome()::complete);
            return handed.outcome().isPresent();
        });
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
