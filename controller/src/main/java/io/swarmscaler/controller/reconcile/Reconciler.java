package io.swarmscaler.controller.reconcile;

import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.Action;
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
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * One level-triggered pass: observe the Swarm, the node groups and Prometheus; let the {@link Planner} decide;
 * carry out its actions. Safe to run at any time and as often as wanted: it acts on what it sees, not on what
 * triggered it.
 */
public final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    /** What the last pass saw and decided, for the status. */
    public record Pass(Instant at, ObservedState observed, PolicySet policies, Plan plan) {}

    private final Swarm swarm;
    private final Metrics metrics;
    private final Map<NodeRole, NodeGroup> groups;
    private final Notifier notifier;
    private final PolicyParser parser;
    private final Planner planner;
    private final Clock clock;
    private final ScaleRequestInbox inbox;
    private final ScalerMetrics stats;
    private final boolean dryRun;
    private final ScalerState state;
    private final DecisionLog decisionLog = new DecisionLog();
    /** Immutable, replaced whole: the status reads it without waiting for a pass to end. */
    private volatile ScalerMemory memory = ScalerMemory.empty();
    private volatile Optional<Pass> lastPass = Optional.empty();

    /** A reconciler that always leads and remembers in the process only, as a lone replica in a unit test. */
    public Reconciler(Swarm swarm, Metrics metrics, List<NodeGroup> groups, Notifier notifier, PolicyParser parser,
            Planner planner, Clock clock, ScaleRequestInbox inbox, ScalerMetrics stats, boolean dryRun) {
        this(swarm, metrics, groups, notifier, parser, planner, clock, inbox, stats, dryRun, ScalerState.alone());
    }

    /** @param state where the memory is kept and whether this replica may act */
    public Reconciler(Swarm swarm, Metrics metrics, List<NodeGroup> groups, Notifier notifier, PolicyParser parser,
            Planner planner, Clock clock, ScaleRequestInbox inbox, ScalerMetrics stats, boolean dryRun,
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
        this.stats = stats;
        this.dryRun = dryRun;
    }

    /** Runs one pass. Throws when the Swarm or a node group cannot be read; the loop retries with backoff. */
    public synchronized Plan reconcile() {
        ScalerState.Term term = state.current();
        memory = term.memory();
        List<ScaleRequest> requests = inbox.take();
        Pass pass;
        try {
            List<ServiceInfo> services = swarm.services();
            List<SwarmNode> nodes = swarm.nodes();
            var tasks = swarm.tasks();
            PolicySet policies = parser.parse(services);
            ObservedState observed = new ObservedState(observeGroups(nodes), nodes, services, tasks,
                    query(policies), requests);
            Instant now = clock.instant();
            pass = new Pass(now, observed, policies, planner.plan(observed, policies, memory, now));
        } catch (RuntimeException e) {
            inbox.requeue(requests);
            throw e;
        }
        Plan plan = pass.plan();
        decisionLog.record(plan.decisions(), pass.at());
        ScalerMemory before = memory;
        memory = plan.memory();
        lastPass = Optional.of(pass);
        if (!term.leading()) {
            inbox.complete(notLeadingOutcomes(plan.outcomes(), term.leader()), requests);
            return plan;
        }
        try {
            // Stored before acting: a replica that takes over after a crash mid-action still sees the cooldown.
            state.save(memory);
            for (Action action : plan.actions()) {
                if (dryRun) {
                    skip(action, before);
                } else {
                    state.fence();
                    apply(action, before);
                }
            }
            state.save(memory);
        } catch (ScalerState.NotLeadingException e) {
            LOG.warning("Stopped acting on this pass's plan: " + e.getMessage());
            inbox.complete(notLeadingOutcomes(plan.outcomes(), state.current().leader()), requests);
            return plan;
        }
        inbox.complete(dryRun ? dryRunOutcomes(plan.outcomes()) : plan.outcomes(), requests);
        return plan;
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
                                node != null && node.ready());
                    })
                    .toList();
            states.put(group.role(), new NodeGroupState(group.role(), group.backend(), capacity.desired(),
                    capacity.min(), capacity.max(), instances, capacity.launchFailure()));
        }
        return states;
    }

    /** Each distinct query once per pass: several policies may share an expression. */
    private Map<PolicyId, QueryResult> query(PolicySet policies) {
        Map<String, QueryResult> byQuery = new HashMap<>();
        Map<PolicyId, QueryResult> results = new HashMap<>();
        for (Policy policy : policies.policies()) {
            results.put(policy.id(), byQuery.computeIfAbsent(policy.condition().query(), metrics::query));
        }
        return results;
    }

    private static Map<String, RequestOutcome> dryRunOutcomes(Map<String, RequestOutcome> outcomes) {
        Map<String, RequestOutcome> marked = new HashMap<>();
        outcomes.forEach((id, o) -> marked.put(id, new RequestOutcome(o.accepted(), "dry run, not done: " + o.message())));
        return marked;
    }

    /**
     * Dry run: says what {@link #apply} would do and does nothing. A scale-up that did not happen leaves nothing to
     * wait for, as when the backend refuses one, so the next pass decides afresh.
     */
    private void skip(Action action, ScalerMemory before) {
        if (action instanceof Action.Notify) {
            return; // the decision is logged already; nobody is paged for a dry run
        }
        if (action instanceof Action.ScaleGroup scale) {
            memory = memory.withScaleUpUndone(scale.role(), before);
            stats.scaleAction(scale.role().word(), scale.to() > scale.from() ? "up" : "down", "dry_run");
        }
        LOG.info("Dry run, not done: " + describe(action));
    }

    private String describe(Action action) {
        if (action instanceof Action.ScaleGroup scale) {
            return "change the number of %s nodes on %s from %d to %d (%s)".formatted(scale.role().word(),
                    groups.get(scale.role()).backend(), scale.from(), scale.to(), scale.reason());
        } else if (action instanceof Action.Reschedule reschedule) {
            return "reschedule services %s (%s)".formatted(String.join(", ",
                    reschedule.services().stream().map(ServiceInfo::name).toList()), reschedule.reason());
        } else if (action instanceof Action.DrainNode drain) {
            return "drain node %s (%s)".formatted(drain.node().hostname(), drain.reason());
        } else if (action instanceof Action.RemoveNode remove) {
            return "remove node %s and terminate its instance %s (%s)".formatted(remove.node().hostname(),
                    remove.instanceId(), remove.reason());
        } else if (action instanceof Action.TerminateInstances terminate) {
            return "terminate instances %s (%s)".formatted(terminate.instanceIds(), terminate.reason());
        } else if (action instanceof Action.UndrainNode undrain) {
            return "put node %s back to active (%s)".formatted(undrain.node().hostname(), undrain.reason());
        }
        return action.toString();
    }

    private void apply(Action action, ScalerMemory before) {
        if (action instanceof Action.ScaleGroup scale) {
            scaleGroup(scale, before);
        } else if (action instanceof Action.Reschedule reschedule) {
            reschedule(reschedule);
        } else if (action instanceof Action.DrainNode drain) {
            step("drain", "Draining node " + drain.node().hostname(), drain.reason(),
                    () -> swarm.drain(drain.node().id(), Planner.DRAINING_LABEL, clock.instant().toString()));
        } else if (action instanceof Action.RemoveNode remove) {
            step("remove", "Removed node %s%s".formatted(remove.node().hostname(),
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
                step("terminate", "Terminated instance %s, which %s".formatted(instanceId,
                        terminate.reason()), terminate.reason(), () -> group.terminate(instanceId));
            }
        } else if (action instanceof Action.UndrainNode undrain) {
            step("undrain", "Put node %s back to active".formatted(undrain.node().hostname()),
                    undrain.reason(), () -> swarm.undrain(undrain.node().id(), Planner.DRAINING_LABEL));
        } else if (action instanceof Action.Notify notify) {
            notifier.send(notify.notification());
        }
    }

    /**
     * Carries out one step of a scale-down or clean-up; logs, counts and notifies its result either way. A failed
     * step is retried next pass.
     */
    private void step(String name, String done, String reason, Runnable body) {
        try {
            body.run();
            stats.drainStep(name, "success");
            LOG.info(done + " (" + reason + ")");
            notifier.send(new Notification(Planner.SCALE_NODES_ALERT, "scaler", Notification.Status.SUCCESS, done,
                    reason));
        } catch (RuntimeException e) {
            stats.drainStep(name, "error");
            String failed = "Failed: %s: %s".formatted(done.toLowerCase(Locale.ROOT), e.getMessage());
            LOG.warning(failed);
            notifier.send(new Notification(Planner.SCALE_NODES_ALERT, "scaler", Notification.Status.ERROR, failed,
                    reason));
        }
    }

    private void scaleGroup(Action.ScaleGroup scale, ScalerMemory before) {
        NodeGroup group = groups.get(scale.role());
        String change = "Changing the number of %s nodes on %s from %d to %d"
                .formatted(scale.role().word(), group.backend(), scale.from(), scale.to());
        String direction = scale.to() > scale.from() ? "up" : "down";
        try {
            group.setDesiredCapacity(scale.to());
            stats.scaleAction(scale.role().word(), direction, "success");
            LOG.info(change + " (" + scale.reason() + ")");
            notifier.send(new Notification(Planner.SCALE_NODES_ALERT, scale.role().word(),
                    Notification.Status.SUCCESS, change, scale.reason()));
        } catch (RuntimeException e) {
            memory = memory.withScaleUpUndone(scale.role(), before);
            stats.scaleAction(scale.role().word(), direction, "error");
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
                stats.reschedule("error", 1);
                String failed = "Failed to reschedule service %s: %s".formatted(service.name(), e.getMessage());
                LOG.warning(failed);
                notifier.send(new Notification(Planner.RESCHEDULE_ALERT, service.name(), Notification.Status.ERROR,
                        failed, reschedule.reason()));
            }
        }
        if (!done.isEmpty()) {
            stats.reschedule("success", done.size());
            String text = "Rescheduled services " + String.join(", ", done) + " (" + reschedule.reason() + ")";
            LOG.info(text);
            notifier.send(new Notification(Planner.RESCHEDULE_ALERT, String.join(",", done),
                    Notification.Status.SUCCESS, text, reschedule.reason()));
        }
    }
}
