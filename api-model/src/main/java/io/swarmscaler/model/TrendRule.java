package io.swarmscaler.model;

import io.swarmscaler.model.Observation.Predicted;
import io.swarmscaler.model.Observation.PredictionUnused;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A trend policy ({@link Trend}) that does not hold now holds when its prediction crosses the threshold, with
 * {@code alertFor} counted as for a breach. Never without data now, never on a poor fit, never for a scale-down.
 */
final class TrendRule {
    private final PassState pass;

    TrendRule(PassState pass) {
        this.pass = pass;
    }

    /** The evaluation the policy acts on: {@code actual}, or the prediction's where it may act. */
    Evaluation consider(Policy policy, Evaluation actual) {
        if (policy.trend().isEmpty() || policy.direction() != ScaleDirection.UP || actual.holds()
                || actual.seen() instanceof Observation.NoData
                || !(policy.condition() instanceof Condition.Threshold threshold)) {
            return actual;
        }
        Optional<Trend.Forecast> forecast = pass.observed.forecast(policy.id());
        Optional<String> unfit = forecast.isEmpty() ? Optional.of("not asked this pass") : unfit(forecast.get());
        if (unfit.isPresent()) {
            return new Evaluation(false, new PredictionUnused(actual.seen(), unfit.get()), actual.value());
        }
        Evaluation predicted = Evaluation.of(threshold, forecast.get().predicted());
        double value = predicted.value().orElseThrow();
        Predicted seen = new Predicted(actual.seen(), value, threshold.comparison(), threshold.threshold(),
                policy.trend().get().horizon(), predicted.holds());
        return new Evaluation(predicted.holds(), seen, OptionalDouble.of(value));
    }

    /** Why the forecast is not good enough to act on, if it is not. */
    private static Optional<String> unfit(Trend.Forecast forecast) {
        long samples = Trend.first(forecast.samples()).map(Double::longValue).orElse(0L);
        if (samples < forecast.needed()) {
            return Optional.of("only %d of the %d samples the lookback needs".formatted(samples, forecast.needed()));
        }
        if (Trend.first(forecast.predicted()).isEmpty()) {
            return Optional.of("the prediction returned no data");
        }
        Optional<Double> fit = Trend.first(forecast.fit());
        if (fit.isEmpty()) {
            return Optional.of("no trend to fit: the lookback's values do not vary");
        }
        if (fit.get() < Trend.MIN_FIT) {
            return Optional.of("a poor fit: the line explains %.2f of the lookback's variance, at least %s needed"
                    .formatted(fit.get(), Trend.MIN_FIT));
        }
        return Optional.empty();
    }
}
