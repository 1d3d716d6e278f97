package io.swarmscaler.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Prometheus durations as written in {@code com.df.alertFor.N}. */
class DurationsTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("30s", Duration.ofSeconds(30)),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("0", Duration.ZERO),
                Arguments.of("500ms", Duration.ofMillis(500)),
                Arguments.of("5m", Duration.ofMinutes(5)),
                Arguments.of("90s", Duration.ofSeconds(90)),
                Arguments.of("1h30m", Duration.ofMinutes(90)),
                Arguments.of("1h30m15s250ms", Duration.ofHours(1).plusMinutes(30).plusSeconds(15).plusMillis(250)),
                Arguments.of("2d", Duration.ofDays(2)),
                Arguments.of("1w", Duration.ofDays(7)),
                Arguments.of("1y", Duration.ofDays(365)),
                Arguments.of("1y1w1d1h1m1s1ms", Duration.ofDays(365 + 7 + 1).plusHours(1).plusMinutes(1)
                        .plusSeconds(1).plusMillis(1)),
                Arguments.of("  30s  ", Duration.ofSeconds(30)));
    }

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @MethodSource("valid")
    void parsesPrometheusDurations(String text, Duration expected) {
        assertThat(Durations.parse(text)).contains(expected);
    }

    static Stream<String> invalid() {
        return Stream.of(
                "",
                "   ",
                "30",
                "s",
                "30 s",
                "30sec",
                "30S",
                "1.5m",
                "-30s",
                "+30s",
                "30s1m",
                "1m1m",
                "1ms1s",
                "1h 30m",
                "PT30S",
                "thirty seconds",
                "99999999999999999999s",
                "\u0663\u0660s",
                "\uff13\uff10s",
                "30\uff53");
    }

    @ParameterizedTest(name = "\"{0}\" is not a duration")
    @MethodSource("invalid")
    void rejectsWhatIsNotAPrometheusDuration(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    static Stream<Arguments> formatted() {
        return Stream.of(
                Arguments.of(Duration.ZERO, "0s"),
                Arguments.of(Duration.ofSeconds(30), "30s"),
                Arguments.of(Duration.ofSeconds(90), "1m30s"),
                Arguments.of(Duration.ofMinutes(90), "1h30m"),
                Arguments.of(Duration.ofMillis(1500), "1s500ms"),
                Arguments.of(Duration.ofDays(1), "24h"));
    }

    @ParameterizedTest(name = "{0} is written {1}")
    @MethodSource("formatted")
    void formatsTheShortestSpelling(Duration duration, String expected) {
        assertThat(Durations.format(duration)).isEqualTo(expected);
        assertThat(Durations.parse(expected)).contains(duration);
    }

    @Test
    void expectedTextShowsExamples() {
        assertThat(Durations.EXPECTED).contains("30s").contains("5m");
    }
}
