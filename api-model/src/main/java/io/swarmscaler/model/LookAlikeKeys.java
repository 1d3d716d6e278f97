package io.swarmscaler.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keys under {@code com.df.} that look like ours but are not (another case, extra segments) would be ignored
 * without a word; this names the key we expected instead.
 */
final class LookAlikeKeys {
    private static final String PREFIX = PolicyParser.PREFIX;

    private final ServiceLabels labels;
    /** Our keys that take no policy number. */
    private final List<String> unnumbered = new ArrayList<>();

    LookAlikeKeys(ServiceLabels labels, String rescheduleLabel) {
        this.labels = labels;
        for (NodeRole role : NodeRole.values()) {
            for (String bound : GroupLabels.BOUNDS) {
                unnumbered.add(GroupLabels.boundLabel(role, bound));
            }
            unnumbered.add(GroupLabels.boundLabel(role, GroupLabels.WARM));
        }
        unnumbered.add(rescheduleLabel);
    }

    void check() {
        for (Map.Entry<String, String> label : labels.service().labels().entrySet()) {
            String key = label.getKey();
            if (!key.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                continue;
            }
            String[] segments = key.substring(PREFIX.length()).split("\\.", -1);
            Optional<String> expected = expectedKey(segments);
            if (expected.isPresent() && !expected.get().equals(key)) {
                labels.error(key, label.getValue(), "a label key spelt exactly %s (keys are case-sensitive%s)"
                        .formatted(expected.get(), PolicyReader.POLICY_KEYS.contains(
                                expected.get().substring(PREFIX.length()).split("\\.")[0])
                                        ? "; N is one policy number, e.g. .1" : ""));
            }
        }
    }

    /** The key of ours that {@code segments} (after {@code com.df.}) resemble, if any. */
    private Optional<String> expectedKey(String[] segments) {
        String head = segments[0];
        for (String name : PolicyReader.POLICY_KEYS) {
            if (name.equalsIgnoreCase(head)) {
                boolean indexed = segments.length > 1 && LabelGrammar.isIndex(segments[1]);
                return Optional.of(PREFIX + name + (indexed ? "." + segments[1] : ""));
            }
        }
        if (head.equalsIgnoreCase("scaler") && segments.length > 1 && segments[1].equalsIgnoreCase("nodeGroup")) {
            boolean indexed = segments.length > 2 && LabelGrammar.isIndex(segments[2]);
            return Optional.of(PolicyParser.NODE_GROUP_LABEL + (indexed ? "." + segments[2] : ""));
        }
        if (head.equalsIgnoreCase("scaler") && segments.length > 1 && segments[1].equalsIgnoreCase("predict")) {
            boolean indexed = segments.length > 2 && LabelGrammar.isIndex(segments[2]);
            return Optional.of(Trend.LABEL + (indexed ? "." + segments[2] : ""));
        }
        if (head.equalsIgnoreCase("scaler") && segments.length > 1 && segments[1].equalsIgnoreCase("nodeShape")) {
            return Optional.of(NodeShape.LABEL);
        }
        for (String ours : unnumbered) {
            if (ours.startsWith(PREFIX) && ours.substring(PREFIX.length()).equalsIgnoreCase(head)) {
                return Optional.of(ours);
            }
        }
        return Optional.empty();
    }
}
