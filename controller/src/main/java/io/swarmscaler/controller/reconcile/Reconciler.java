package io.swarmscaler.controller.reconcile;

import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.Action;
import io.swarmscaler.model.Condition;
import io.swarmscaler.model.Evaluation;
import io.swarmscaler.model.Instance;
import io.swarmscaler.model.NodeGroupState;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.ObservedState;
import io.swarmscaler.model.Plan;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.Policy;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.PolicySet;
import io.swarmscaler.model.QueryResult;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ScalerMemory;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.Trend;
import io.swarmscaler.model.WarmPool;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One level-triggered pass: observe the Swarm, the node groups and Prometheus; let the {@link Planner} decide;
 * carry out its actions. Safe to run at any time and as often as wanted: it acts on what it sees, not on what
 * triggered it.
 */
public final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    /**
     * What the last pass saw and decided, for the status and the probes, which answer from it and never call a
     * dependency themselves. Its observed state holds the pending tasks, not the placed ones the plan may have read.
     *
     * @param prometheusDown why Prometheus could not be asked this pass, if it could not
     */
    public record Pass(Instant at, ObservedState observed, PolicySet policies, Plan plan,
            Optional<String> prometheusDown) {}

    private final Swarm swarm;
    private final Metrics metrics;
    private final Map<NodeRole, NodeGroup> groups;
    private final Notifier notifier;
    private final PolicyParser parser;
    /** The service list last parsed, and its policies. */
    private List<ServiceInfo> parsedServices;
    private PolicySet parsedPolicies;
    private final Planner planner;
    private final Clock clock;
    private final ScaleRequestInbox inbox;
    private final ReconcileListener listener;
    private final boolean dryRun;
    private final ScalerState state;
    private final DecisionLog decisionLog = new DecisionLog();
    private final LabelErrors labelErrors = new LabelErrors();
    /** Immutable, replaced whole: the status reads it without waiting for a pass to end. */
    private volatile ScalerMemory memory = ScalerMemory.empty();
    private volatile Optional<Pass> lastPass = Optional.empty();
    /** Requests whose action failed in this pass: their caller hears the failure, not the plan's acceptance. */
    private final Map<String, RequestOutcome> failedRequests = new HashMap<>();

    /** A reconciler that always leads and remembers in the process only, as a lone replica in a unit test. */
    public Reconciler(Swarm swarm, Metrics metrics, List<NodeGroup> groups, Notifier notifier, PolicyParser parser,
            Planner planner, Clock clock, ScaleRequestInbox inbox, ReconcileListener listener, boolean dryRun) {
        this(swarm, metrics, groups, notifier, parser, planner, clock, inbox, listener, dryRun, ScalerState.alone());
    }

    /** @param state where the memory is kept and whether this replica may act */
    public Reconciler(Swarm swarm, Metrics metrics, List<NodeGroup> groups, Notifier notifier, PolicyParser parser,
            Planner planner, Clock clock, ScaleRequestInbox inbox, ReconcileListener listener, boolean dryRun,
            ScalerState state) {
        this.state = state;
        this.swarm = swarm;
        this.metrics = metrics;
        this.groups = new EnumMap<>(NodeRole.class);
        groups.forEach(g -> this.groups.put(g.role(), g));
        this.notifier = notifier;
        this.parser = parser;
        this.planner = planner;
        this.clock = clock;
        this.inbox = inbox;
        this.listener = listener;
        this.dryRun = dryRun;
    }

    /** Runs one pass. Throws when the Swarm or a node group cannot be read; the loop retries with backoff. */
    public synchronized Plan reconcile() {
        ScalerState.Term term = state.current();
        memory = term.memory();
        inbox.sync(state.handedOver());
        Map<String, ScaleRequestInbox.Ticket> fromFollowers = term.leading() ? takeHandedOver() : Map.of();
        List<ScaleRequest> requests = inbox.take();
        if (!term.leading()) {
            handOver(requests, term.leader());
            requests = List.of();
        }
        Pass pass;
        try {
            pass = observeAndPlan(requests);
        } catch (RuntimeException e) {
            inbox.requeue(requests, e);
            throw e;
        }
        Plan plan = pass.plan();
        decisionLog.record(plan.decisions(), pass.at());
        ScalerMemory before = memory;
        memory = plan.memory();
        lastPass = Optional.of(pass);
        if (!term.leading()) {
            return plan;
        }
        try {
            carryOut(plan, before);
        } catch (ScalerState.NotLeadingException e) {
            LOG.warning("Stopped acting on this pass's plan: " + e.getMessage());
            inbox.complete(notLeadingOutcomes(plan.outcomes(), state.current().leader()), requests);
            return plan;
        }
        Map<String, RequestOutcome> outcomes = new HashMap<>(plan.outcomes());
        outcomes.putAll(failedRequests);
        inbox.complete(dryRun ? dryRunOutcomes(outcomes) : outcomes, requests);
        recordOutcomes(fromFollowers);
        return plan;
    }

    /** A follower hands the requests it received to the leader through the store, or refuses those it cannot. */
    private void handOver(List<ScaleRequest> requests, String leader) {
        List<ScaleRequest> handed = new ArrayList<>();
        List<ScaleRequest> refused = new ArrayList<>();
        Map<String, RequestOutcome> outcomes = new HashMap<>();
        for (ScaleRequest request : requests) {
            try {
                state.handOver(request);
                handed.add(request);
                LOG.info("Scale request %s handed to the leader (%s) through the scaler's state".formatted(
                        request.id(), leader.isEmpty() ? "none yet" : leader));
            } catch (RuntimeException e) {
                refused.add(request);
                outcomes.put(request.id(), new RequestOutcome(false, "not done: this replica does not lead and"
                        + " could not hand the request to the leader: " + e.getMessage()));
            }
        }
        inbox.handedOff(handed);
        inbox.complete(outcomes, refused);
    }

    /** The leader queues the requests followers handed over, for this pass to plan, and keeps their tickets. */
    private Map<String, ScaleRequestInbox.Ticket> takeHandedOver() {
        Map<String, ScaleRequestInbox.Ticket> taken = new HashMap<>();
        for (ScalerState.HandedOver handed : state.handedOver()) {
            if (handed.outcome().isEmpty()) {
                inbox.submitHandedOver(handed.request()).ifPresent(t -> taken.put(handed.request().id(), t));
            }
        }
        return taken;
    }

    /** Stores the outcomes of the handed-over requests this pass decided, for the followers that received them. */
    private void recordOutcomes(Map<String, ScaleRequestInbox.Ticket> fromFollowers) {
        Map<String, RequestOutcome> decided = new HashMap<>();
        fromFollowers.forEach((id, ticket) -> {
            RequestOutcome outcome = ticket.outcome().getNow(null);
            if (outcome != null) {
                decided.put(id, outcome);
            }
        });
        try {
            state.recordOutcomes(decided);
        } catch (ScalerState.NotLeadingException e) {
            LOG.warning("Could not store the outcomes of requests handed over (the next leader decides them): "
                    + e.getMessage());
        }
    }

    /**
     * The policies of {@code services}, parsed again only when Docker's reply changed: a steady Swarm's services
     * are the same list from pass to pass (the adapter decodes an unchanged reply once).
     */
    private PolicySet policiesOf(List<ServiceInfo> services) {
        if (services != parsedServices) {
            parsedPolicies = parser.parse(services);
            parsedServices = services;
        }
        return parsedPolicies;
    }

    /** Reads the world and lets the planner decide. */
    private Pass observeAndPlan(List<ScaleRequest> requests) {
        List<ServiceInfo> services = swarm.services();
        List<SwarmNode> nodes = swarm.nodes();
        PolicySet read = policiesOf(services);
        // Asked once per pass, so a hung Prometheus costs one timeout, not one per policy.
        Optional<String> prometheusDown = metrics.unavailable();
        LabelErrors.Checked checked = LabelErrors.rejectInvalidQueries(read,
                withHistory(read, query(read, prometheusDown)));
        PolicySet policies = checked.policies();
        labelErrors.warnOnce(policies.errors());
        Map<NodeRole, NodeGroupState> groupStates = observeGroups(nodes);
        Instant now = clock.instant();
        // A steady pass lists no placed task, which at 100,000 tasks is most of its cost: only the pending tasks of
        // the services Swarm says are short of tasks, for the pending-task rule and the scale-down's check.
        Set<String> shortOfTasks = services.stream().filter(ServiceInfo::shortOfTasks).map(ServiceInfo::id)
                .collect(Collectors.toSet());
        Map<PolicyId, Trend.Forecast> forecasts = forecast(policies, prometheusDown);
        ObservedState observed = new ObservedState(groupStates, nodes, services,
                shortOfTasks.isEmpty() ? List.of() : swarm.pendingTasks(shortOfTasks), checked.results(), requests,
                forecasts);
        Plan plan = planner.plan(observed, policies, memory, now);
        Set<String> draining = nodes.stream().filter(SwarmNode::draining).map(SwarmNode::id)
                .collect(Collectors.toSet());
        // Only a drain under way and a scale-down read every task: without them such a plan would drain, since no
        // task could fail to fit.
        if (!draining.isEmpty() || plan.actions().stream().anyMatch(a -> a instanceof Action.DrainNode)) {
            // A draining node's ended tasks tell which services it ran; elsewhere only live tasks matter.
            plan = planner.plan(new ObservedState(groupStates, nodes, services, swarm.tasks(draining),
                    checked.results(), requests, forecasts), policies, memory, now);
        }
        // Remembered without the placed tasks, which only planning reads: 100,000 of them would stay live until
        // the next pass has read its own, and be copied by the collector meanwhile.
        return new Pass(now, observed, policies, plan, prometheusDown);
    }

    /** The leader's part: store the memory, then act, each action fenced by the lease. */
    private void carryOut(Plan plan, ScalerMemory before) {
        if (dryRun) {
            plan.actions().forEach(action -> skip(action, before));
            // Nothing was done for the requests either: a repeat is decided afresh, not "already handled".
            memory = memory.withHandledRequestsOf(before);
            state.save(memory);
            return;
        }
        // Stored before acting: a replica that takes over after a crash mid-action still sees the cooldown.
        state.save(memory);
        failedRequests.clear();
        for (Action action : plan.actions()) {
            state.fence();
            apply(action, before);
        }
        state.save(memory);
    }

    private static Map<String, RequestOutcome> notLeadingOutcomes(Map<String, RequestOutcome> outcomes,
            String leader) {
        Map<String, RequestOutcome> refused = new HashMap<>();
        outcomes.forEach((id, o) -> refused.put(id, new RequestOutcome(false, "not done: this replica does not lead"
                + (leader.isEmpty() ? " and no replica holds the lease" : "; " + leader + " does"))));
        return refused;
    }

    public Optional<Pass> lastPass() {
        return lastPass;
    }

    /** The latest changes of decision, newest first. */
    public List<DecisionLog.Entry> recentDecisions() {
        return decisionLog.recent();
    }

    public ScalerMemory memory() {
        return memory;
    }

    private Map<NodeRole, NodeGroupState> observeGroups(List<SwarmNode> nodes) {
        Map<NodeRole, NodeGroupState> states = new EnumMap<>(NodeRole.class);
        for (NodeGroup group : groups.values()) {
            Map<String, SwarmNode> nodeOfInstance = new HashMap<>();
            for (SwarmNode node : nodes) {
                group.instanceIdOf(node).ifPresent(id -> nodeOfInstance.merge(id, node,
                        // a re-joined machine leaves its old node Down: the Ready one is the one that counts
                        (a, b) -> b.ready() ? b : a));
            }
            NodeGroup.Capacity capacity = group.capacity();
            List<Instance> instances = capacity.instances().stream()
                    .map(i -> {
                        SwarmNode node = nodeOfInstance.get(i.id());
                        return new Instance(i.id(), i.lifecycle(), node == null ? "" : node.id(),
                                node != null && node.ready(), node != null && WarmPool.isStandby(node));
                    })
                    .toList();
            states.put(group.role(), new NodeGroupState(group.role(), group.backend(), capacity.desired(),
                    capacity.min(), capacity.max(), instances, capacity.launchFailure(),
                    capacity.launchShape()));
        }
        return states;
    }

    /** Each distinct query once per pass: several policies may share an expression. */
    private Map<PolicyId, QueryResult> query(PolicySet policies, Optional<String> prometheusDown) {
        Map<String, QueryResult> byQuery = new HashMap<>();
        Map<PolicyId, QueryResult> results = new HashMap<>();
        for (Policy policy : policies.policies()) {
            results.put(policy.id(), prometheusDown.<QueryResult>map(QueryResult.NoData::new).orElseGet(
                    () -> byQuery.computeIfAbsent(policy.condition().query(), metrics::query)));
        }
        return results;
    }

    /** The prediction and the samples behind it, for each trend policy; none while Prometheus is down. */
    private Map<PolicyId, Trend.Forecast> forecast(PolicySet policies, Optional<String> prometheusDown) {
        Map<PolicyId, Trend.Forecast> forecasts = new HashMap<>();
        if (prometheusDown.isPresent()) {
            return forecasts;
        }
        for (Policy policy : policies.policies()) {
            policy.trend().ifPresent(trend -> {
                String expression = policy.condition().query();
                forecasts.put(policy.id(), new Trend.Forecast(metrics.query(trend.predictionQuery(expression)),
                        metrics.query(trend.samplesQuery(expression)), trend.samplesNeeded(),
                        metrics.query(trend.fitQuery(expression))));
            });
        }
        return forecasts;
    }

    /**
     * A breach this pass is the first to see may have begun a while ago: Prometheus' history tells since when, so
     * that {@code alertFor} counts from the breach and not from the pass that noticed it.
     */
    private Map<PolicyId, QueryResult> withHistory(PolicySet policies, Map<PolicyId, QueryResult> results) {
        Instant now = clock.instant();
        Map<PolicyId, QueryResult> withHistory = new HashMap<>(results);
        for (Policy policy : policies.policies()) {
            QueryResult result = results.get(policy.id());
            if (policy.holdFor().isZero() || memory.trueSince().containsKey(policy.id())
                    || !(policy.condition() instanceof Condition.Threshold threshold)
                    || !(result instanceof QueryResult.Samples samples)
                    || !Evaluation.of(threshold, result).holds()) {
                continue;
            }
            metrics.holdingSince(threshold, policy.holdFor(), now).ifPresent(since ->
                    withHistory.put(policy.id(), new QueryResult.Samples(samples.samples(), Optional.of(since))));
        }
        return withHistory;
    }

    private static Map<String, RequestOutcome> dryRunOutcomes(Map<String, RequestOutcome> outcomes) {
        Map<String, RequestOutcome> marked = new HashMap<>();
        outcomes.forEach((id, o) -> marked.put(id, new RequestOutcome(o.accepted(), "dry run, not done: " + o.message())));
        return marked;
    }

    /**
     * Dry run: says what {@link #apply} would do and does nothing. What was not done leaves no cooldown and nothing
     * to wait for, as when the backend refuses a scale-up, so the next pass decides afresh.
     */
    private void skip(Action action, ScalerMemory before) {
        if (action instanceof Action.Notify) {
            return; // the decision is logged already; nobody is paged for a dry run
        }
        if (action instanceof Action.ScaleGroup scale) {
            listener.scaleAction(scale.role().word(), scale.to() > scale.from() ? "up" : "down", "dry_run");
        }
        groupOf(action).ifPresent(role -> memory = memory.withActionsUndone(role, before));
        LOG.info("Dry run, not done: " + describe(action));
    }

    /** The node group an action changes, if it changes one. */
    private static Optional<NodeRole> groupOf(Action action) {
        if (action instanceof Action.ScaleGroup scale) {
            return Optional.of(scale.role());
        } else if (action instanceof Action.DrainNode drain) {
            return Optional.of(drain.node().role());
        } else if (action instanceof Action.RemoveNode remove) {
            return Optional.of(remove.group());
        } else if (action instanceof Action.TerminateInstances terminate) {
            return Optional.of(terminate.role());
        } else if (action instanceof Action.UndrainNode undrain) {
            return Optional.of(undrain.node().role());
        } else if (action instanceof Action.StandbyStep standby) {
            return Optional.of(standby.node().role());
        }
        return Optional.empty();
    }

    private String describe(Action action) {
        if (action instanceof Action.ScaleGroup scale) {
            return "change the number of %s nodes on %s from %d to %d (%s)".formatted(scale.role().word(),
                    groups.get(scale.role()).backend(), scale.from(), scale.to(), scale.reason());
        } else if (action instanceof Action.Reschedule reschedule) {
            return "reschedule services %s (%s)".formatted(String.join(", ",
                    reschedule.services().stream().map(ServiceInfo::name).toList()), reschedule.reason());
        } else if (action instanceof Action.ScaleService scale) {
            return scale.scaling().message();
        } else if (action instanceof Action.DrainNode drain) {
            return "drain node %s (%s)".formatted(drain.node().hostname(), drain.reason());
        } else if (action instanceof Action.RemoveNode remove) {
            return "remove node %s and terminate its instance %s (%s)".formatted(remove.node().hostname(),
                    remove.instanceId(), remove.reason());
        } else if (action instanceof Action.TerminateInstances terminate) {
            return "terminate instances %s (%s)".formatted(terminate.instanceIds(), terminate.reason());
        } else if (action instanceof Action.UndrainNode undrain) {
            return "put node %s back to active (%s)".formatted(undrain.node().hostname(), undrain.reason());
        } else if (action instanceof Action.StandbyStep standby) {
            return "%s node %s (%s)".formatted(standby.step().words, standby.node().hostname(), standby.reason());
        }
        return action.toString();
    }

    private void apply(Action action, ScalerMemory before) {
        if (action instanceof Action.ScaleGroup scale) {
            scaleGroup(scale, before);
        } else if (action instanceof Action.Reschedule reschedule) {
            reschedule(reschedule);
        } else if (action instanceof Action.ScaleService scale) {
            scaleService(scale);
        } else if (action instanceof Action.DrainNode drain) {
            drain(drain, before);
        } else if (action instanceof Action.RemoveNode remove) {
            step("remove", remove.group(), "Removed node %s%s".formatted(remove.node().hostname(),
                    remove.instanceId().isEmpty() ? "" : " and terminated its instance " + remove.instanceId()),
                    remove.reason(), () -> {
                        NodeGroup group = groups.get(remove.group());
                        if (group != null && !remove.instanceId().isEmpty()) {
                            group.terminate(remove.instanceId());
                        }
                        swarm.removeNode(remove.node().id());
                    });
        } else if (action instanceof Action.TerminateInstances terminate) {
            NodeGroup group = groups.get(terminate.role());
            for (String instanceId : terminate.instanceIds()) {
                step("terminate", terminate.role(), "Terminated instance %s, which %s".formatted(instanceId,
                        terminate.reason()), terminate.reason(), () -> group.terminate(instanceId));
            }
        } else if (action instanceof Action.UndrainNode undrain) {
            step("undrain", undrain.node().role(), "Put node %s back to active".formatted(undrain.node().hostname()),
                    undrain.reason(), () -> swarm.undrain(undrain.node().id(), Planner.DRAINING_LABEL));
        } else if (action instanceof Action.Notify notify) {
            notifier.send(notify.notification());
        } else if (action instanceof Action.StandbyStep standby) {
            standbyStep(standby);
        }
    }

    /** A warm pool's change of a node: its availability and our label (a drain mark gone) in one node update. */
    private void standbyStep(Action.StandbyStep standby) {
        WarmPool.Step step = standby.step();
        SwarmNode node = standby.node();
        String done = "%s%s node %s".formatted(step.words.substring(0, 1).toUpperCase(Locale.ROOT),
                step.words.substring(1), node.hostname());
        Map<String, String> set = step.label.map(value -> Map.of(WarmPool.LABEL, value)).orElse(Map.of());
        Set<String> removed = step.label.isPresent() ? Set.of(Planner.DRAINING_LABEL) : Set.of(WarmPool.LABEL);
        step(step.name().toLowerCase(Locale.ROOT), node.role(), done, standby.reason(),
                () -> swarm.changeNode(node.id(), step.availability, set, removed));
    }

    private void drain(Action.DrainNode drain, ScalerMemory before) {
        boolean drained = step("drain", drain.node().role(), "Draining node " + drain.node().hostname(),
                drain.reason(), () -> swarm.drain(drain.node().id(), Planner.DRAINING_LABEL,
                        clock.instant().toString()));
        if (!drained) {
            // Nothing drains, so no cooldown follows: the next pass may choose again.
            memory = memory.withActionsUndone(drain.node().role(), before);
        }
    }

    /** The old tool's replica scaling: a Swarm update, logged and notified in its words. */
    private void scaleService(Action.ScaleService scale) {
        String service = scale.service().name();
        try {
            swarm.scaleService(scale.service().id(), scale.scaling().to());
        } catch (RuntimeException e) {
            String failed = "Could not scale %s: %s".formatted(service, e.getMessage());
            LOG.warning(failed);
            failedRequests.put(scale.requestId(), new RequestOutcome(false, failed));
            notifier.send(new Notification(Planner.SCALE_SERVICE_ALERT, service, Notification.Status.ERROR, failed,
                    scale.request()));
            return;
        }
        LOG.info("%s: %s".formatted(scale.request(), scale.scaling().message()));
        notifier.send(new Notification(Planner.SCALE_SERVICE_ALERT, service, Notification.Status.SUCCESS,
                scale.scaling().message(), scale.request()));
    }

    /**
     * Carries out one step of a scale-down or clean-up of {@code group}; logs, counts and notifies its result either
     * way, under the group's name as the scale-up does, so that alerts of one group are routed together. A failed
     * step is retried next pass.
     *
     * @return whether the step was carried out
     */
    private boolean step(String name, NodeRole group, String done, String reason, Runnable body) {
        try {
            body.run();
            listener.drainStep(name, "success");
            LOG.info(done + " (" + reason + ")");
            notifier.send(new Notification(Planner.SCALE_NODES_ALERT, group.word(), Notification.Status.SUCCESS,
                    done, reason));
            return true;
        } catch (RuntimeException e) {
            listener.drainStep(name, "error");
            String failed = "Failed: %s: %s".formatted(done.toLowerCase(Locale.ROOT), e.getMessage());
            LOG.warning(failed);
            notifier.send(new Notification(Planner.SCALE_NODES_ALERT, group.word(), Notification.Status.ERROR,
                    failed, reason));
            return false;
        }
    }

    private void scaleGroup(Action.ScaleGroup scale, ScalerMemory before) {
        NodeGroup group = groups.get(scale.role());
        String change = "Changing the number of %s nodes on %s from %d to %d"
                .formatted(scale.role().word(), group.backend(), scale.from(), scale.to());
        String direction = scale.to() > scale.from() ? "up" : "down";
        try {
            group.setDesiredCapacity(scale.to());
            listener.scaleAction(scale.role().word(), direction, "success");
            LOG.info(change + " (" + scale.reason() + ")");
            notifier.send(new Notification(Planner.SCALE_NODES_ALERT, scale.role().word(),
                    Notification.Status.SUCCESS, change, scale.reason()));
        } catch (RuntimeException e) {
            memory = memory.withActionsUndone(scale.role(), before);
            listener.scaleAction(scale.role().word(), direction, "error");
            String failed = "Failed %s: %s".formatted(change.toLowerCase(Locale.ROOT), e.getMessage());
            LOG.warning(failed);
            notifier.send(new Notification(Planner.SCALE_NODES_ALERT, scale.role().word(),
                    Notification.Status.ERROR, failed, scale.reason()));
        }
    }

    private void reschedule(Action.Reschedule reschedule) {
        List<String> done = new ArrayList<>();
        for (ServiceInfo service : reschedule.services()) {
            try {
                swarm.forceUpdate(service.id());
                done.add(service.name());
            } catch (RuntimeException e) {
                listener.reschedule("error", 1);
                String failed = "Failed to reschedule service %s: %s".formatted(service.name(), e.getMessage());
                LOG.warning(failed);
                notifier.send(new Notification(Planner.RESCHEDULE_ALERT, service.name(), Notification.Status.ERROR,
                        failed, reschedule.reason()));
            }
        }
        if (!done.isEmpty()) {
            listener.reschedule("success", done.size());
            String text = "Rescheduled services " + String.join(", ", done) + " (" + reschedule.reason() + ")";
            LOG.info(text);
            notifier.send(new Notification(Planner.RESCHEDULE_ALERT, String.join(",", done),
                    Notification.Status.SUCCESS, text, reschedule.reason()));
        }
    }
}
