package io.swarmscaler.model;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code com.df.scaler.predict.N=10m} on a scale-up policy: it also acts when its own expression, fitted linearly
 * over the lookback, is predicted to cross the threshold within the horizon, as
 * {@code predict_linear((EXPR)[LOOKBACK:STEP], HORIZON)}. A prediction never scales down, and is not used when the
 * fit is poor: fewer samples in the lookback than it spans steps, or a line that explains less than
 * {@link #MIN_FIT} of the samples' variance (a noisy series with no trend).
 */
public record Trend(Duration horizon, Duration lookback, Duration step) {
    /** The lookback and step where the configuration sets none. */
    public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(15);
    public static final Duration DEFAULT_STEP = Duration.ofSeconds(15);

    /**
     * The least coefficient of determination (R²) of the fitted line that a prediction is acted on with: a ramp's
     * is close to 1, a noisy flat series' close to 0.
     */
    public static final double MIN_FIT = 0.5;

    /** The label, numbered like {@code alertFor}: {@code com.df.scaler.predict.N}. */
    public static final String LABEL = "com.df.scaler.predict";

    /**
     * What Prometheus answered about a trend policy this pass.
     *
     * @param predicted the value predicted at the horizon
     * @param samples how many samples of the expression the lookback holds
     * @param needed how many it must hold for a fit worth acting on: one per step
     * @param fit the fitted line's coefficient of determination (R²) over the lookback
     */
    public record Forecast(QueryResult predicted, QueryResult samples, long needed, QueryResult fit) {}

    public Trend {
        if (horizon.isNegative() || horizon.isZero() || lookback.compareTo(step) < 0 || step.isZero()) {
            throw new IllegalArgumentException("a trend needs a horizon above 0 and a lookback of at least one step,"
                    + " got horizon %s, lookback %s, step %s".formatted(horizon, lookback, step));
        }
    }

    /** The predicted value of {@code expression} at the horizon, from its lookback. */
    public String predictionQuery(String expression) {
        return "predict_linear((%s)[%s:%s], %d)".formatted(expression, Durations.format(lookback),
                Durations.format(step), horizon.toSeconds());
    }

    /** How many samples of {@code expression} the lookback holds. */
    public String samplesQuery(String expression) {
        return "count_over_time((%s)[%s:%s])".formatted(expression, Durations.format(lookback),
                Durations.format(step));
    }

    /**
     * The fitted line's R² over the lookback: the variance the least-squares slope explains ({@code deriv}² times
     * the variance of evenly spaced sample times) over the samples' variance. NaN for a series that does not vary.
     */
    public String fitQuery(String expression) {
        String window = "(%s)[%s:%s]".formatted(expression, Durations.format(lookback), Durations.format(step));
        long n = samplesNeeded();
        double stepSeconds = step.toMillis() / 1000.0;
        double timeVariance = stepSeconds * stepSeconds * (n * n - 1) / 12.0;
        return "deriv(%s) ^ 2 * %s / stdvar_over_time(%s)".formatted(window, timeVariance, window);
    }

    /** Samples the lookback holds when none is missing: one per step. */
    public long samplesNeeded() {
        return lookback.toMillis() / step.toMillis();
    }

    /** The first sample's value: a count of samples, or nothing. */
    static Optional<Double> first(QueryResult result) {
        return result instanceof QueryResult.Samples s ? s.samples().stream().map(QueryResult.Sample::value)
                .filter(v -> !v.isNaN()).findFirst() : Optional.empty();
    }
}
