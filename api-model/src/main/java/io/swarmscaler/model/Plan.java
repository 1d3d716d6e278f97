package io.swarmscaler.model;

import java.util.List;
import java.util.Map;

/**
 * The planner's answer for one cycle: what to change, why (or why not), what became of each scale request, and
 * what to remember.
 */
public record Plan(List<Action> actions, List<Decision> decisions, Map<String, RequestOutcome> outcomes,
        ScalerMemory memory) {
    public Plan {
        actions = List.copyOf(actions);
        decisions = List.copyOf(decisions);
        outcomes = Map.copyOf(outcomes);
    }
}
