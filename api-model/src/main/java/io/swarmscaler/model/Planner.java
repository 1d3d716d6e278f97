package io.swarmscaler.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what to do: a pure function of what was observed, the policies, what was remembered and the time. Each
 * rule lives in one class, and every rule reads and records through one {@link PassState}:
 * <ul>
 *   <li>{@link GroupGate}: cooldowns, backoff, one change per pass, nodes still joining, a drain under way;
 *   <li>{@link PolicyEvaluator} and {@link Evaluation}: {@code alertFor}, no data, thresholds;
 *   <li>{@link RequestIntake}: scale requests, their repeats and twins; {@link ServiceScaling}: replicas;
 *   <li>{@link PendingTaskRule} and {@link BinPackingEstimator}: the nodes pending tasks need;
 *   <li>{@link ScaleUpRule}: step and maximum;
 *   <li>{@link ScaleDownRule}: step, minimum, the last node; {@link VictimChoice}, {@link FitCheck},
 *       {@link MemoryPrediction} and {@link ManagerQuorum} choose which nodes may go;
 *   <li>{@link ScaleUpFollowUp}: new nodes Ready (reschedule), failed or late (backoff, terminate);
 *   <li>{@link DrainTracker}: drains finished (remove, or back to the warm pool) or overdue (undo);
 *   <li>{@link WarmPool}: standby nodes activated by scale-ups, taken back by scale-downs, refilled and trimmed.
 * </ul>
 * No data is never a reason to act. Adding capacity wins over removing it when both are asked for in one pass.
 */
public final class Planner {
    /** Node label of ours: never remove this node. */
    public static final String PROTECT_LABEL = "com.df.scaler.protect";
    /** Node label of ours: the scaler is draining this node since the time in its value. */
    public static final String DRAINING_LABEL = "com.df.scaler.draining";
    public static final String SCALE_NODES_ALERT = "scale_nodes";
    public static final String RESCHEDULE_ALERT = "reschedule_service";
    /** The alert name the seed's Alertmanager route sends to Slack for replica scaling. */
    public static final String SCALE_SERVICE_ALERT = "scale_service";

    /**
     * @param scaleUpCooldown no second scale-up of a group within this time of the last
     * @param provisionTimeout how long new nodes may take to be Ready before we give up on them
     * @param rescheduleLabel services with this label set to {@code true} are rescheduled onto new nodes
     * @param scaleDownCooldown no scale-down within this time of a scale-up or of another scale-down
     * @param drainTimeout a drain not finished in this time is undone
     * @param scaleDownMargin the predicted memory ratio after a removal must stay this far below every memory
     *     scale-up threshold
     * @param firstBackoff how long a failing group is left alone, doubling up to {@code maxBackoff}
     * @param pendingTaskDelay a task pending this long (and no node joined meanwhile) asks for nodes
     * @param defaultBounds each group's bounds where no policy sets them, for the pending tasks' scale-ups
     * @param replicaDefaults a service's replica bounds where its labels set none, for scale-service requests
     * @param warm the warm pools' defaults
     */
    public record Settings(Duration scaleUpCooldown, Duration provisionTimeout, String rescheduleLabel,
            Duration scaleDownCooldown, Duration drainTimeout, double scaleDownMargin, Duration firstBackoff,
            Duration maxBackoff, Duration pendingTaskDelay, Map<NodeRole, GroupBounds> defaultBounds,
            ServiceScaling.Defaults replicaDefaults, WarmPool.Settings warm) {
        public Settings {
            defaultBounds = Map.copyOf(defaultBounds);
        }

        /** Without warm pools unless a service asks for one. */
        public Settings(Duration scaleUpCooldown, Duration provisionTimeout, String rescheduleLabel,
                Duration scaleDownCooldown, Duration drainTimeout, double scaleDownMargin, Duration firstBackoff,
                Duration maxBackoff, Duration pendingTaskDelay, Map<NodeRole, GroupBounds> defaultBounds,
                ServiceScaling.Defaults replicaDefaults) {
            this(scaleUpCooldown, provisionTimeout, rescheduleLabel, scaleDownCooldown, drainTimeout,
                    scaleDownMargin, firstBackoff, maxBackoff, pendingTaskDelay, defaultBounds, replicaDefaults,
                    WarmPool.Settings.off());
        }

        /** Cluster Autoscaler's defaults where it has one. */
        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(3), Duration.ofMinutes(15), "com.df.reschedule",
                    Duration.ofMinutes(10), Duration.ofMinutes(10), 0.05, Duration.ofMinutes(5),
                    Duration.ofMinutes(30), Duration.ofSeconds(10), Map.of(NodeRole.WORKER,
                            GroupBounds.defaultsFor(NodeRole.WORKER), NodeRole.MANAGER,
                            GroupBounds.defaultsFor(NodeRole.MANAGER)), new ServiceScaling.Defaults(1, 5));
        }

        GroupBounds defaultBounds(NodeRole role) {
            return defaultBounds.getOrDefault(role, GroupBounds.defaultsFor(role));
        }
    }

    private final Settings settings;

    public Planner(Settings settings) {
        this.settings = settings;
    }

    public Plan plan(ObservedState observed, PolicySet policies, ScalerMemory memory, Instant now) {
        PassState pass = new PassState(observed, memory, now, settings);
        GroupGate gate = new GroupGate(pass);
        RequestIntake requests = new RequestIntake(pass);
        WarmPool pool = new WarmPool(pass, policies);
        new DrainTracker(pass, gate, pool).follow();
        new ScaleUpFollowUp(pass, gate, pool).follow();
        PendingTaskRule pendingTasks = new PendingTaskRule(pass, policies);
        // First: their want is sized to what the tasks need, and a group changes once per pass.
        List<Want> wants = pendingTasks.wants();
        wants.addAll(wants(pass, policies, requests));
        Map<ScaleDirection, GroupRule> rules = Map.of(
                ScaleDirection.UP, new ScaleUpRule(pass, requests, pool),
                ScaleDirection.DOWN, new ScaleDownRule(pass, requests,
                        new VictimChoice(pass, new MemoryPrediction(pass, policies))));
        for (NodeRole role : NodeRole.values()) {
            for (ScaleDirection direction : List.of(ScaleDirection.UP, ScaleDirection.DOWN)) {
                for (Want want : wants) {
                    // The gate first, want by want: an earlier want may have changed the group this pass.
                    if (want.role() == role && want.direction() == direction
                            && !requests.refusedIf(want, gate.whyNot(direction, role))) {
                        rules.get(direction).apply(want, pass.group(role));
                    }
                }
            }
        }
        pool.follow();
        forgetRemovedPolicies(pass, policies, pendingTasks.announcing());
        return pass.plan();
    }

    /** What the policies that held long enough, then the scale requests, ask for this pass. */
    private static List<Want> wants(PassState pass, PolicySet policies, RequestIntake requests) {
        List<Want> wants = new ArrayList<>();
        PolicyEvaluator evaluator = new PolicyEvaluator(pass);
        for (Policy policy : policies.policies()) {
            evaluator.evaluate(policy).ifPresent(wants::add);
        }
        for (ScaleRequest request : pass.observed.requests()) {
            requests.take(request).ifPresent(wants::add);
        }
        return wants;
    }

    /**
     * A policy whose labels were removed is forgotten, so a re-added one starts its {@code for} afresh; so are
     * unplaceable tasks no longer pending, so that new ones are announced again.
     */
    private static void forgetRemovedPolicies(PassState pass, PolicySet policies, Set<PolicyId> stillAnnouncing) {
        Set<PolicyId> known = new HashSet<>(stillAnnouncing);
        policies.policies().forEach(p -> known.add(p.id()));
        pass.trueSince.keySet().retainAll(known);
        pass.announced.retainAll(known);
    }
}
