package io.swarmscaler.model;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The group's used-memory ratio after a removal must stay below its lowest memory scale-up threshold by a margin,
 * or the removal would be undone by the next scale-up. Nodes of a group are one machine type, so the used memory
 * spreads over the nodes that stay. Only memory policies count: another PromQL threshold says nothing of memory.
 */
final class MemoryPrediction {
    private final PassState pass;
    private final Map<NodeRole, Double> lowestUpThreshold = new EnumMap<>(NodeRole.class);

    MemoryPrediction(PassState pass, PolicySet policies) {
        this.pass = pass;
        for (Policy policy : policies.policies()) {
            if (policy.direction() == ScaleDirection.UP && policy.kind() != Policy.Kind.PROMQL
                    && policy.condition() instanceof Condition.Threshold t) {
                lowestUpThreshold.merge(policy.role(), t.threshold(), Math::min);
            }
        }
    }

    /** Why removing {@code count} nodes of the group would push its memory too high. */
    Optional<Refusal> whyNot(NodeGroupState group, int count) {
        Double ratio = pass.groupRatios.get(group.role());
        Double threshold = lowestUpThreshold.get(group.role());
        int n = group.readyCount();
        if (ratio == null || threshold == null || n <= count) {
            return Optional.empty();
        }
        double predicted = ratio * n / (n - count);
        double margin = pass.settings.scaleDownMargin();
        return predicted < threshold - margin ? Optional.empty()
                : Optional.of(new Refusal.MemoryPrediction(ratio, predicted, threshold, margin));
    }
}
