package io.swarmscaler.model;

import java.util.List;
import java.util.Map;

/** What Prometheus answered for one policy's query. */
public sealed interface QueryResult {

    /** An instant vector; each sample carries its labels (e.g. {@code instance}). */
    record Samples(List<Sample> samples) implements QueryResult {
        public Samples {
            samples = List.copyOf(samples);
        }
    }

    /** No answer: Prometheus unreachable, the query rejected, or a value that is not a number. */
    record NoData(String reason) implements QueryResult {}

    record Sample(Map<String, String> labels, double value) {
        public Sample {
            labels = Map.copyOf(labels);
        }
    }
}
