package io.swarmscaler.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/** The seed's {@code @node_mem_limit…:V} shortcuts, expanded to node-exporter queries of one exporter service. */
enum MemoryShortcut {
    NODE_MEM_LIMIT_TOTAL_ABOVE,
    NODE_MEM_LIMIT_TOTAL_BELOW,
    NODE_MEM_LIMIT;

    /** A shortcut expanded for one exporter service. */
    record Expansion(String name, Condition condition, Policy.Kind kind, ScaleDirection direction,
            String summary) {}

    /** Each node's memory rather than the group's. */
    private boolean perInstance() {
        return this == NODE_MEM_LIMIT;
    }

    /** Memory below a limit asks for a node fewer; over one, for a node more. */
    private Comparison comparison() {
        return this == NODE_MEM_LIMIT_TOTAL_BELOW ? Comparison.LESS : Comparison.GREATER;
    }

    private String summary() {
        return switch (this) {
            case NODE_MEM_LIMIT_TOTAL_ABOVE -> "Total memory of the nodes is over %s";
            case NODE_MEM_LIMIT_TOTAL_BELOW -> "Total memory of the nodes is below %s";
            case NODE_MEM_LIMIT -> "Memory of a node is over %s";
        };
    }

    /** As the seed writes it after the {@code @}: the constant's name in lower case. */
    String shortcutName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<MemoryShortcut> named(String name) {
        for (MemoryShortcut s : values()) {
            if (s.shortcutName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * The shortcut {@code @name:argument} written in {@code label}, expanded for the service's exporter; empty
     * when the name or the ratio is wrong, which is reported.
     */
    static Optional<Expansion> read(ServiceLabels labels, String label, String value, String name, String argument,
            boolean legacyNames) {
        Optional<MemoryShortcut> kind = named(name);
        String lowerCase = name.toLowerCase(Locale.ROOT);
        if (kind.isEmpty() && named(lowerCase).isPresent()) {
            labels.error(label, value, "@%s%s: shortcut names are lower case".formatted(lowerCase,
                    argument == null ? ":V" : ":" + argument.trim()));
            return Optional.empty();
        }
        if (kind.isEmpty()) {
            labels.error(label, value, "one of the shortcuts " + names() + " or a PromQL expression");
            return Optional.empty();
        }
        OptionalDouble ratio = LabelGrammar.ratio(argument == null ? "" : argument);
        if (ratio.isEmpty()) {
            labels.error(label, value, ("a memory ratio between 0 and 1 after the colon, in plain decimal ASCII"
                    + " digits (no sign, exponent, hex or type suffix), e.g. @%s:0.8").formatted(name));
            return Optional.empty();
        }
        return Optional.of(kind.get().expand(labels.service().name(), ratio.getAsDouble(), legacyNames));
    }

    private static String names() {
        List<String> names = new ArrayList<>();
        for (MemoryShortcut s : values()) {
            names.add("@" + s.shortcutName() + ":V");
        }
        return String.join(", ", names);
    }

    /** @param legacyNames node-exporter's metric names before 0.16, without {@code _bytes} */
    private Expansion expand(String job, double ratio, boolean legacyNames) {
        String suffix = legacyNames ? "" : "_bytes";
        String sum = perInstance() ? "sum by (instance) " : "sum";
        String selector = "{job=\"" + job + "\"}";
        String total = "node_memory_MemTotal" + suffix + selector;
        String unused = "node_memory_MemFree" + suffix + selector + " + node_memory_Buffers" + suffix + selector
                + " + node_memory_Cached" + suffix + selector;
        String query = "(%s(%s) - %s(%s)) / %s(%s)".formatted(sum, total, sum, unused, sum, total);
        Comparison comparison = comparison();
        return new Expansion(shortcutName(), new Condition.Threshold(query, comparison, ratio),
                perInstance() ? Policy.Kind.NODE_MEMORY : Policy.Kind.GROUP_MEMORY,
                comparison == Comparison.GREATER ? ScaleDirection.UP : ScaleDirection.DOWN,
                summary().formatted(stripZeros(ratio)));
    }

    private static String stripZeros(double value) {
        String s = Double.toString(value);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
