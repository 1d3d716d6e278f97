package io.swarmscaler.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the tasks on nodes about to be removed can run on the nodes that stay: each must find a remaining
 * active node that its placement constraints allow and that has room for its CPU and memory reservations (first
 * fit, largest memory first). Global services' tasks are not moved: they end with their node.
 */
final class FitCheck {
    private FitCheck() {}

    /** Why the tasks would not fit, or empty when they all do. */
    static Optional<Refusal> whyNot(ObservedState observed, Set<String> removed) {
        Map<String, long[]> free = new HashMap<>();
        List<SwarmNode> remaining = new ArrayList<>();
        for (SwarmNode node : observed.nodes()) {
            if (node.ready() && node.active() && !removed.contains(node.id())
                    && !DrainTracker.isDraining(node)) {
                remaining.add(node);
                free.put(node.id(), new long[] {node.nanoCpus(), node.memoryBytes()});
            }
        }
        List<TaskInfo> toMove = new ArrayList<>();
        for (TaskInfo task : observed.tasks()) {
            if (!task.desiredRunning()) {
                continue;
            }
            long[] room = free.get(task.nodeId());
            if (room != null) {
                room[0] -= task.reservedNanoCpus();
                room[1] -= task.reservedMemoryBytes();
            } else if (removed.contains(task.nodeId())
                    && observed.service(task.serviceId()).map(s -> !s.global()).orElse(false)) {
                toMove.add(task);
            }
        }
        toMove.sort(Comparator.comparingLong(TaskInfo::reservedMemoryBytes).reversed());
        for (TaskInfo task : toMove) {
            ServiceInfo service = observed.service(task.serviceId()).orElseThrow();
            boolean allowedSomewhere = false;
            boolean placed = false;
            for (SwarmNode node : remaining) {
                Optional<Boolean> allowed = PlacementConstraints.allow(service.constraints(), node);
                if (allowed.isEmpty()) {
                    return Optional.of(new Refusal.UncheckableConstraint(service.name(), service.constraints()));
                }
                if (!allowed.get()) {
                    continue;
                }
                allowedSomewhere = true;
                long[] room = free.get(node.id());
                if (room[0] >= task.reservedNanoCpus() && room[1] >= task.reservedMemoryBytes()) {
                    room[0] -= task.reservedNanoCpus();
                    room[1] -= task.reservedMemoryBytes();
                    placed = true;
                    break;
                }
            }
            if (!allowedSomewhere) {
                return Optional.of(new Refusal.NoEligibleNode(service.name(), service.constraints()));
            }
            if (!placed) {
                return Optional.of(new Refusal.NoRoom(service.name(), task.reservedNanoCpus(),
                        task.reservedMemoryBytes()));
            }
        }
        return Optional.empty();
    }
}
