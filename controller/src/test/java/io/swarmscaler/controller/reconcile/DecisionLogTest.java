package io.swarmscaler.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Comparison;
import io.swarmscaler.model.Decision;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Observation.Holding;
import io.swarmscaler.model.Observation.Measured;
import io.swarmscaler.model.Observation.NoData;
import io.swarmscaler.model.Observation.Wanted;
import io.swarmscaler.model.Progress.Drained;
import io.swarmscaler.model.Progress.Draining;
import io.swarmscaler.model.Progress.ScalingUp;
import io.swarmscaler.model.Progress.TasksLeft;
import io.swarmscaler.model.Progress.WaitingForNodes;
import io.swarmscaler.model.Reason;
import io.swarmscaler.model.Refusal.Cooldown;
import io.swarmscaler.model.ScaleDirection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DecisionLogTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Measured HIGH = new Measured(0.9, Comparison.GREATER, 0.8, true);

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of("a value moving while the condition holds",
                        new Holding(HIGH, Duration.ZERO, Duration.ofSeconds(2)),
                        new Holding(new Measured(0.91, Comparison.GREATER, 0.8, true), Duration.ofMillis(9),
                                Duration.ofSeconds(2)), false),
                Arguments.of("the time held changing unit", new Holding(HIGH, Duration.ofSeconds(1), Duration.ofSeconds(2)),
                        new Holding(HIGH, Duration.ofSeconds(90), Duration.ofMinutes(2)), false),
                Arguments.of("the same cooldown", cooldown(T0), cooldown(T0), false),
                Arguments.of("a new cooldown", cooldown(T0), cooldown(T0.plusSeconds(180)), true),
                Arguments.of("the condition starting to hold and the group scaled",
                        new Measured(0.2, Comparison.GREATER, 0.8, false),
                        new Wanted(HIGH, new ScalingUp(NodeRole.WORKER, "aws", 1, 2)), true),
                Arguments.of("another scale-up", new Wanted(HIGH, new ScalingUp(NodeRole.WORKER, "aws", 1, 2)),
                        new Wanted(HIGH, new ScalingUp(NodeRole.WORKER, "aws", 2, 3)), true),
                Arguments.of("nodes joining one by one", new WaitingForNodes("aws", 2, 4),
                        new WaitingForNodes("aws", 3, 4), false),
                Arguments.of("no data for another cause", new NoData("Prometheus is unreachable"),
                        new NoData("the query returned no samples"), true),
                Arguments.of("a drain ending", new Draining(T0, new TasksLeft(1)), new Drained("ssl-w2"), true));
    }

    private static Cooldown cooldown(Instant until) {
        return new Cooldown(ScaleDirection.DOWN, ScaleDirection.UP, Duration.ofMinutes(10), until);
    }

    @ParameterizedTest(name = "{0}: new entry {3}")
    @MethodSource("pairs")
    void aDecisionIsRecordedWhenItsReasonChangesNotWhenOnlyItsFiguresMove(String name, Reason first, Reason second,
            boolean recorded) {
        DecisionLog log = new DecisionLog();
        log.record(List.of(new Decision("policy p#1", first)), T0);
        log.record(List.of(new Decision("policy p#1", second)), T0.plusSeconds(1));
        assertThat(log.recent()).hasSize(recorded ? 2 : 1);
        assertThat(log.recent().get(0).text()).isEqualTo(recorded ? second.message() : first.message());
    }

    @Test
    void keepsTheLatestHundredNewestFirst() {
        DecisionLog log = new DecisionLog();
        for (int i = 0; i < 150; i++) {
            log.record(List.of(new Decision("s" + i, new Drained("n" + i))), T0.plusSeconds(i));
        }
        assertThat(log.recent()).hasSize(100);
        assertThat(log.recent().get(0).subject()).isEqualTo("s149");
        assertThat(log.recent().get(99).subject()).isEqualTo("s50");
    }
}
