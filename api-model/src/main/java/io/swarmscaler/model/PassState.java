package io.swarmscaler.model;

import io.swarmscaler.model.ScalerMemory.Backoff;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one registry a planning pass shares between its rules, as Cluster Autoscaler's orchestrators share one
 * cluster-state registry: what was observed and remembered, and what the rules decided so far. Each rule reads and
 * records here; none keeps state of its own.
 */
final class PassState {
    final ObservedState observed;
    final Instant now;
    final Planner.Settings settings;
    final Map<PolicyId, Instant> trueSince;
    final Map<NodeRole, Instant> lastScaleUp;
    final Map<NodeRole, Instant> lastScaleDown;
    final Map<NodeRole, PendingScaleUp> pending;
    final Set<PolicyId> announced;
    final Map<NodeRole, Backoff> backoff;
    final Map<String, Instant> handledRequests;
    /** Groups that already changed in this pass: one change per group and pass. */
    final Set<NodeRole> changed = EnumSet.noneOf(NodeRole.class);
    /** Each group's used-memory ratio this pass, read by its group-memory policies. */
    final Map<NodeRole, Double> groupRatios = new HashMap<>();
    /** Pending tasks seen this pass, by cause ({@link PendingTaskRule#COUNTED}, ...), for the metrics. */
    final Map<String, Integer> pendingTasks = new TreeMap<>();
    /** The new nodes each group's pending tasks need, as estimated this pass. */
    final Map<NodeRole, Integer> nodesEstimated = new EnumMap<>(NodeRole.class);
    /** Standby nodes each group's pool gained (or lost, negative) this pass, for {@link WarmPool}. */
    final Map<NodeRole, Integer> poolChanges = new EnumMap<>(NodeRole.class);
    /** Each group's warm pool as this pass leaves it, for the status. */
    final Map<NodeRole, WarmPool.Status> pools = new EnumMap<>(NodeRole.class);
    private final List<Action> actions = new ArrayList<>();
    private final List<Decision> decisions = new ArrayList<>();
    private final Map<String, RequestOutcome> outcomes = new LinkedHashMap<>();
    private Instant wakeAt;

    PassState(ObservedState observed, ScalerMemory memory, Instant now, Planner.Settings settings) {
        this.observed = observed;
        this.now = now;
        this.settings = settings;
        this.trueSince = new HashMap<>(memory.trueSince());
        this.lastScaleUp = new HashMap<>(memory.lastScaleUp());
        this.lastScaleDown = new HashMap<>(memory.lastScaleDown());
        this.pending = new HashMap<>(memory.pending());
        this.announced = new HashSet<>(memory.announced());
        this.backoff = new HashMap<>(memory.backoff());
        this.handledRequests = new HashMap<>(memory.handledRequests());
    }

    NodeGroupState group(NodeRole role) {
        return observed.groups().get(role);
    }

    void act(Action action) {
        actions.add(action);
    }

    void decide(String subject, Reason reason) {
        decisions.add(new Decision(subject, reason));
    }

    void notify(Notification notification) {
        actions.add(new Action.Notify(notification));
    }

    void outcome(ScaleRequest request, boolean accepted, Reason reason) {
        outcomes.put(request.id(), new RequestOutcome(accepted, reason.message()));
    }

    /** The decision, and a notification only the first time in the policy's current firing episode. */
    void notifyOnce(PolicyId id, String subject, Reason reason, Notification notification) {
        decide(subject, reason);
        if (announced.add(id)) {
            notify(notification);
        }
    }

    /** A rule's timer ends at {@code deadline}: the next pass should come no later. */
    void wakeAt(Instant deadline) {
        if (deadline.isAfter(now) && (wakeAt == null || deadline.isBefore(wakeAt))) {
            wakeAt = deadline;
        }
    }

    Plan plan() {
        return new Plan(actions, decisions, outcomes, new ScalerMemory(trueSince, lastScaleUp, lastScaleDown,
                pending, announced, backoff, handledRequests), Optional.ofNullable(wakeAt),
                new Plan.CapacityReport(pendingTasks, nodesEstimated, pools));
    }
}
