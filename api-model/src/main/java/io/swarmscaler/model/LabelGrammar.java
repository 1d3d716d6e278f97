package io.swarmscaler.model;

import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * How numbers, ratios, booleans and policy numbers are spelt in labels. Strict on purpose: Java's parsers
 * would also take signs, exponents, hex and non-ASCII digits, which a label writer rarely means.
 */
final class LabelGrammar {
    /** A policy number, the {@code N} of {@code com.df.alertIf.N}. */
    static final String INDEX = "[A-Za-z0-9_-]+";

    /** Plain decimal digits: no sign, exponent, hex, type suffix or non-ASCII digit. */
    private static final Pattern RATIO = Pattern.compile("[0-9]*\\.?[0-9]+");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");
    /** A PromQL number literal we compare here; anything else (hex, Inf, a typo) goes to Prometheus whole. */
    private static final Pattern PROMQL_NUMBER =
            Pattern.compile("[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");
    /** {@code true} or {@code false} in any ASCII case, as the planner reads it. */
    private static final Pattern BOOLEAN = Pattern.compile("true|false", Pattern.CASE_INSENSITIVE);

    private LabelGrammar() {}

    static boolean isIndex(String text) {
        return text.matches(INDEX);
    }

    static boolean isBoolean(String text) {
        return BOOLEAN.matcher(text.trim()).matches();
    }

    /** ASCII digits only: {@code Integer.parseInt} would take {@code +1}, {@code ١} and {@code １}. */
    static OptionalInt wholeNumber(String text) {
        String trimmed = text.trim();
        return WHOLE_NUMBER.matcher(trimmed).matches() ? OptionalInt.of(Integer.parseInt(trimmed))
                : OptionalInt.empty();
    }

    /** A ratio from 0 to 1 in plain decimal digits. */
    static OptionalDouble ratio(String text) {
        String trimmed = text.trim();
        if (!RATIO.matcher(trimmed).matches()) {
            return OptionalDouble.empty();
        }
        double ratio = Double.parseDouble(trimmed);
        return ratio <= 1 ? OptionalDouble.of(ratio) : OptionalDouble.empty();
    }

    static OptionalDouble promQlNumber(String text) {
        return PROMQL_NUMBER.matcher(text).matches() ? OptionalDouble.of(Double.parseDouble(text))
                : OptionalDouble.empty();
    }
}
