package io.swarmscaler.controller.port;

import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ScalerMemory;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scaler's memory and the right to act, shared by its replicas. Only the replica that leads acts; it saves the
 * memory before acting and fences every action, so that a replica that lost the lead without noticing (paused,
 * cut off) does nothing. A scale request that reaches a follower is handed to the leader through the same store,
 * and its outcome comes back the same way.
 */
public interface ScalerState {

    /** Whether this replica leads now, and the memory to plan with (the stored one when it does not lead). */
    Term current();

    /** Stores the memory, when it changed, with a compare-and-swap. @throws NotLeadingException when that fails */
    void save(ScalerMemory memory);

    /** Re-checks the lead with a compare-and-swap right before an action. @throws NotLeadingException */
    void fence();

    /** Follower: stores {@code request} for the leader to plan. @throws RuntimeException when the store refuses it */
    void handOver(ScaleRequest request);

    /** The requests handed over and still kept in the store, as last read, decided or not. */
    List<HandedOver> handedOver();

    /** Leader: stores the outcomes of handed-over requests, by request id. @throws NotLeadingException */
    void recordOutcomes(Map<String, RequestOutcome> outcomes);

    /** A request a follower handed over, and the leader's outcome once it decided. */
    record HandedOver(ScaleRequest request, Optional<RequestOutcome> outcome) {}

    /**
     * @param leading this replica may act
     * @param leader who holds the lease, empty when nobody does
     */
    record Term(boolean leading, String leader, ScalerMemory memory) {}

    /** This replica does not (or no longer) lead: it must not act. */
    final class NotLeadingException extends RuntimeException {
        public NotLeadingException(String message) {
            super(message);
        }
    }

    /** A single replica that always leads and keeps its memory in the process: for unit tests. */
    static ScalerState alone() {
        return new ScalerState() {
            private volatile ScalerMemory memory = ScalerMemory.empty();

            @Override
            public Term current() {
                return new Term(true, "this process", memory);
            }

            @Override
            public void save(ScalerMemory memory) {
                this.memory = memory;
            }

            @Override
            public void fence() {}

            @Override
            public void handOver(ScaleRequest request) {
                throw new IllegalStateException("a lone replica always leads: nothing to hand over");
            }

            @Override
            public List<HandedOver> handedOver() {
                return List.of();
            }

            @Override
            public void recordOutcomes(Map<String, RequestOutcome> outcomes) {}
        };
    }
}
