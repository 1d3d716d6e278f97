package io.swarmscaler.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The planner's answer for one cycle: what to change, why (or why not), what became of each scale request, what
 * to remember, and when the next pass is due at the latest because a timer of a rule ends then (a condition's
 * {@code alertFor}, a cooldown, a backoff, a drain or provision timeout), as controller-runtime's
 * {@code RequeueAfter}.
 *
 * @param capacity what the pass saw of capacity wanted beyond the policies, for the status and the metrics
 */
public record Plan(List<Action> actions, List<Decision> decisions, Map<String, RequestOutcome> outcomes,
        ScalerMemory memory, Optional<Instant> wakeAt, CapacityReport capacity) {
    public Plan {
        actions = List.copyOf(actions);
        decisions = List.copyOf(decisions);
        outcomes = Map.copyOf(outcomes);
    }

    /**
     * @param pendingTasks the pending tasks seen, by cause: {@code for_lack_of_nodes} (counted for new nodes),
     *     {@code within_delay}, or why new nodes would not cure them ({@code too_big_for_new_node}, ...)
     * @param nodesEstimated the new nodes each group's pending tasks need
     * @param pools each group's warm pool of standby nodes
     */
    public record CapacityReport(Map<String, Integer> pendingTasks, Map<NodeRole, Integer> nodesEstimated,
            Map<NodeRole, WarmPool.Status> pools) {
        public CapacityReport {
            pendingTasks = Map.copyOf(pendingTasks);
            nodesEstimated = Map.copyOf(nodesEstimated);
            pools = Map.copyOf(pools);
        }
    }
}
