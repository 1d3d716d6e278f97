package io.swarmscaler.model;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits {@code EXPR > 0.8} so the value can be read and compared here; otherwise any sample fires. */
final class PromQlCondition {
    private static final Pattern COMPARISON = Pattern.compile("(>=|<=|==|!=|>|<)");
    private static final Pattern SET_OPERATOR = Pattern.compile("\\b(and|or|unless)\\b");

    private PromQlCondition() {}

    static Condition of(String expression) {
        int split = lastTopLevelComparison(expression);
        if (split > 0) {
            String left = expression.substring(0, split).trim();
            Matcher op = COMPARISON.matcher(expression.substring(split));
            op.lookingAt();
            String right = expression.substring(split + op.end()).trim();
            if (!SET_OPERATOR.matcher(left).find() && !right.startsWith("bool")) {
                // Anything but a plain number (another series, hex, a typo) is left to Prometheus whole, which
                // answers a typo with a parse error rather than this comparing a number PromQL would not read.
                OptionalDouble threshold = LabelGrammar.promQlNumber(right);
                if (threshold.isPresent()) {
                    return new Condition.Threshold(left, Comparison.fromSymbol(op.group(1)).orElseThrow(),
                            threshold.getAsDouble());
                }
            }
        }
        return new Condition.AnySample(expression);
    }

    /** Where the last comparison outside quotes and brackets starts, or -1. */
    private static int lastTopLevelComparison(String expression) {
        int depth = 0;
        char quote = 0;
        int split = -1;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'' || c == '`') {
                quote = c;
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (depth == 0 && COMPARISON.matcher(expression.substring(i, Math.min(i + 2, expression.length())))
                    .lookingAt()) {
                split = i;
                if (i + 1 < expression.length() && expression.charAt(i + 1) == '=') i++;
            }
        }
        return split;
    }
}
