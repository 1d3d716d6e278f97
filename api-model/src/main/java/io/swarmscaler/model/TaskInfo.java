package io.swarmscaler.model;

import java.time.Instant;

/**
 * A Swarm task, as far as moving or placing it matters.
 *
 * @param nodeId the node it is assigned to, {@code ""} while pending
 * @param desiredRunning Swarm wants it running ({@code DesiredState=running})
 * @param running it is running now
 * @param reservedNanoCpus its service's CPU reservation
 * @param reservedMemoryBytes its service's memory reservation
 * @param schedulerError why the scheduler has not placed it ({@code Status.Err}), {@code ""} when it says nothing
 * @param createdAt when Swarm created it: a task is pending from then until it is placed. Read for pending tasks
 *     only, the one rule that uses it; {@link Instant#EPOCH} for placed ones (parsing 100,000 times a pass cost a
 *     fifth of it)
 */
public record TaskInfo(String id, String serviceId, String nodeId, boolean desiredRunning, boolean running,
        long reservedNanoCpus, long reservedMemoryBytes, String schedulerError, Instant createdAt) {
    public TaskInfo {
        nodeId = nodeId == null ? "" : nodeId;
        schedulerError = schedulerError == null ? "" : schedulerError;
        createdAt = createdAt == null ? Instant.EPOCH : createdAt;
    }

    /** A placed (or ended) task, whose scheduling no rule reads. */
    public TaskInfo(String id, String serviceId, String nodeId, boolean desiredRunning, boolean running,
            long reservedNanoCpus, long reservedMemoryBytes) {
        this(id, serviceId, nodeId, desiredRunning, running, reservedNanoCpus, reservedMemoryBytes, "", Instant.EPOCH);
    }

    /** Swarm wants it running and has not placed it on any node. */
    public boolean pending() {
        return pending(desiredRunning, running, nodeId);
    }

    /** {@link #pending()} of a task whose fields are still being read (its creation time matters only then). */
    public static boolean pending(boolean desiredRunning, boolean running, String nodeId) {
        return desiredRunning && !running && nodeId.isEmpty();
    }
}
