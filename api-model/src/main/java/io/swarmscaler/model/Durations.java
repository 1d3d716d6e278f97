package io.swarmscaler.model;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus-style durations as used in {@code com.df.alertFor}: {@code 30s}, {@code 5m}, {@code 1h30m}. */
public final class Durations {
    public static final String EXPECTED = "a duration like 500ms, 30s, 5m or 1h30m";

    /** Prometheus' grammar: ASCII digits, each unit at most once, largest first (as {@code model.ParseDuration}). */
    private static final Pattern WHOLE = Pattern.compile(
            "(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?");
    private static final Duration[] UNITS = {
        Duration.ofDays(365), Duration.ofDays(7), Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(1),
        Duration.ofSeconds(1), Duration.ofMillis(1)
    };

    private Durations() {}

    public static Optional<Duration> parse(String text) {
        String trimmed = text.trim();
        if (trimmed.equals("0")) {
            return Optional.of(Duration.ZERO); // Prometheus allows 0 without a unit
        }
        Matcher whole = WHOLE.matcher(trimmed);
        if (trimmed.isEmpty() || !whole.matches()) {
            return Optional.empty();
        }
        Duration total = Duration.ZERO;
        try {
            for (int i = 0; i < UNITS.length; i++) {
                String amount = whole.group(i + 1);
                if (amount != null) {
                    total = total.plus(UNITS[i].multipliedBy(Long.parseLong(amount)));
                }
            }
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            return Optional.empty();
        }
        return Optional.of(total);
    }

    /** The shortest Prometheus-style spelling, for messages: {@code 90s} becomes {@code 1m30s}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long hours = duration.toHours();
        if (hours > 0) out.append(hours).append('h');
        if (duration.toMinutesPart() > 0) out.append(duration.toMinutesPart()).append('m');
        if (duration.toSecondsPart() > 0) out.append(duration.toSecondsPart()).append('s');
        if (duration.toMillisPart() > 0) out.append(duration.toMillisPart()).append("ms");
        return out.toString();
    }
}
