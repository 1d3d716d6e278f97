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
 * fit, largest memory first). Global services' tasks are not moved: they end with their node. What every node
 * has reserved is summed once per pass, so each trial costs the nodes plus the tasks that move, not every task.
 */
final class FitCheck {
    private final ObservedState observed;
    /** CPU and memory reserved on each node by the tasks meant to run there. */
    private final Map<String, long[]> reserved = new HashMap<>();
    /** The tasks of replicated services on each node: what moves when the node goes. */
    private final Map<String, List<TaskInfo>> movable = new HashMap<>();

    FitCheck(ObservedState observed) {
        this.observed = observed;
        for (TaskInfo task : observed.tasks()) {
            if (!task.desiredRunning()) {
                continue;
            }
            long[] sum = reserved.computeIfAbsent(task.nodeId(), n -> new long[2]);
            sum[0] += task.reservedNanoCpus();
            sum[1] += task.reservedMemoryBytes();
            if (observed.service(task.serviceId()).map(s -> !s.global()).orElse(false)) {
                movable.computeIfAbsent(task.nodeId(), n -> new ArrayList<>()).add(task);
            }
        }
    }

    /** Why the tasks of the removed nodes would not fit on the others, or empty when they all do. */
    Optional<Refusal> whyNot(Set<String> removed) {
        Map<String, long[]> free = new HashMap<>();
        List<SwarmNode> remaining = new ArrayList<>();
        for (SwarmNode node : observed.nodes()) {
            if (node.ready() && node.active() && !removed.contains(node.id()) && !node.draining()) {
                long[] used = reserved.getOrDefault(node.id(), new long[2]);
                remaining.add(node);
                free.put(node.id(), new long[] {node.nanoCpus() - used[0], node.memoryBytes() - used[1]});
            }
        }
        List<TaskInfo> toMove = new ArrayList<>();
        removed.forEach(id -> toMove.addAll(movable.getOrDefault(id, List.of())));
        toMove.sort(Comparator.comparingLong(TaskInfo::reservedMemoryBytes).reversed());
        for (TaskInfo task : toMove) {
            Optional<Refusal> refusal = place(task, remaining, free);
            if (refusal.isPresent()) {
                return refusal;
            }
        }
        return Optional.empty();
    }

    /** Places the task on the first remaining node that allows it and has room, or says why none does. */
    private Optional<Refusal> place(TaskInfo task, List<SwarmNode> remaining, Map<String, long[]> free) {
        ServiceInfo service = observed.service(task.serviceId()).orElseThrow();
        boolean allowedSomewhere = false;
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
                return Optional.empty();
            }
        }
        return Optional.of(allowedSomewhere
                ? new Refusal.NoRoom(service.name(), task.reservedNanoCpus(), task.reservedMemoryBytes())
                : new Refusal.NoEligibleNode(service.name(), service.constraints()));
    }
}
