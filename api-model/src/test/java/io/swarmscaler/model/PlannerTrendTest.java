package io.swarmscaler.model;

import static io.swarmscaler.model.PlannerTest.ID1;
import static io.swarmscaler.model.PlannerTest.PLANNER;
import static io.swarmscaler.model.PlannerTest.T0;
import static io.swarmscaler.model.PlannerTest.value;
import static io.swarmscaler.model.PlannerTest.workers;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Action.DrainNode;
import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Condition.Threshold;
import io.swarmscaler.model.QueryResult.NoData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trend policies, one pass each: a worker policy {@code > 0.8} (or {@code < 0.3} for a scale-down) with
 * {@code com.df.scaler.predict=10m} over a 15 m lookback at 15 s (60 samples), its value now, its prediction and
 * the samples behind it; whether the group changes, and what the decision says.
 */
class PlannerTrendTest {
    static final Trend TREND = new Trend(Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofSeconds(15));
    static final Threshold OVER_08 = PlannerTest.OVER_08;
    static final Threshold UNDER_03 = new Threshold("node_mem_ratio", Comparison.LESS, 0.3);

    record Case(String name, Threshold condition, Duration holdFor, QueryResult now,
            Optional<Trend.Forecast> forecast, boolean changes, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Optional<Trend.Forecast> forecast(double predicted, double samples) {
        return forecast(predicted, samples, value(0.95));
    }

    static Optional<Trend.Forecast> forecast(double predicted, double samples, QueryResult fit) {
        return Optional.of(new Trend.Forecast(value(predicted), value(samples), TREND.samplesNeeded(), fit));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("a ramp predicted over the threshold scales up before the breach", OVER_08, Duration.ZERO,
                        value(0.6), forecast(0.9, 60), true, "predicted 0.9 in 10m, > 0.8"),
                new Case("a prediction under the threshold does nothing", OVER_08, Duration.ZERO, value(0.6),
                        forecast(0.7, 60), false, "not > 0.8 either"),
                new Case("a poor fit, fewer samples than the lookback needs, is not acted on", OVER_08,
                        Duration.ZERO, value(0.6), forecast(0.9, 12), false,
                        "no prediction: only 12 of the 60 samples the lookback needs"),
                new Case("a prediction without data is not acted on", OVER_08, Duration.ZERO, value(0.6),
                        Optional.of(new Trend.Forecast(new NoData("no samples"), value(60), 60, value(0.95))), false,
                        "no prediction: the prediction returned no data"),
                new Case("a noisy series whose line explains little of it is not acted on", OVER_08, Duration.ZERO,
                        value(0.6), forecast(0.9, 60, value(0.2)), false, "no prediction: a poor fit: the line"
                        + " explains 0.20 of the lookback's variance, at least 0.5 needed"),
                new Case("a fit just good enough is acted on", OVER_08, Duration.ZERO, value(0.6),
                        forecast(0.9, 60, value(0.5)), true, "predicted 0.9 in 10m, > 0.8"),
                new Case("a series that does not vary has no trend to act on", OVER_08, Duration.ZERO, value(0.6),
                        forecast(0.9, 60, value(Double.NaN)), false,
                        "no prediction: no trend to fit: the lookback's values do not vary"),
                new Case("no value now, no action, whatever the prediction", OVER_08, Duration.ZERO,
                        new NoData("Prometheus is unreachable"), forecast(0.9, 60), false, "unreachable"),
                new Case("a breach now acts whatever the fit", OVER_08, Duration.ZERO, value(0.9),
                        forecast(0.9, 3), true, "value 0.9 > 0.8"),
                new Case("a predicted crossing waits out alertFor like a breach", OVER_08, Duration.ofSeconds(30),
                        value(0.6), forecast(0.9, 60), false, "held 0s of 30s"),
                new Case("no forecast asked, no prediction", OVER_08, Duration.ZERO, value(0.6), Optional.empty(),
                        false, "no prediction: not asked this pass"),
                new Case("a prediction never scales down", UNDER_03, Duration.ZERO, value(0.5), forecast(0.1, 60),
                        false, "value 0.5, condition < 0.3 does not hold"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(Case c) {
        ScaleDirection direction = c.condition() == UNDER_03 ? ScaleDirection.DOWN : ScaleDirection.UP;
        Policy policy = new Policy(ID1, "trend", "@node_mem_limit_total_above:0.8", c.condition(),
                Policy.Kind.GROUP_MEMORY, c.holdFor(), direction, NodeRole.WORKER, new GroupBounds(0, 5, 1, 1),
                Map.of(), "summary", Optional.of(TREND));
        ObservedState observed = new ObservedState(Map.of(NodeRole.WORKER, workers(2, 2)), List.of(),
                PlannerTest.SERVICES, List.of(), Map.of(ID1, c.now()), List.of(),
                c.forecast().map(f -> Map.of(ID1, f)).orElse(Map.of()));

        Plan plan = PLANNER.plan(observed, new PolicySet(List.of(policy), List.of()), ScalerMemory.empty(), T0);

        boolean changed = plan.actions().stream().anyMatch(a -> a instanceof ScaleGroup || a instanceof DrainNode);
        assertThat(changed).as("the group changes, with the decisions %s", PlannerTest.reasons(plan))
                .isEqualTo(c.changes());
        assertThat(plan.decisions()).extracting(Decision::text).anyMatch(t -> t.contains(c.says()));
    }
}
