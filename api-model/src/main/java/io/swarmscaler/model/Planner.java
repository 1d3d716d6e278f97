package io.swarmscaler.model;

import io.swarmscaler.model.Action.DrainNode;
import io.swarmscaler.model.Action.Notify;
import io.swarmscaler.model.Action.RemoveNode;
import io.swarmscaler.model.Action.Reschedule;
import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Action.UndrainNode;
import io.swarmscaler.model.Notification.Status;
import io.swarmscaler.model.ScalerMemory.Backoff;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Decides what to do: a pure function of what was observed, the policies, what was remembered and the time.
 *
 * <p>Scale-up: a policy acts only after its condition held for its {@code alertFor}; a group is never scaled up
 * while nodes it asked for are still joining, within the cooldown after its last scale-up, in backoff after a
 * failure, nor beyond its maximum (the policy's bound narrowed by the group's own). Once all new nodes are Ready
 * the labelled services are rescheduled; if they are not Ready in time, the group backs off.
 *
 * <p>Scale-down: never within the scale-down cooldown of a scale-up or another scale-down, never while a drain
 * runs or nodes are joining, never below the minimum; the victim is an unprotected node of the group with the
 * fewest tasks (then the newest); its tasks must fit on the remaining nodes, and the memory ratio predicted after
 * its removal must stay below every scale-up threshold of the group by a margin. Managers stay odd and keep
 * quorum. A drained node is removed only when no task of ours runs there and every service that ran there is back
 * to its replicas; a drain that takes too long is undone.
 *
 * <p>No data is never a reason to act. Scale requests (webhooks) go through the same rules.
 */
public final class Planner {
    /** Node label of ours: never remove this node. */
    public static final String PROTECT_LABEL = "com.df.scaler.protect";
    /** Node label of ours: the scaler is draining this node since the time in its value. */
    public static final String DRAINING_LABEL = "com.df.scaler.draining";
    public static final String SCALE_NODES_ALERT = "scale_nodes";
    public static final String RESCHEDULE_ALERT = "reschedule_service";
    /** Candidates refused (tasks would not fit, quorum) before a scale-down gives up for this pass. */
    static final int MAX_REFUSED_CANDIDATES = 10;
    /** A failure this long after a group's backoff ended is not "in a row" with the earlier ones. */
    static final Duration BACKOFF_RESET_AFTER = Duration.ofHours(3);

    /**
     * @param scaleUpCooldown no second scale-up of a group within this time of the last
     * @param provisionTimeout how long new nodes may take to be Ready before we give up on them
     * @param rescheduleLabel services with this label set to {@code true} are rescheduled onto new nodes
     * @param scaleDownCooldown no scale-down within this time of a scale-up or of another scale-down
     * @param drainTimeout a drain not finished in this time is undone
     * @param scaleDownMargin the predicted memory ratio after a removal must stay this far below every scale-up
     *     threshold
     * @param firstBackoff how long a failing group is left alone, doubling up to {@code maxBackoff}
     */
    public record Settings(Duration scaleUpCooldown, Duration provisionTimeout, String rescheduleLabel,
            Duration scaleDownCooldown, Duration drainTimeout, double scaleDownMargin, Duration firstBackoff,
            Duration maxBackoff) {

        /** Cluster Autoscaler's defaults where it has one. */
        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(3), Duration.ofMinutes(15), "com.df.reschedule",
                    Duration.ofMinutes(10), Duration.ofMinutes(10), 0.05, Duration.ofMinutes(5),
                    Duration.ofMinutes(30));
        }
    }

    private final Settings settings;

    public Planner(Settings settings) {
        this.settings = settings;
    }

    public Plan plan(ObservedState observed, PolicySet policies, ScalerMemory memory, Instant now) {
        return new Cycle(observed, memory, now).run(policies);
    }

    /** Something asking a group to change: a policy whose condition held long enough, or a scale request. */
    private record Want(String subject, String detail, ScaleDirection direction, int by, GroupBounds bounds,
            String why, OptionalDouble ratio, Optional<PolicyId> policy, Optional<ScaleRequest> request) {

        /** A decision about this want: what it saw, then what came of it. */
        Decision decide(String text) {
            return new Decision(subject, detail + "; " + text);
        }
    }

    /** The state of one planning pass. */
    private final class Cycle {
        private final ObservedState observed;
        private final Instant now;
        private final Map<PolicyId, Instant> trueSince;
        private final Map<NodeRole, Instant> lastScaleUp;
        private final Map<NodeRole, Instant> lastScaleDown;
        private final Map<NodeRole, PendingScaleUp> pending;
        private final Set<PolicyId> announced;
        private final Map<NodeRole, Backoff> backoff;
        private final Map<String, Instant> handledRequests;
        private final List<Action> actions = new ArrayList<>();
        private final List<Decision> decisions = new ArrayList<>();
        private final Map<String, RequestOutcome> outcomes = new LinkedHashMap<>();
        private final Set<NodeRole> changedThisCycle = EnumSet.noneOf(NodeRole.class);
        private final Map<String, ScaleRequest> requestsThisCycle = new HashMap<>();
        private final Map<NodeRole, List<Double>> upThresholds = new HashMap<>();
        private final Map<NodeRole, List<Want>> wants = new HashMap<>();
        /** Each group's used-memory ratio this pass, from its total-memory policies. */
        private final Map<NodeRole, Double> groupRatios = new HashMap<>();

        Cycle(ObservedState observed, ScalerMemory memory, Instant now) {
            this.observed = observed;
            this.now = now;
            this.trueSince = new HashMap<>(memory.trueSince());
            this.lastScaleUp = new HashMap<>(memory.lastScaleUp());
            this.lastScaleDown = new HashMap<>(memory.lastScaleDown());
            this.pending = new HashMap<>(memory.pending());
            this.announced = new HashSet<>(memory.announced());
            this.backoff = new HashMap<>(memory.backoff());
            this.handledRequests = new HashMap<>(memory.handledRequests());
            // Before any request is checked: a repeat that arrives after the window closed is a new request.
            handledRequests.values().removeIf(at -> !now.isBefore(at.plus(requestWindow())));
        }

        /** How long a handled request's key is remembered: the longer of the two cooldowns. */
        private Duration requestWindow() {
            return settings.scaleUpCooldown().compareTo(settings.scaleDownCooldown()) > 0
                    ? settings.scaleUpCooldown() : settings.scaleDownCooldown();
        }

        Plan run(PolicySet policies) {
            for (PolicyError error : policies.errors()) {
                decisions.add(new Decision(error.service() + " " + error.label(), "skipped: " + error.message()));
            }
            followDrains();
            adoptScaleUpsInFlight();
            for (NodeRole role : List.copyOf(pending.keySet())) {
                followPendingScaleUp(role, pending.get(role));
            }
            Set<PolicyId> known = new HashSet<>();
            for (Policy policy : policies.policies()) {
                known.add(policy.id());
                if (policy.direction() == ScaleDirection.UP && policy.condition() instanceof Condition.Threshold t) {
                    upThresholds.computeIfAbsent(policy.role(), r -> new ArrayList<>()).add(t.threshold());
                }
            }
            for (Policy policy : policies.policies()) {
                evaluate(policy);
            }
            for (ScaleRequest request : observed.requests()) {
                want(request);
            }
            for (NodeRole role : NodeRole.values()) {
                List<Want> forRole = wants.getOrDefault(role, List.of());
                // Adding capacity wins over removing it when both are asked for in one pass.
                forRole.stream().filter(w -> w.direction() == ScaleDirection.UP).forEach(w -> scaleUp(role, w));
                forRole.stream().filter(w -> w.direction() == ScaleDirection.DOWN).forEach(w -> scaleDown(role, w));
            }
            // Forget policies whose labels were removed, so a re-added policy starts its `for` afresh.
            trueSince.keySet().retainAll(known);
            announced.retainAll(known);
            return new Plan(actions, decisions, outcomes, new ScalerMemory(trueSince, lastScaleUp, lastScaleDown,
                    pending, announced, backoff, handledRequests));
        }

        // ---- scale-up follow-up ------------------------------------------------------------------------------

        /**
         * Capacity asked for but not Ready, with no scale-up of ours waiting for it (a restart, someone else's
         * request, a node that went down): wait for it like for our own, so that it reschedules when it comes and
         * times out when it does not, instead of blocking scale-ups forever.
         */
        private void adoptScaleUpsInFlight() {
            for (NodeGroupState group : observed.groups().values()) {
                if (group.joiningCount() > 0 && !pending.containsKey(group.role())) {
                    pending.put(group.role(), new PendingScaleUp(group.readyCount(), group.desired(), now));
                }
            }
        }

        private void followPendingScaleUp(NodeRole role, PendingScaleUp scaleUp) {
            String subject = role.word() + " nodes";
            NodeGroupState group = observed.groups().get(role);
            if (group == null) {
                pending.remove(role);
                return;
            }
            int ready = group.readyCount();
            if (ready >= scaleUp.target()) {
                pending.remove(role);
                backoff.remove(role);
                List<ServiceInfo> reschedulable = observed.services().stream()
                        .filter(s -> "true".equalsIgnoreCase(s.labels().get(settings.rescheduleLabel())))
                        .toList();
                String readyText = "%d of %d %s nodes are Ready on %s"
                        .formatted(ready, scaleUp.target(), role.word(), group.backend());
                if (reschedulable.isEmpty()) {
                    String text = readyText + "; no service is labelled " + settings.rescheduleLabel()
                            + "=true, nothing to reschedule";
                    decisions.add(new Decision(subject, text));
                    actions.add(new Notify(new Notification(SCALE_NODES_ALERT, role.word(), Status.SUCCESS, text,
                            "scale-up from %d to %d".formatted(scaleUp.from(), scaleUp.target()))));
                } else {
                    decisions.add(new Decision(subject, readyText + "; rescheduling "
                            + String.join(", ", reschedulable.stream().map(ServiceInfo::name).toList())));
                    actions.add(new Reschedule(reschedulable, readyText));
                }
            } else if (group.launchFailure().isPresent()) {
                pending.remove(role);
                Backoff current = backoff.get(role);
                if (current != null && now.isBefore(current.until())) {
                    // The backend reports the same failure until capacity changes: one failure, one backoff.
                    decisions.add(new Decision(subject, "backing off until %s after: %s"
                            .formatted(current.until(), current.reason())));
                } else {
                    fail(role, "Launching %s nodes on %s failed: %s; %d of %d Ready, services were not rescheduled"
                            .formatted(role.word(), group.backend(), group.launchFailure().get(), ready,
                                    scaleUp.target()));
                }
                terminateUnready(group);
            } else if (!now.isBefore(scaleUp.requestedAt().plus(settings.provisionTimeout()))) {
                pending.remove(role);
                fail(role, "Gave up waiting for %s nodes on %s: %d of %d Ready %s after the scale-up from %d;"
                        .formatted(role.word(), group.backend(), ready, scaleUp.target(),
                                Durations.format(settings.provisionTimeout()), scaleUp.from())
                        + " services were not rescheduled");
                terminateUnready(group);
            } else {
                decisions.add(new Decision(subject, "waiting for new nodes: %d of %d Ready on %s"
                        .formatted(ready, scaleUp.target(), group.backend())));
            }
        }

        /** Instances that never became Ready nodes go, like Cluster Autoscaler's unregistered nodes. */
        private void terminateUnready(NodeGroupState group) {
            List<String> unready = group.instances().stream()
                    .filter(i -> i.countsAsCapacity() && !i.nodeReady())
                    .map(Instance::id)
                    .toList();
            if (!unready.isEmpty()) {
                actions.add(new Action.TerminateInstances(group.role(), unready,
                        "never became a Ready %s node".formatted(group.role().word())));
            }
        }

        /**
         * Puts a failing group in backoff, doubling after each failure in a row, and tells the operator. A failure
         * long after the last backoff ended starts again from the first length, as in Cluster Autoscaler.
         */
        private void fail(NodeRole role, String text) {
            Backoff previous = backoff.get(role);
            boolean inARow = previous != null && now.isBefore(previous.until().plus(BACKOFF_RESET_AFTER));
            Duration length = !inARow ? settings.firstBackoff()
                    : min(previous.length().multipliedBy(2), settings.maxBackoff());
            backoff.put(role, new Backoff(now.plus(length), length, text));
            String full = text + "; backing off for " + Durations.format(length);
            decisions.add(new Decision(role.word() + " nodes", full));
            actions.add(new Notify(new Notification(SCALE_NODES_ALERT, role.word(), Status.ERROR, full,
                    "scaling of " + role.word() + " nodes")));
        }

        // ---- policies and requests ---------------------------------------------------------------------------

        private void evaluate(Policy policy) {
            String subject = "policy " + policy.id();
            Evaluation evaluation = Evaluation.of(policy.condition(), observed.result(policy.id()));
            OptionalDouble ratio = groupRatio(policy, evaluation);
            ratio.ifPresent(r -> groupRatios.putIfAbsent(policy.role(), r));
            if (!evaluation.holds()) {
                trueSince.remove(policy.id());
                announced.remove(policy.id());
                decisions.add(new Decision(subject, evaluation.text()));
                return;
            }
            Instant since = trueSince.computeIfAbsent(policy.id(), id -> now);
            Duration held = Duration.between(since, now);
            if (held.compareTo(policy.holdFor()) < 0) {
                decisions.add(new Decision(subject, "%s, held %s of %s".formatted(evaluation.text(),
                        Durations.format(roughly(held)), Durations.format(policy.holdFor()))));
                return;
            }
            String why = "%s %s (%s for %s)".formatted(policy.alertName(), policy.id(), evaluation.text(),
                    Durations.format(roughly(held)));
            if (policy.direction() == ScaleDirection.NOTIFY_ONLY) {
                notifyOnce(policy.id(), subject, evaluation.text() + "; scale=no, notifying only",
                        new Notification(policy.alertName(), policy.id().service(), Status.PENDING,
                                policy.summary(), why));
                return;
            }
            int by = policy.direction() == ScaleDirection.UP ? policy.bounds().upBy() : policy.bounds().downBy();
            wants.computeIfAbsent(policy.role(), r -> new ArrayList<>()).add(new Want(subject, evaluation.text(),
                    policy.direction(), by, policy.bounds(), why, ratio, Optional.of(policy.id()), Optional.empty()));
        }

        /** The group's used-memory ratio, when the policy's query is one of the total-memory shortcuts. */
        private static OptionalDouble groupRatio(Policy policy, Evaluation evaluation) {
            return policy.alertIf().startsWith("@node_mem_limit_total_") ? evaluation.value() : OptionalDouble.empty();
        }

        private void want(ScaleRequest request) {
            String subject = "request " + request.id();
            ScaleRequest twin = requestsThisCycle.putIfAbsent(request.dedupKey(), request);
            if (twin != null) {
                // Sent twice at once (an Alertmanager retry racing its original): handled once, with the first.
                outcome(request, true, "Same request as %s in this pass (%s); handled once"
                        .formatted(twin.id(), request.origin()));
                return;
            }
            Instant handled = handledRequests.get(request.dedupKey());
            if (handled != null) {
                outcome(request, true, "Already handled at %s (%s); not scaling again within the cooldown"
                        .formatted(handled, request.origin()));
                return;
            }
            GroupBounds bounds = request.bounds();
            wants.computeIfAbsent(request.role(), r -> new ArrayList<>()).add(new Want(subject,
                    "%s %s by %d".formatted(request.origin(), request.direction().name().toLowerCase(java.util.Locale.ROOT),
                            request.by()), request.direction(), request.by(), bounds, request.origin(),
                    // A request carries no figures: the memory prediction uses what the group's policies read.
                    Optional.ofNullable(groupRatios.get(request.role())).map(OptionalDouble::of)
                            .orElse(OptionalDouble.empty()), Optional.empty(), Optional.of(request)));
        }

        // ---- scale-up ----------------------------------------------------------------------------------------

        private void scaleUp(NodeRole role, Want want) {
            NodeGroupState group = observed.groups().get(role);
            String refusal = upRefusal(role, group);
            if (refusal != null) {
                refuse(want, refusal);
                return;
            }
            int max = Math.min(want.bounds().max(), group.providerMax());
            int from = group.desired();
            if (from >= max) {
                String text = "%s nodes on %s are at the maximum of %d; not scaling up"
                        .formatted(capitalised(role.word()), group.backend(), max);
                if (want.policy().isPresent()) {
                    notifyOnce(want.policy().get(), want.subject(), want.detail() + "; " + text, new Notification(SCALE_NODES_ALERT,
                            want.policy().get().service(), Status.ERROR, text, want.why()));
                } else {
                    refuse(want, text);
                }
                return;
            }
            int to = Math.min(max, from + want.by());
            String change = "Changing the number of %s nodes on %s from %d to %d"
                    .formatted(role.word(), group.backend(), from, to);
            actions.add(new ScaleGroup(role, from, to, want.why()));
            decisions.add(want.decide(change));
            changedThisCycle.add(role);
            lastScaleUp.put(role, now);
            pending.put(role, new PendingScaleUp(from, to, now));
            accept(want, change);
        }

        /** Why a group may not change at all now, or null: it is missing, just changed, or backing off. */
        private String groupRefusal(NodeRole role, NodeGroupState group) {
            if (group == null) {
                return "no %s node group is configured on this backend, nothing to scale".formatted(role.word());
            }
            if (changedThisCycle.contains(role)) {
                return role.word() + " nodes were already changed in this cycle";
            }
            Backoff failing = backoff.get(role);
            if (failing != null && now.isBefore(failing.until())) {
                return "%s nodes are in backoff until %s after: %s".formatted(role.word(), failing.until(),
                        failing.reason());
            }
            return null;
        }

        /** Why a group may not grow now, or null. */
        private String upRefusal(NodeRole role, NodeGroupState group) {
            String refusal = groupRefusal(role, group);
            if (refusal != null) {
                return refusal;
            }
            if (pending.containsKey(role) || group.joiningCount() > 0) {
                return "waiting for %d requested %s node(s) to join before scaling again"
                        .formatted(group.joiningCount(), role.word());
            }
            Instant cooldownEnd = lastScaleUp.getOrDefault(role, Instant.MIN).plus(settings.scaleUpCooldown());
            if (now.isBefore(cooldownEnd)) {
                return "in cooldown after the last scale-up until " + cooldownEnd;
            }
            return null;
        }

        // ---- scale-down --------------------------------------------------------------------------------------

        private void scaleDown(NodeRole role, Want want) {
            NodeGroupState group = observed.groups().get(role);
            String refusal = downRefusal(role, group);
            if (refusal != null) {
                refuse(want, refusal);
                return;
            }
            int min = Math.max(want.bounds().min(), group.providerMin());
            int current = group.desired();
            int count = Math.min(want.by(), current - min);
            if (count <= 0) {
                refuse(want, "%s nodes on %s are at the minimum of %d; not scaling down"
                        .formatted(capitalised(role.word()), group.backend(), min));
                return;
            }
            if (role == NodeRole.MANAGER) {
                String quorum = null;
                if ((current - count) % 2 == 0) {
                    count--;
                    quorum = "removing %d would leave an even number of managers (%d)".formatted(count + 1,
                            current - count - 1);
                }
                if (count <= 0) {
                    refuse(want, quorum + "; managers stay odd to keep Raft quorum");
                    return;
                }
            }
            List<SwarmNode> candidates = victimCandidates(role, group);
            if (candidates.isEmpty()) {
                refuse(want, "no %s node may be removed: each is protected (%s=true), busy draining, not Ready,"
                        .formatted(role.word(), PROTECT_LABEL) + " or not one of the group's instances");
                return;
            }
            List<SwarmNode> victims = new ArrayList<>();
            String firstRefusal = null;
            int tried = 0;
            for (SwarmNode candidate : candidates) {
                if (victims.size() == count) {
                    break;
                }
                String memory = memoryRefusal(role, group, victims.size() + 1, want.ratio());
                if (memory != null) {
                    // More victims cannot help: the prediction depends on how many go, not which.
                    firstRefusal = firstRefusal == null ? "not removing %s: %s".formatted(candidate.hostname(), memory)
                            : firstRefusal;
                    break;
                }
                List<SwarmNode> trial = new ArrayList<>(victims);
                trial.add(candidate);
                String why = victimRefusal(role, trial);
                if (why == null) {
                    victims.add(candidate);
                } else {
                    // Like Cluster Autoscaler, try the next candidate: one pinned idle node must not block the group.
                    firstRefusal = firstRefusal == null ? "not removing %s: %s".formatted(candidate.hostname(), why)
                            : firstRefusal;
                    if (++tried >= MAX_REFUSED_CANDIDATES) {
                        break;
                    }
                }
            }
            if (victims.isEmpty()) {
                refuse(want, firstRefusal);
                return;
            }
            for (SwarmNode victim : victims) {
                actions.add(new DrainNode(victim, want.why()));
            }
            lastScaleDown.put(role, now);
            changedThisCycle.add(role);
            String text = "Changing the number of %s nodes on %s from %d to %d: draining %s (fewest tasks%s)"
                    .formatted(role.word(), group.backend(), current, current - victims.size(),
                            String.join(", ", victims.stream().map(SwarmNode::hostname).toList()),
                            firstRefusal == null ? "" : "; " + firstRefusal);
            decisions.add(want.decide(text));
            accept(want, text);
        }

        private String downRefusal(NodeRole role, NodeGroupState group) {
            String refusal = groupRefusal(role, group);
            if (refusal != null) {
                return refusal;
            }
            if (observed.nodes().stream().anyMatch(n -> draining(n).isPresent()
                    && (n.role() == role || group.instanceOnNode(n.id()).isPresent()))) {
                return "a %s node is being drained already; one at a time".formatted(role.word());
            }
            if (pending.containsKey(role) || group.joiningCount() > 0) {
                return "%d %s node(s) are still joining".formatted(group.joiningCount(), role.word());
            }
            for (Map.Entry<String, Instant> last : List.of(
                    Map.entry("scale-up", lastScaleUp.getOrDefault(role, Instant.MIN)),
                    Map.entry("scale-down", lastScaleDown.getOrDefault(role, Instant.MIN)))) {
                Instant end = last.getValue().plus(settings.scaleDownCooldown());
                if (now.isBefore(end)) {
                    return "no scale-down within %s of the last %s; waiting until %s".formatted(
                            Durations.format(settings.scaleDownCooldown()), last.getKey(), end);
                }
            }
            return null;
        }

        /** The group's removable nodes, best victim first: fewest tasks, then newest. */
        private List<SwarmNode> victimCandidates(NodeRole role, NodeGroupState group) {
            Map<String, Long> taskCounts = new HashMap<>();
            for (TaskInfo task : observed.tasks()) {
                if (task.desiredRunning() && observed.service(task.serviceId()).map(s -> !s.global()).orElse(false)) {
                    taskCounts.merge(task.nodeId(), 1L, Long::sum);
                }
            }
            return observed.nodes().stream()
                    .filter(n -> n.role() == role && n.ready() && n.active())
                    .filter(n -> !"true".equalsIgnoreCase(n.labels().get(PROTECT_LABEL)))
                    .filter(n -> draining(n).isEmpty())
                    .filter(n -> group.instanceOnNode(n.id())
                            .filter(i -> i.lifecycle() == Instance.Lifecycle.IN_SERVICE).isPresent())
                    .sorted(Comparator.<SwarmNode>comparingLong(n -> taskCounts.getOrDefault(n.id(), 0L))
                            .thenComparing(SwarmNode::createdAt, Comparator.reverseOrder()))
                    .toList();
        }

        /** Why these nodes may not go, or null. */
        /** Why removing {@code count} nodes of the group would push its memory too high, or null. */
        private String memoryRefusal(NodeRole role, NodeGroupState group, int count, OptionalDouble ratio) {
            int n = group.readyCount();
            List<Double> thresholds = upThresholds.getOrDefault(role, List.of());
            if (ratio.isEmpty() || thresholds.isEmpty() || n <= count) {
                return null;
            }
            // Nodes of a group are one machine type: the used memory spreads over the nodes that stay.
            double predicted = ratio.getAsDouble() * n / (n - count);
            double limit = thresholds.stream().mapToDouble(Double::doubleValue).min().orElseThrow()
                    - settings.scaleDownMargin();
            if (predicted < limit) {
                return null;
            }
            return "memory would rise from %s to %s, not below the scale-up threshold %s minus the margin %s"
                    .formatted(Evaluation.show(ratio.getAsDouble()), Evaluation.show(predicted),
                            Evaluation.show(limit + settings.scaleDownMargin()),
                            Evaluation.show(settings.scaleDownMargin()));
        }

        /** Why these very nodes may not go (quorum, tasks that would not fit elsewhere), or null. */
        private String victimRefusal(NodeRole role, List<SwarmNode> victims) {
            Set<String> ids = new HashSet<>(victims.stream().map(SwarmNode::id).toList());
            if (role == NodeRole.MANAGER) {
                long reachable = observed.nodes().stream()
                        .filter(n -> n.role() == NodeRole.MANAGER && n.managerReachable() && !ids.contains(n.id()))
                        .count();
                long members = observed.nodes().stream().filter(n -> n.role() == NodeRole.MANAGER).count()
                        - victims.size();
                if (reachable < members / 2 + 1) {
                    return "only %d of the %d remaining managers would be reachable: Raft would lose quorum"
                            .formatted(reachable, members);
                }
            }
            return FitCheck.whyNot(observed, ids, DRAINING_LABEL).orElse(null);
        }

        // ---- drains in progress ------------------------------------------------------------------------------

        private void followDrains() {
            for (SwarmNode node : observed.nodes()) {
                Optional<Instant> since = draining(node);
                if (since.isEmpty()) {
                    continue;
                }
                String subject = "node " + node.hostname();
                // By instance, not role: a manager is demoted before it is drained.
                Optional<NodeGroupState> group = observed.groups().values().stream()
                        .filter(g -> g.instanceOnNode(node.id()).isPresent()).findFirst()
                        .or(() -> observed.group(node.role()));
                NodeRole role = group.map(NodeGroupState::role).orElse(node.role());
                String instanceId = group.flatMap(g -> g.instanceOnNode(node.id())).map(Instance::id).orElse("");
                String progress = drainProgress(node);
                // Only when the tasks have moved: a node that is merely NotReady may come back with them.
                if (progress == null) {
                    String text = "%s is drained; its tasks run elsewhere: removing it".formatted(node.hostname());
                    decisions.add(new Decision(subject, text));
                    actions.add(new RemoveNode(node, role, instanceId, text));
                } else if (!now.isBefore(since.get().plus(settings.drainTimeout()))) {
                    String text = "Draining %s did not finish within %s (%s); putting it back to active"
                            .formatted(node.hostname(), Durations.format(settings.drainTimeout()), progress);
                    actions.add(new UndrainNode(node, text));
                    fail(role, text);
                } else {
                    decisions.add(new Decision(subject, "draining since %s: %s".formatted(since.get(), progress)));
                }
            }
        }

        /** What a drain still waits for, or null when every task that ran on the node runs elsewhere. */
        private String drainProgress(SwarmNode node) {
            long left = observed.tasks().stream()
                    .filter(t -> t.nodeId().equals(node.id()) && t.desiredRunning())
                    .filter(t -> observed.service(t.serviceId()).map(s -> !s.global()).orElse(false))
                    .count();
            if (left > 0) {
                return left + " task(s) still on it";
            }
            Set<String> ranThere = new HashSet<>();
            observed.tasks().stream().filter(t -> t.nodeId().equals(node.id())).forEach(t -> ranThere.add(t.serviceId()));
            for (String serviceId : ranThere) {
                Optional<ServiceInfo> service = observed.service(serviceId);
                if (service.isEmpty() || service.get().global()) {
                    continue;
                }
                long running = observed.tasks().stream()
                        .filter(t -> t.serviceId().equals(serviceId) && t.desiredRunning() && t.running())
                        .count();
                if (running < service.get().replicas()) {
                    return "service %s has %d of %d tasks running elsewhere".formatted(service.get().name(), running,
                            service.get().replicas());
                }
            }
            return null;
        }

        // ---- helpers -----------------------------------------------------------------------------------------

        private Optional<Instant> draining(SwarmNode node) {
            String value = node.labels().get(DRAINING_LABEL);
            if (value == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(Instant.parse(value));
            } catch (DateTimeParseException e) {
                return Optional.of(Instant.MIN); // someone edited our mark: treat the drain as overdue
            }
        }

        private void refuse(Want want, String text) {
            decisions.add(want.decide(text));
            want.request().ifPresent(r -> {
                outcome(r, false, text);
                // Someone asked: the operator hears of the refusal as of the scaling it would have been.
                actions.add(new Notify(new Notification(SCALE_NODES_ALERT, r.role().word(), Status.ERROR,
                        "Not scaling %s nodes %s: %s".formatted(r.role().word(),
                                r.direction().name().toLowerCase(java.util.Locale.ROOT), text), r.origin())));
            });
        }

        private void accept(Want want, String text) {
            want.request().ifPresent(r -> {
                handledRequests.put(r.dedupKey(), now);
                outcome(r, true, text);
            });
        }

        private void outcome(ScaleRequest request, boolean accepted, String text) {
            outcomes.put(request.id(), new RequestOutcome(accepted, text));
        }

        private void notifyOnce(PolicyId id, String subject, String text, Notification notification) {
            decisions.add(new Decision(subject, text));
            if (announced.add(id)) {
                actions.add(new Notify(notification));
            }
        }
    }

    /** Whether a condition holds given Prometheus' answer, with a readable account of the value. */
    record Evaluation(boolean holds, String text, OptionalDouble value) {
        static Evaluation of(Condition condition, QueryResult result) {
            if (result instanceof QueryResult.NoData noData) {
                return new Evaluation(false, "no data (" + noData.reason() + "), no action", OptionalDouble.empty());
            }
            List<Double> values = ((QueryResult.Samples) result).samples().stream()
                    .map(QueryResult.Sample::value)
                    .filter(v -> !v.isNaN())
                    .toList();
            if (condition instanceof Condition.Threshold t) {
                if (values.isEmpty()) {
                    return new Evaluation(false, "no data (the query returned no samples), no action",
                            OptionalDouble.empty());
                }
                for (double v : values) {
                    if (t.comparison().holds(v, t.threshold())) {
                        return new Evaluation(true, "value %s %s %s".formatted(
                                show(v), t.comparison().symbol(), show(t.threshold())), OptionalDouble.of(v));
                    }
                }
                return new Evaluation(false, "value %s, condition %s %s does not hold".formatted(
                        show(values.get(0)), t.comparison().symbol(), show(t.threshold())),
                        OptionalDouble.of(values.get(0)));
            }
            return values.isEmpty()
                    ? new Evaluation(false, "the alert expression returned no samples", OptionalDouble.empty())
                    : new Evaluation(true, "the alert expression returned %s".formatted(show(values.get(0))),
                            OptionalDouble.of(values.get(0)));
        }

        static String show(double value) {
            return String.format(java.util.Locale.ROOT, "%.3f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
    }

    /** Held times in messages: whole seconds once past one second. */
    private static Duration roughly(Duration held) {
        return held.compareTo(Duration.ofSeconds(1)) >= 0 ? Duration.ofSeconds(held.toSeconds()) : held;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String capitalised(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
