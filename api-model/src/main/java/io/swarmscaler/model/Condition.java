package io.swarmscaler.model;

import java.util.Objects;

/**
 * When a policy holds, as a Prometheus query plus how to read its answer.
 *
 * <p>We query the value and compare it ourselves where we can, so that "no samples" means
 * "no data" (never an action) rather than "condition false".
 */
public sealed interface Condition {

    /** The PromQL sent to Prometheus. */
    String query();

    /** Holds when any returned sample compares true against the threshold; no samples is no data. */
    record Threshold(String query, Comparison comparison, double threshold) implements Condition {
        public Threshold {
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(comparison, "comparison");
        }
    }

    /**
     * A PromQL alert expression we cannot split (for example one joined with {@code and}): like a
     * Prometheus alert rule, it holds when the query returns any sample.
     */
    record AnySample(String query) implements Condition {
        public AnySample {
            Objects.requireNonNull(query, "query");
        }
    }
}
