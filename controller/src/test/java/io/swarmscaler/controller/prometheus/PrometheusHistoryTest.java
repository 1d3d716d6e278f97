package io.swarmscaler.controller.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Since when a condition held, read from a range answer of {@code max(EXPR > bool T)}. */
class PrometheusHistoryTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_000);

    /** The start is read to within one step: a 200th of the lookback, 10 ms to 1 s, coarser past 10,000 points. */
    @ParameterizedTest(name = "alertFor {0}: step {1} ms")
    @CsvSource({"PT1S, 10", "PT2S, 10", "PT30S, 150", "PT5M, 1000", "PT30M, 1000", "PT24H, 8640"})
    void theHistoryIsReadAtFineSteps(Duration lookback, long stepMillis) {
        assertThat(PrometheusMetrics.stepMillis(lookback)).isEqualTo(stepMillis);
    }

    @ParameterizedTest(name = "{0}: since {3}")
    @CsvSource(delimiter = '|', value = {
            "held throughout          | 5000 | [[990,\"1\"],[995,\"1\"],[1000,\"1\"]]           | 990",
            "began after a 0          | 5000 | [[990,\"0\"],[995,\"1\"],[1000,\"1\"]]           | 995",
            "a gap restarts the count | 1000 | [[990,\"1\"],[997,\"1\"],[999,\"1\"],[1000,\"1\"]] | 997",
            "not holding now          | 5000 | [[990,\"1\"],[995,\"1\"],[1000,\"0\"]]           | ",
            "the last point is old    | 1000 | [[990,\"1\"],[993,\"1\"]]                         | ",
            "no series                | 1000 | []                                                  | "})
    void theRunThatEndsNowCounts(String name, long stepMillis, String values, Long since) throws Exception {
        Optional<Instant> expected = Optional.ofNullable(since).map(Instant::ofEpochSecond);

        assertThat(PrometheusMetrics.trailingRun(new ObjectMapper().readTree(values), stepMillis, NOW))
                .isEqualTo(expected);
    }
}
