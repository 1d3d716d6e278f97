package io.swarmscaler.model;

/**
 * One machine of a node group as the backend reports it, joined with what Swarm says about it.
 *
 * @param nodeId the Swarm node running on it, or {@code ""} while it has none
 * @param nodeReady whether that node is {@code Ready}
 * @param standby whether that node is a warm standby node ({@link WarmPool}): joined, drained, not capacity
 */
public record Instance(String id, Lifecycle lifecycle, String nodeId, boolean nodeReady, boolean standby) {

    public enum Lifecycle {
        /** Requested, booting or joining: capacity on the way. */
        PENDING,
        IN_SERVICE,
        /** Leaving the group: no longer counted as capacity. */
        TERMINATING
    }

    public Instance {
        nodeId = nodeId == null ? "" : nodeId;
    }

    public Instance(String id, Lifecycle lifecycle, String nodeId, boolean nodeReady) {
        this(id, lifecycle, nodeId, nodeReady, false);
    }

    public boolean countsAsCapacity() {
        return lifecycle != Lifecycle.TERMINATING;
    }
}
