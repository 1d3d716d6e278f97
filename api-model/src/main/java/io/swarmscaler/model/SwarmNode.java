package io.swarmscaler.model;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * A Swarm node as the planner sees it.
 *
 * @param address the address the node advertises ({@code Status.Addr})
 * @param availability {@code active}, {@code pause} or {@code drain}
 * @param managerReachable for a manager: whether Raft sees it as reachable
 * @param engineLabels labels its Docker engine was started with (the local backend marks its nodes there)
 * @param labels the node labels set through the Swarm API
 * @param nanoCpus the CPU the node offers to tasks, in billionths of a CPU
 * @param memoryBytes the memory the node offers to tasks
 */
public record SwarmNode(
        String id,
        String hostname,
        String address,
        NodeRole role,
        boolean ready,
        String availability,
        boolean managerReachable,
        Map<String, String> engineLabels,
        Map<String, String> labels,
        long nanoCpus,
        long memoryBytes,
        Instant createdAt) {
    public SwarmNode {
        engineLabels = Map.copyOf(engineLabels);
        labels = Map.copyOf(labels);
    }

    public boolean active() {
        return "active".equals(availability);
    }

    /** Whether the scaler is draining the node: the one definition, from its mark on the node. */
    public boolean draining() {
        return labels.containsKey(Planner.DRAINING_LABEL);
    }

    /** When the scaler started draining the node, if it is draining it. */
    public Optional<Instant> drainingSince() {
        String value = labels.get(Planner.DRAINING_LABEL);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.of(Instant.MIN); // someone edited our mark: treat the drain as overdue
        }
    }
}
