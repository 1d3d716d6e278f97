package io.swarmscaler.model;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A scaling policy read from service labels.
 *
 * @param alertName the {@code com.df.alertName.N} value, or the shortcut name
 * @param alertIf the label value as written, for messages
 * @param kind what the condition measures: only memory-ratio policies feed the scale-down memory prediction
 * @param holdFor how long the condition must hold before acting ({@code com.df.alertFor.N})
 * @param role the node group the policy acts on
 * @param summary what the operator is told when it fires, e.g. "Total memory of the nodes is over 0.8"
 * @param trend {@code com.df.scaler.predict.N}: the policy also acts on its predicted value
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
        String summary,
        Optional<Trend> trend) {
    public Policy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(holdFor, "holdFor");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(bounds, "bounds");
        alertLabels = Map.copyOf(alertLabels);
        Objects.requireNonNull(trend, "trend");
    }

    /** A policy that acts on its value only. */
    public Policy(PolicyId id, String alertName, String alertIf, Condition condition, Kind kind, Duration holdFor,
            ScaleDirection direction, NodeRole role, GroupBounds bounds, Map<String, String> alertLabels,
            String summary) {
        this(id, alertName, alertIf, condition, kind, holdFor, direction, role, bounds, alertLabels, summary,
                Optional.empty());
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
