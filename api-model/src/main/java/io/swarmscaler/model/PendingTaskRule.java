package io.swarmscaler.model;

import io.swarmscaler.model.Observation.PendingTasks;
import io.swarmscaler.model.Refusal.NoNewNodeAllowed;
import io.swarmscaler.model.Refusal.NoShape;
import io.swarmscaler.model.Refusal.NotForLackOfNodes;
import io.swarmscaler.model.Refusal.TooBigForNewNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Tasks Swarm cannot place for lack of nodes ask for the nodes they need, in one step. A task counts when Swarm
 * wants it running, its scheduler says resources are insufficient or constraints unmet, and it has been pending
 * for the pending-task delay since it was created and since the newest node joined: the scheduler gets that long
 * to use a new node, so tasks that nodes just joined will take are not counted again (and while nodes are still on
 * their way the group's gate holds every scale-up back). Each task counts for the first group (workers, then
 * managers) whose new node its constraints allow and its reservations fit; a group's tasks are bin-packed onto new
 * nodes of its shape ({@link BinPackingEstimator}). A task no new node could host is shown and notified once, and
 * is never a reason to scale.
 */
final class PendingTaskRule {
    /** The index under which a service's unplaceable tasks are announced once, like a policy's firing. */
    static final String ANNOUNCE_INDEX = "pending-tasks";
    /** Pending tasks by cause, as the metrics name them. */
    static final String COUNTED = "for_lack_of_nodes";
    static final String NOT_YET = "within_delay";
    /** Pending, but the scheduler has not said why yet. */
    static final String UNEXPLAINED = "unexplained";

    /** What Swarm's scheduler says of a task that more nodes would let run. */
    private static final List<String> CURABLE =
            List.of("insufficient resources", "scheduling constraints not satisfied");

    /** A new node of a group as placement constraints see it: no hostname or id yet, the labels all its nodes carry. */
    private record NewNode(SwarmNode node, NodeShape shape) {}

    /** Where a task would go: a group, or why none. */
    private record Placement(Optional<NodeRole> group, Optional<Refusal> refusal) {}

    private final PassState pass;
    private final PolicySet policies;
    private final Map<NodeRole, Optional<NewNode>> newNodes = new EnumMap<>(NodeRole.class);
    private final Set<PolicyId> announcing = new HashSet<>();

    PendingTaskRule(PassState pass, PolicySet policies) {
        this.pass = pass;
        this.policies = policies;
    }

    /** One want per group that new nodes would let the pending tasks run on, by the nodes they need. */
    List<Want> wants() {
        Map<NodeRole, List<TaskInfo>> byGroup = new EnumMap<>(NodeRole.class);
        Map<String, Refusal> unplaceable = new LinkedHashMap<>();
        Instant newestNode = pass.observed.nodes().stream().map(SwarmNode::createdAt).max(Comparator.naturalOrder())
                .orElse(Instant.EPOCH);
        for (TaskInfo task : pass.observed.tasksOnNode("")) {
            Optional<ServiceInfo> service = pass.observed.service(task.serviceId());
            if (!task.pending() || service.isEmpty() || service.get().global()) {
                continue;
            }
            if (task.schedulerError().isEmpty() || !waitedLongEnough(task, newestNode)) {
                pass.pendingTasks.merge(task.schedulerError().isEmpty() ? UNEXPLAINED : NOT_YET, 1, Integer::sum);
                continue;
            }
            Placement placement = placement(task, service.get());
            placement.group().ifPresent(role -> byGroup.computeIfAbsent(role, r -> new ArrayList<>()).add(task));
            placement.refusal().ifPresent(r -> unplaceable.putIfAbsent(service.get().name(), r));
            pass.pendingTasks.merge(placement.refusal().map(PendingTaskRule::cause).orElse(COUNTED), 1, Integer::sum);
        }
        unplaceable.forEach(this::announce);
        List<Want> wants = new ArrayList<>();
        byGroup.forEach((role, tasks) -> wants.add(want(role, tasks)));
        return wants;
    }

    /** The services whose unplaceable tasks were announced and are still pending: not to be announced again. */
    Set<PolicyId> announcing() {
        return announcing;
    }

    /** The metric's name for why a pending task is no reason to scale, e.g. {@code too_big_for_new_node}. */
    static String cause(Refusal refusal) {
        return refusal.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private boolean waitedLongEnough(TaskInfo task, Instant newestNode) {
        Instant since = task.createdAt().isAfter(newestNode) ? task.createdAt() : newestNode;
        Instant due = since.plus(pass.settings.pendingTaskDelay());
        if (pass.now.isBefore(due)) {
            pass.wakeAt(due);
            return false;
        }
        return true;
    }

    /** The group whose new node would take the task, or why none would. */
    private Placement placement(TaskInfo task, ServiceInfo service) {
        String error = task.schedulerError();
        if (CURABLE.stream().noneMatch(error::contains)) {
            return refused(new NotForLackOfNodes(service.name(), error));
        }
        boolean allowed = false;
        for (NodeRole role : NodeRole.values()) {
            Optional<NewNode> node = newNode(role);
            if (node.isEmpty() || !PlacementConstraints.allow(service.constraints(), node.get().node()).orElse(false)) {
                continue;
            }
            allowed = true;
            if (node.get().shape().holds(task)) {
                return new Placement(Optional.of(role), Optional.empty());
            }
        }
        return refused(allowed ? new TooBigForNewNode(service.name(), task.reservedNanoCpus(),
                task.reservedMemoryBytes()) : new NoNewNodeAllowed(service.name(), service.constraints()));
    }

    private static Placement refused(Refusal why) {
        return new Placement(Optional.empty(), Optional.of(why));
    }

    private Want want(NodeRole role, List<TaskInfo> tasks) {
        NodeShape shape = newNodes.get(role).orElseThrow().shape();
        int nodes = BinPackingEstimator.newNodes(tasks, shape);
        pass.nodesEstimated.put(role, nodes);
        GroupLimits limits = GroupLimits.of(policies, pass.group(role), pass.settings.defaultBounds(role));
        PendingTasks seen = new PendingTasks(role, tasks.size(), pass.settings.pendingTaskDelay(), nodes, shape);
        return new Want(subject(role), seen, role, ScaleDirection.UP, nodes,
                new GroupBounds(limits.min(), limits.max(), nodes, 1), seen.message(), Optional.empty(),
                Optional.empty());
    }

    private void announce(String service, Refusal why) {
        PolicyId id = new PolicyId(service, ANNOUNCE_INDEX);
        announcing.add(id);
        pass.notifyOnce(id, "pending tasks of service " + service, why, new Notification(Planner.SCALE_NODES_ALERT,
                service, Notification.Status.ERROR, why.message(), "pending tasks of service " + service));
    }

    private Optional<NewNode> newNode(NodeRole role) {
        return newNodes.computeIfAbsent(role, this::learn);
    }

    /**
     * A new node as the group's nodes show it (the smallest's size); for an empty group, as its backend tells (the
     * instance type), else as a service's label gives its size.
     */
    private Optional<NewNode> learn(NodeRole role) {
        NodeGroupState group = pass.group(role);
        if (group == null) {
            return Optional.empty();
        }
        List<SwarmNode> members = pass.observed.nodes().stream()
                .filter(n -> group.instanceOnNode(n.id()).isPresent()).toList();
        Optional<NodeShape> shape = members.isEmpty()
                ? group.launchShape().or(() -> Optional.ofNullable(policies.groups().nodeShapes().get(role)))
                : Optional.of(new NodeShape(members.stream().mapToLong(SwarmNode::nanoCpus).min().orElseThrow(),
                        members.stream().mapToLong(SwarmNode::memoryBytes).min().orElseThrow()));
        if (shape.isEmpty()) {
            pass.decide(subject(role), new NoShape(role));
            return Optional.empty();
        }
        Map<String, String> labels = common(members, SwarmNode::labels);
        labels.keySet().removeAll(List.of(Planner.PROTECT_LABEL, Planner.DRAINING_LABEL));
        return Optional.of(new NewNode(new SwarmNode("", "", "", role, true, "active", role == NodeRole.MANAGER,
                common(members, SwarmNode::engineLabels), labels, shape.get().nanoCpus(),
                shape.get().memoryBytes(), pass.now), shape.get()));
    }

    /** The labels every one of the nodes carries with the same value: what a new node of theirs will carry too. */
    private static Map<String, String> common(List<SwarmNode> nodes, Function<SwarmNode, Map<String, String>> labels) {
        if (nodes.isEmpty()) {
            return new HashMap<>();
        }
        Map<String, String> common = new HashMap<>(labels.apply(nodes.get(0)));
        nodes.forEach(n -> common.entrySet().removeIf(e -> !e.getValue().equals(labels.apply(n).get(e.getKey()))));
        return common;
    }

    static String subject(NodeRole role) {
        return "pending tasks for " + role.word() + " nodes";
    }
}
