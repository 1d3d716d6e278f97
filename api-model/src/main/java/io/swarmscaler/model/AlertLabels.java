package io.swarmscaler.model;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code com.df.alertLabels.N} of one policy, e.g. {@code scale=up,type=node}.
 *
 * @param labels the service's labels, where errors are reported
 * @param label the {@code com.df.alertLabels.N} key itself
 * @param pairs the well-formed pairs
 * @param malformed whether any pair was not {@code key=value}
 * @param repeated the keys given more than once
 */
record AlertLabels(ServiceLabels labels, String label, Map<String, String> pairs, boolean malformed,
        List<String> repeated) {

    static AlertLabels read(ServiceLabels labels, String index) {
        String label = ServiceLabels.numbered("alertLabels", index);
        String value = labels.get(label);
        Map<String, String> parsed = new LinkedHashMap<>();
        Set<String> repeated = new LinkedHashSet<>();
        boolean malformed = false;
        if (value != null && !value.isBlank()) {
            for (String pair : value.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    malformed = true;
                } else if (parsed.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim()) != null) {
                    repeated.add(pair.substring(0, eq).trim());
                }
            }
        }
        return new AlertLabels(labels, label, parsed, malformed, List.copyOf(repeated));
    }

    /** {@code type=node} marks a PromQL policy as ours; read before the labels are judged. */
    boolean typeNode() {
        return "node".equals(pairs.get("type"));
    }

    /** The pairs the policy keeps: none when any pair is malformed. */
    Map<String, String> usable() {
        return malformed ? Map.of() : pairs;
    }

    /** Judged only for a policy of ours: a service alert's labels are not ours to judge. */
    void reportErrors() {
        if (malformed) {
            labels.error(label, labels.get(label), "comma-separated key=value pairs, e.g. scale=up,type=node");
        }
        if (!repeated.isEmpty()) {
            labels.error(label, labels.get(label), "each key at most once, but %s appears more than once".formatted(
                    String.join(", ", repeated)));
        }
        if (usable().containsKey("type") && !"node".equals(usable().get("type"))) {
            labels.error(label, labels.get(label),
                    "type=node (service replica scaling is configured with com.df.scaleMin/Max, not here)");
        }
    }

    /** {@code scale=up|down|no}, else {@code fallback}; any other value is reported. */
    ScaleDirection direction(ScaleDirection fallback) {
        String scale = usable().get("scale");
        if (scale == null) {
            return fallback;
        }
        return switch (scale.toLowerCase(Locale.ROOT)) {
            case "up" -> ScaleDirection.UP;
            case "down" -> ScaleDirection.DOWN;
            case "no" -> ScaleDirection.NOTIFY_ONLY;
            default -> {
                labels.error(label, labels.get(label), "scale=up, scale=down or scale=no");
                yield ScaleDirection.NOTIFY_ONLY;
            }
        };
    }
}
