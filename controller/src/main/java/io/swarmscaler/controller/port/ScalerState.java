package io.swarmscaler.controller.port;

import io.swarmscaler.model.ScalerMemory;

/**
 * The scaler's memory and the right to act, shared by its replicas. Only the replica that leads acts; it saves the
 * memory before acting and fences every action, so that a replica that lost the lead without noticing (paused,
 * cut off) does nothing.
 */
public interface ScalerState {

    /** Whether this replica leads now, and the memory to plan with (the stored one when it does not lead). */
    Term current();

    /** Stores the memory, when it changed, with a compare-and-swap. @throws NotLeadingException when that fails */
    void save(ScalerMemory memory);

    /** Re-checks the lead with a compare-and-swap right before an action. @throws NotLeadingException */
    void fence();

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
        };
    }
}
