package io.swarmscaler.controller.aws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the credentials file the seed tutorial makes into the Docker secret {@code aws}: shell lines such as
 * {@code export AWS_ACCESS_KEY_ID=...}. Understands {@code export}, single and double quotes, comments, blank lines
 * and CRLF line ends, the way {@code sh} would read them, without running anything. A line it cannot read is
 * reported by its number only: the line may hold a secret, so its text is never repeated.
 */
final class AwsEnvFile {
    private static final Pattern ASSIGNMENT = Pattern.compile("(?:export[ \\t]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)");
    private static final String EXPECTED = "expected NAME=value, optionally after export, e.g."
            + " export AWS_ACCESS_KEY_ID=AKIA...";

    private AwsEnvFile() {}

    /**
     * @param source how to name the file in messages, e.g. {@code AWS_ENV_FILE /run/secrets/aws}
     * @return the variables in file order; a name set twice keeps its last value, as in {@code sh}
     * @throws AwsConfigurationException listing every line that cannot be read, by number, without its text
     */
    static Map<String, String> parse(String text, String source) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.replace("\uFEFF", "").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            Matcher m = ASSIGNMENT.matcher(trimmed);
            if (!m.matches()) {
                problems.add("%s line %d is not valid: %s (the line is not shown: it may hold a secret)"
                        .formatted(source, i + 1, EXPECTED));
                continue;
            }
            String name = m.group(1);
            try {
                values.put(name, value(m.group(2)));
            } catch (IllegalArgumentException e) {
                problems.add("%s line %d (%s): %s; the value is not shown".formatted(source, i + 1, name,
                        e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new AwsConfigurationException(problems);
        }
        return values;
    }

    /** The value after {@code =}: one word, quoted or not, then nothing but blanks or a comment. */
    private static String value(String raw) {
        StringBuilder value = new StringBuilder();
        int i = 0;
        while (i < raw.length() && !Character.isWhitespace(raw.charAt(i))) {
            char c = raw.charAt(i);
            if (c == '\'') {
                int end = raw.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("the single quote is not closed");
                }
                value.append(raw, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(raw, i + 1, value);
            } else if (c == '\\' && i + 1 < raw.length()) {
                value.append(raw.charAt(i + 1));
                i += 2;
            } else if (c == '$' || c == '`' || c == ';' || c == '|' || c == '&' || c == '<' || c == '>'
                    || c == '(' || c == ')') {
                // sh would expand or run this; we do not run anything, so we cannot know the value it means
                throw new IllegalArgumentException("the value contains the shell character " + c
                        + " outside single quotes: quote the value with '...'");
            } else {
                value.append(c);
                i++;
            }
        }
        String rest = raw.substring(i).strip();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            throw new IllegalArgumentException("unexpected text after the value: quote a value that has blanks");
        }
        return value.toString();
    }

    /** Appends the inside of a double-quoted string starting at {@code from}; returns the index after it. */
    private static int doubleQuoted(String raw, int from, StringBuilder value) {
        int i = from;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < raw.length() && "\"\\$`".indexOf(raw.charAt(i + 1)) >= 0) {
                value.append(raw.charAt(i + 1));
                i += 2;
            } else if (c == '$' || c == '`') {
                throw new IllegalArgumentException("the value contains the shell character " + c
                        + " inside double quotes: use single quotes or escape it as \\" + c);
            } else {
                value.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException("the double quote is not closed");
    }
}
