package io.swarmscaler.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Swarm placement constraints ({@code node.role==worker}, {@code node.labels.zone!=a}, ...) checked against a node. */
final class PlacementConstraints {
    private static final Pattern CONSTRAINT = Pattern.compile("\\s*([\\w.\\-]+)\\s*(==|!=)\\s*(.*?)\\s*");

    private PlacementConstraints() {}

    /** Whether {@code node} satisfies every constraint; empty when one of them cannot be checked here. */
    static Optional<Boolean> allow(List<String> constraints, SwarmNode node) {
        for (String constraint : constraints) {
            Optional<Boolean> one = allows(constraint, node);
            if (one.isEmpty() || !one.get()) {
                return one;
            }
        }
        return Optional.of(true);
    }

    private static Optional<Boolean> allows(String constraint, SwarmNode node) {
        Matcher m = CONSTRAINT.matcher(constraint);
        if (!m.matches()) {
            return Optional.empty();
        }
        String key = m.group(1);
        boolean equals = m.group(2).equals("==");
        String wanted = m.group(3);
        Optional<String> actual;
        if (key.equals("node.role")) {
            actual = Optional.of(node.role().word());
        } else if (key.equals("node.hostname")) {
            actual = Optional.of(node.hostname());
        } else if (key.equals("node.id")) {
            actual = Optional.of(node.id());
        } else if (key.startsWith("node.labels.")) {
            actual = Optional.of(label(node.labels(), key.substring("node.labels.".length())));
        } else if (key.startsWith("engine.labels.")) {
            actual = Optional.of(label(node.engineLabels(), key.substring("engine.labels.".length())));
        } else if (key.startsWith("node.platform.")) {
            // A node group is one machine type: every node of it has the same platform.
            return Optional.of(true);
        } else {
            return Optional.empty();
        }
        return Optional.of(actual.get().equalsIgnoreCase(wanted) == equals);
    }

    private static String label(Map<String, String> labels, String key) {
        return labels.getOrDefault(key, "");
    }
}
