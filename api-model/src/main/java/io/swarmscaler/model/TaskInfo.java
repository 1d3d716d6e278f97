package io.swarmscaler.model;

/**
 * A Swarm task, as far as moving it matters.
 *
 * @param nodeId the node it is assigned to, {@code ""} while pending
 * @param desiredRunning Swarm wants it running ({@code DesiredState=running})
 * @param running it is running now
 * @param reservedNanoCpus its service's CPU reservation
 * @param reservedMemoryBytes its service's memory reservation
 */
public record TaskInfo(String id, String serviceId, String nodeId, boolean desiredRunning, boolean running,
        long reservedNanoCpus, long reservedMemoryBytes) {
    public TaskInfo {
        nodeId = nodeId == null ? "" : nodeId;
    }
}
