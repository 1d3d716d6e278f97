package io.swarmscaler.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which node group a service's policies scale, and the bounds its {@code com.df.scale*Node*} labels set. */
final class GroupLabels {
    /** The bounds a service may set per group, as {@code com.df.scaleWorkerNodeMin} and so on. */
    static final List<String> BOUNDS = List.of("Min", "Max", "UpBy", "DownBy");
    /** The suffix of the label of a group's warm pool size, {@code com.df.scaleWorkerNodeWarm}. */
    static final String WARM = "Warm";

    private static final Pattern ROLE_CONSTRAINT = Pattern.compile("\\s*node\\.role\\s*(==|!=)\\s*(\\w+)\\s*");

    private final ServiceLabels labels;
    private final Map<NodeRole, GroupBounds> defaults;

    GroupLabels(ServiceLabels labels, Map<NodeRole, GroupBounds> defaults) {
        this.labels = labels;
        this.defaults = defaults;
    }

    /** The label of {@code bound} (one of {@link #BOUNDS}) for {@code role}. */
    static String boundLabel(NodeRole role, String bound) {
        return PolicyParser.PREFIX + "scale" + role.labelInfix() + "Node" + bound;
    }

    /** Our explicit label first (per policy, then per service), else the service's placement constraint. */
    Optional<NodeRole> role(String index) {
        String perPolicy = ServiceLabels.numbered(
                PolicyParser.NODE_GROUP_LABEL.substring(PolicyParser.PREFIX.length()), index);
        for (String label : List.of(perPolicy, PolicyParser.NODE_GROUP_LABEL)) {
            String value = labels.get(label);
            if (value != null) {
                Optional<NodeRole> role = NodeRole.fromWord(value);
                if (role.isEmpty()) {
                    labels.error(label, value, "worker or manager");
                }
                return role;
            }
        }
        Optional<NodeRole> constrained = constrainedRole();
        if (constrained.isEmpty()) {
            labels.error(PolicyParser.NODE_GROUP_LABEL, "", "worker or manager, or a placement constraint"
                    + " node.role==worker (or manager) on the service, to tell which node group the policy scales");
        }
        return constrained;
    }

    /** The group the first {@code node.role} constraint naming one places the service in. */
    private Optional<NodeRole> constrainedRole() {
        for (String constraint : labels.service().constraints()) {
            Matcher m = ROLE_CONSTRAINT.matcher(constraint);
            if (m.matches()) {
                Optional<NodeRole> named = NodeRole.fromWord(m.group(2));
                if (named.isPresent()) {
                    boolean equals = m.group(1).equals("==");
                    NodeRole other = named.get() == NodeRole.WORKER ? NodeRole.MANAGER : NodeRole.WORKER;
                    return Optional.of(equals ? named.get() : other);
                }
            }
        }
        return Optional.empty();
    }

    /** The bounds for {@code role}, the defaults where the service sets none; empty when any is wrong. */
    Optional<GroupBounds> bounds(NodeRole role) {
        GroupBounds fallback = defaults.get(role);
        int errorsBefore = labels.errorCount();
        int min = count(boundLabel(role, "Min"), fallback.min(), 0, Integer.MAX_VALUE);
        int max = count(boundLabel(role, "Max"), fallback.max(), 0, Integer.MAX_VALUE);
        int upBy = GroupBounds.AUTO.equals(labels.get(boundLabel(role, "UpBy"))) ? GroupBounds.UP_BY_TARGET
                : count(boundLabel(role, "UpBy"), fallback.upBy(), 1, PolicyParser.MAX_STEP);
        int downBy = count(boundLabel(role, "DownBy"), fallback.downBy(), 1, PolicyParser.MAX_STEP);
        if (labels.errorCount() > errorsBefore) {
            return Optional.empty();
        }
        if (min > max) {
            reportMinAboveMax(role, min, max);
            return Optional.empty();
        }
        return Optional.of(new GroupBounds(min, max, upBy, downBy));
    }

    /** Blames the label the service set: only Max when Min is the default. */
    private void reportMinAboveMax(NodeRole role, int min, int max) {
        String minLabel = boundLabel(role, "Min");
        String maxLabel = boundLabel(role, "Max");
        if (labels.has(minLabel)) {
            labels.error(minLabel, labels.get(minLabel), "a number no greater than the maximum (%s=%d%s)"
                    .formatted(maxLabel, max, labels.has(maxLabel) ? "" : ", the default"));
        } else {
            labels.error(maxLabel, labels.get(maxLabel),
                    "a number no less than the minimum (%s=%d, the default)".formatted(minLabel, min));
        }
    }

    /**
     * {@code com.df.scaleWorkerNodeWarm}: the standby nodes the group keeps, if the service sets it. Managers keep
     * none: a standby manager would be a Raft member that the odd-count and majority rules would have to count
     * while it runs nothing, so the manager label is refused.
     */
    OptionalInt warm(NodeRole role) {
        String label = boundLabel(role, WARM);
        String value = labels.get(label);
        if (value == null) {
            return OptionalInt.empty();
        }
        if (role == NodeRole.MANAGER) {
            labels.error(label, value, "no label: standby nodes are kept for workers only (a drained manager still"
                    + " votes in Raft, so it would upset the odd count of managers); use "
                    + boundLabel(NodeRole.WORKER, WARM));
            return OptionalInt.empty();
        }
        int errorsBefore = labels.errorCount();
        int count = count(label, 0, 0, PolicyParser.MAX_STEP);
        return labels.errorCount() > errorsBefore ? OptionalInt.empty() : OptionalInt.of(count);
    }

    /** A number of nodes from {@code lowest} to {@code highest}; {@code fallback} when unset or wrong. */
    private int count(String label, int fallback, int lowest, int highest) {
        String value = labels.get(label);
        if (value == null) {
            return fallback;
        }
        OptionalInt parsed = LabelGrammar.wholeNumber(value);
        if (parsed.isPresent() && parsed.getAsInt() >= lowest && parsed.getAsInt() <= highest) {
            return parsed.getAsInt();
        }
        labels.error(label, value, highest == Integer.MAX_VALUE
                ? "a whole number of nodes in ASCII digits, at least " + lowest
                : "a whole number of nodes in ASCII digits, from %d to %d%s"
                        .formatted(lowest, highest, label.endsWith(WARM) ? ""
                                : label.endsWith("UpBy") ? " (as the webhook's by), or auto (target tracking)"
                                : " (as the webhook's by)"));
        return fallback;
    }
}
