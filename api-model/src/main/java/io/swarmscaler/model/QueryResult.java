package io.swarmscaler.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/** What Prometheus answered for one policy's query. */
public sealed interface QueryResult {

    /** An instant vector; each sample carries its labels (e.g. {@code instance}). */
    /**
     * @param holdingSince since when Prometheus' own history shows the condition holding without a gap, when the
     *     scaler asked (a breach first seen by a pass, so that {@code alertFor} counts from the breach, not from
     *     the pass that noticed it)
     */
    record Samples(List<Sample> samples, Optional<Instant> holdingSince) implements QueryResult {
        public Samples {
            samples = List.copyOf(samples);
        }

        public Samples(List<Sample> samples) {
            this(samples, Optional.empty());
        }
    }

    /** No answer: Prometheus unreachable or failing, or an answer that is not an instant vector. */
    record NoData(String reason) implements QueryResult {}

    /**
     * Prometheus cannot parse the expression (HTTP 400, {@code bad_data}): a mistake in the policy's label, not
     * missing data. The reconciler turns it into a label error before the planner sees it.
     *
     * @param error Prometheus' parse error, e.g. {@code 1:3: parse error: unexpected right parenthesis ')'}
     */
    record Invalid(String error) implements QueryResult {}

    record Sample(Map<String, String> labels, double value) {
        public Sample {
            labels = Map.copyOf(labels);
        }
    }
}
