package io.swarmscaler.model;

/**
 * One machine of a node group as the backend reports it, joined with what Swarm says about it.
 *
 * @param nodeReady whether a Swarm node for this instance is {@code Ready}
 */
public record Instance(String id, Lifecycle lifecycle, boolean nodeReady) {

    public enum Lifecycle {
        /** Requested, booting or joining: capacity on the way. */
        PENDING,
        IN_SERVICE,
        /** Leaving the group: no longer counted as capacity. */
        TERMINATING
    }

    public boolean countsAsCapacity() {
        return lifecycle != Lifecycle.TERMINATING;
    }
}
