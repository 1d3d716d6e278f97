package io.swarmscaler.model;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code com.df.alertIf.N} of a policy of ours: a memory shortcut, or a PromQL expression.
 *
 * @param text the label value, trimmed
 * @param shortcut the expanded shortcut; empty for PromQL, or when the shortcut was wrong (and reported)
 */
record AlertIf(String text, Optional<MemoryShortcut.Expansion> shortcut) {
    private static final Pattern SHORTCUT = Pattern.compile("@([A-Za-z0-9_]+)(?::(.*))?");
    /** A shortcut written without its {@code @}: never valid PromQL, so surely meant as one. */
    private static final Pattern BARE_SHORTCUT = Pattern.compile("([A-Za-z0-9_]+)\\s*:(.*)");

    /**
     * Reads the {@code alertIf} of policy {@code index}; empty when the policy is not ours: neither a
     * {@code @node_} shortcut nor marked {@code type=node}, so a docker-flow-monitor service alert.
     */
    static Optional<AlertIf> read(ServiceLabels labels, String index, boolean typeNode, boolean legacyNames) {
        String label = ServiceLabels.numbered("alertIf", index);
        String text = labels.get(label).trim();
        Matcher sm = SHORTCUT.matcher(text);
        Matcher bare = BARE_SHORTCUT.matcher(text);
        if (sm.matches()) {
            if (!typeNode && !sm.group(1).toLowerCase(Locale.ROOT).startsWith("node_")) {
                return Optional.empty();
            }
            return Optional.of(new AlertIf(text,
                    MemoryShortcut.read(labels, label, text, sm.group(1), sm.group(2), legacyNames)));
        }
        if (bare.matches() && MemoryShortcut.named(bare.group(1).toLowerCase(Locale.ROOT)).isPresent()) {
            labels.error(label, text, "@%s:%s: a shortcut starts with @".formatted(
                    bare.group(1).toLowerCase(Locale.ROOT), bare.group(2).trim()));
        } else if (!typeNode) {
            return Optional.empty();
        } else if (text.isEmpty()) {
            labels.error(label, text, "a @node_mem_limit_total_above:V style shortcut or a PromQL expression");
        }
        return Optional.of(new AlertIf(text, Optional.empty()));
    }

    Condition condition() {
        return shortcut.map(MemoryShortcut.Expansion::condition).orElseGet(() -> PromQlCondition.of(text));
    }

    Policy.Kind kind() {
        return shortcut.map(MemoryShortcut.Expansion::kind).orElse(Policy.Kind.PROMQL);
    }

    /** The direction when {@code alertLabels} name no {@code scale}. */
    ScaleDirection defaultDirection() {
        return shortcut.map(MemoryShortcut.Expansion::direction).orElse(ScaleDirection.NOTIFY_ONLY);
    }

    /** The alert name when {@code com.df.alertName.N} names none. */
    String defaultName(String index) {
        return shortcut.map(MemoryShortcut.Expansion::name).orElse("alert" + index);
    }

    String summary(String alertName, String service) {
        return shortcut.map(MemoryShortcut.Expansion::summary)
                .orElse("Alert %s on %s is firing".formatted(alertName, service));
    }
}
