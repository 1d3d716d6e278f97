package io.swarmscaler.model;

import io.swarmscaler.model.Observation.ExpressionReturned;
import io.swarmscaler.model.Observation.Measured;
import io.swarmscaler.model.Observation.NoData;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Whether a condition holds given Prometheus' answer, what was seen, and the value that decided: the first sample
 * that holds, else the first sample. The status shows this same value.
 */
public record Evaluation(boolean holds, Observation seen, OptionalDouble value, Optional<Instant> holdingSince) {

    Evaluation(boolean holds, Observation seen, OptionalDouble value) {
        this(holds, seen, value, Optional.empty());
    }

    public static Evaluation of(Condition condition, QueryResult result) {
        if (!(result instanceof QueryResult.Samples samples)) {
            String cause = result instanceof QueryResult.NoData noData ? noData.reason()
                    : "Prometheus rejected the query: " + ((QueryResult.Invalid) result).error();
            return new Evaluation(false, new NoData(cause), OptionalDouble.empty());
        }
        List<Double> values = samples.samples().stream()
                .map(QueryResult.Sample::value)
                .filter(v -> !v.isNaN())
                .toList();
        if (condition instanceof Condition.Threshold t) {
            if (values.isEmpty()) {
                return new Evaluation(false, new NoData("the query returned no samples"), OptionalDouble.empty());
            }
            double decisive = values.stream().filter(v -> t.comparison().holds(v, t.threshold())).findFirst()
                    .orElse(values.get(0));
            boolean holds = t.comparison().holds(decisive, t.threshold());
            return new Evaluation(holds, new Measured(decisive, t.comparison(), t.threshold(), holds),
                    OptionalDouble.of(decisive), samples.holdingSince().filter(since -> holds));
        }
        Optional<Double> first = values.stream().findFirst();
        return new Evaluation(first.isPresent(), new ExpressionReturned(first),
                first.map(OptionalDouble::of).orElse(OptionalDouble.empty()));
    }
}
