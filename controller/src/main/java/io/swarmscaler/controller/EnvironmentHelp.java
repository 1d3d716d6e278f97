package io.swarmscaler.controller;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables for {@code run --help}, read from config/swarm-scaler.env (packed into the jar), so
 * that the documented file and the help cannot drift apart.
 */
final class EnvironmentHelp {
    private static final Pattern VARIABLE = Pattern.compile("^#?([A-Z][A-Z0-9_]+)=(.*)$");

    private EnvironmentHelp() {}

    /** One entry per variable: its name, default and the comment above it. */
    record Variable(String name, String defaultValue, boolean setByDefault, String description) {}

    static List<Variable> variables() {
        List<Variable> variables = new ArrayList<>();
        List<String> comment = new ArrayList<>();
        try (InputStream in = EnvironmentHelp.class.getResourceAsStream("swarm-scaler.env")) {
            if (in == null) {
                throw new IllegalStateException("swarm-scaler.env is missing from the jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            boolean afterVariable = false;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                Matcher m = VARIABLE.matcher(line.trim());
                if (m.matches()) {
                    variables.add(new Variable(m.group(1), m.group(2), !line.startsWith("#"),
                            String.join(" ", comment)));
                } else if (line.startsWith("#") && !line.startsWith("# ---")) {
                    // Variables in a row share the comment above them; a comment after a variable is the next one's.
                    if (afterVariable) {
                        comment.clear();
                    }
                    comment.add(line.replaceFirst("^#\\s?", ""));
                    afterVariable = false;
                    continue;
                }
                afterVariable = m.matches();
                if (!m.matches() || line.isBlank()) {
                    comment.clear();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return variables;
    }

    /** The help's footer, as it is printed. */
    static String text() {
        StringBuilder text = new StringBuilder();
        for (Variable v : variables()) {
            String value = v.defaultValue();
            text.append("  ").append(v.name());
            if (v.setByDefault()) {
                text.append(" (default ").append(value.isEmpty() ? "empty" : value).append(")");
            } else {
                text.append(" (not set by default").append(value.isEmpty() ? "" : "; e.g. " + value).append(")");
            }
            text.append(System.lineSeparator());
            wrap(v.description(), 72).forEach(line -> text.append("      ").append(line).append(System.lineSeparator()));
        }
        return text.toString();
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
