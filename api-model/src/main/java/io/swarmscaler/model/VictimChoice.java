package io.swarmscaler.model;

import io.swarmscaler.model.Refusal.NodeKept;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which nodes a scale-down removes: unprotected, Ready, active, in-service nodes of the group, fewest tasks first
 * (then the newest). A candidate whose tasks would not fit elsewhere, or whose removal would cost quorum, is passed
 * over for the next, up to {@link #MAX_REFUSED_CANDIDATES}, as Cluster Autoscaler does; the memory prediction stops
 * the search, since it depends on how many go, not which.
 */
final class VictimChoice {
    /** Candidates refused (tasks would not fit, quorum) before a scale-down gives up for this pass. */
    static final int MAX_REFUSED_CANDIDATES = 10;

    /** The nodes chosen, and the first candidate passed over with its reason. */
    record Choice(List<SwarmNode> victims, Optional<Refusal> firstRefusal) {}

    private final PassState pass;
    private final MemoryPrediction memory;
    /** Built on first use: a pass that considers no scale-down never sums the tasks' reservations. */
    private FitCheck fit;

    VictimChoice(PassState pass, MemoryPrediction memory) {
        this.pass = pass;
        this.memory = memory;
    }

    Choice choose(NodeGroupState group, List<SwarmNode> candidates, int count) {
        List<SwarmNode> victims = new ArrayList<>();
        Optional<Refusal> firstRefusal = Optional.empty();
        int refused = 0;
        for (SwarmNode candidate : candidates) {
            if (victims.size() == count) {
                break;
            }
            Optional<Refusal> tooMuchMemory = memory.whyNot(group, victims.size() + 1);
            if (tooMuchMemory.isPresent()) {
                firstRefusal = firstRefusal.or(() -> Optional.of(new NodeKept(candidate.hostname(), tooMuchMemory.get())));
                break;
            }
            List<SwarmNode> trial = new ArrayList<>(victims);
            trial.add(candidate);
            Optional<Refusal> why = whyNot(group.role(), trial);
            if (why.isEmpty()) {
                victims.add(candidate);
                continue;
            }
            // Like Cluster Autoscaler, try the next candidate: one pinned idle node must not block the group.
            firstRefusal = firstRefusal.or(() -> Optional.of(new NodeKept(candidate.hostname(), why.get())));
            if (++refused >= MAX_REFUSED_CANDIDATES) {
                break;
            }
        }
        return new Choice(victims, firstRefusal);
    }

    /** The group's removable nodes, best victim first: fewest tasks, then newest. */
    List<SwarmNode> candidates(NodeGroupState group) {
        Map<String, Long> taskCounts = new HashMap<>();
        for (TaskInfo task : pass.observed.tasks()) {
            if (task.desiredRunning() && pass.observed.service(task.serviceId()).map(s -> !s.global()).orElse(false)) {
                taskCounts.merge(task.nodeId(), 1L, Long::sum);
            }
        }
        // Each node's instance as instanceOnNode finds it (the first), looked up once per node, not searched for.
        Map<String, Instance> instanceOnNode = new HashMap<>();
        group.instances().forEach(i -> instanceOnNode.putIfAbsent(i.nodeId(), i));
        return pass.observed.nodes().stream()
                .filter(n -> n.role() == group.role() && n.ready() && n.active())
                .filter(n -> !"true".equalsIgnoreCase(n.labels().get(Planner.PROTECT_LABEL)))
                .filter(n -> !n.draining())
                .filter(n -> Optional.ofNullable(instanceOnNode.get(n.id()))
                        .filter(i -> i.lifecycle() == Instance.Lifecycle.IN_SERVICE).isPresent())
                .sorted(Comparator.<SwarmNode>comparingLong(n -> taskCounts.getOrDefault(n.id(), 0L))
                        .thenComparing(SwarmNode::createdAt, Comparator.reverseOrder()))
                .toList();
    }

    /**
     * Tasks Swarm wants running but could not place, that one of these nodes could take (its constraints allow it
     * and it offers as much as the task reserves): a scale-down now would only make them wait longer.
     */
    Optional<Refusal> pendingTasksTheyCouldHost(NodeGroupState group, List<SwarmNode> candidates) {
        Map<ServiceInfo, Long> hostableByService = new LinkedHashMap<>();
        for (TaskInfo task : pass.observed.tasksOnNode("")) {
            Optional<ServiceInfo> service = pass.observed.service(task.serviceId());
            if (task.pending() && service.isPresent()
                    && candidates.stream().anyMatch(n -> couldHost(n, service.get(), task))) {
                hostableByService.merge(service.get(), 1L, Long::sum);
            }
        }
        return hostableByService.entrySet().stream().findFirst()
                .map(e -> new Refusal.TasksPending(group.role(), e.getKey().name(), e.getValue()));
    }

    private static boolean couldHost(SwarmNode node, ServiceInfo service, TaskInfo task) {
        return PlacementConstraints.allow(service.constraints(), node).orElse(true)
                && node.nanoCpus() >= task.reservedNanoCpus() && node.memoryBytes() >= task.reservedMemoryBytes();
    }

    /** Why these very nodes may not go: quorum, or tasks that would not fit elsewhere. */
    private Optional<Refusal> whyNot(NodeRole role, List<SwarmNode> victims) {
        Set<String> ids = new HashSet<>(victims.stream().map(SwarmNode::id).toList());
        Optional<Refusal> quorum = role == NodeRole.MANAGER ? ManagerQuorum.whyNot(pass.observed, ids)
                : Optional.empty();
        return quorum.or(() -> fit().whyNot(ids));
    }

    private FitCheck fit() {
        if (fit == null) {
            fit = new FitCheck(pass.observed);
        }
        return fit;
    }
}
