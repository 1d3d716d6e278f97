package io.swarmscaler.model;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A scaling policy read from service labels.
 *
 * @param alertName the {@code com.df.alertName.N} value, or the shortcut name
 * @param alertIf the label value as written, for messages
 * @param kind what the condition measures: only memory-ratio policies feed the scale-down memory prediction
 * @param holdFor how long the condition must hold before acting ({@code com.df.alertFor.N})
 * @param role the node group the policy acts on
 * @param summary what the operator is told when it fires, e.g. "Total memory of the nodes is over 0.8"
 */
public record Policy(
        PolicyId id,
        String alertName,
        String alertIf,
        Condition condition,
        Kind kind,
        Duration holdFor,
        ScaleDirection direction,
        NodeRole role,
        GroupBounds bounds,
        Map<String, String> alertLabels,
        String summary) {
    public Policy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(holdFor, "holdFor");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(bounds, "bounds");
        alertLabels = Map.copyOf(alertLabels);
    }

    /** What a policy's condition measures, known from how it was written rather than guessed from its text. */
    public enum Kind {
        /** {@code @node_mem_limit_total_above/below:V}: the used-memory ratio of the whole group. */
        GROUP_MEMORY,
        /** {@code @node_mem_limit:V}: the used-memory ratio of each node. */
        NODE_MEMORY,
        /** Any PromQL expression: its value means nothing to the memory prediction. */
        PROMQL
    }
}
