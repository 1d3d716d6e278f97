package io.swarmscaler.model;

import java.util.List;

/** The planner's answer for one cycle: what to change, why (or why not), and what to remember. */
public record Plan(List<Action> actions, List<Decision> decisions, ScalerMemory memory) {
    public Plan {
        actions = List.copyOf(actions);
        decisions = List.copyOf(decisions);
    }
}
