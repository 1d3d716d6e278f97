package io.swarmscaler.model;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the policies of one service: which policies it defines, then each one's labels. */
final class PolicyReader {
    /** The label keys of one policy, each unnumbered or with {@code .N}. */
    static final List<String> POLICY_KEYS = List.of("alertName", "alertIf", "alertFor", "alertLabels");

    private static final Pattern POLICY_KEY = Pattern.compile(
            "com\\.df\\.(alertName|alertIf|alertFor|alertLabels)(?:\\.(" + LabelGrammar.INDEX + "))?");

    private final ServiceLabels labels;
    private final PolicyParser.Settings settings;
    private final GroupLabels groups;

    PolicyReader(ServiceLabels labels, PolicyParser.Settings settings) {
        this.labels = labels;
        this.settings = settings;
        this.groups = new GroupLabels(labels, settings.defaultBounds());
    }

    /**
     * This service's policies into {@code policies}, the node size it gives its group into {@code shapes}, and the
     * standby nodes it asks its groups to keep into {@code warmPools} (the largest asked for wins).
     */
    void readInto(List<Policy> policies, Map<NodeRole, NodeShape> shapes, Map<NodeRole, Integer> warmPools) {
        new LookAlikeKeys(labels, settings.rescheduleLabel()).check();
        checkReschedule();
        // Bounds count on every service, with or without policies, for both groups: the webhook reads them too.
        Map<NodeRole, Optional<GroupBounds>> bounds = new EnumMap<>(NodeRole.class);
        for (NodeRole role : NodeRole.values()) {
            bounds.put(role, groups.bounds(role));
        }
        for (String index : policyIndices()) {
            readPolicy(index, bounds).ifPresent(policies::add);
        }
        readNodeShape(shapes);
        for (NodeRole role : NodeRole.values()) {
            groups.warm(role).ifPresent(k -> warmPools.merge(role, k, Math::max));
        }
    }

    /** {@link NodeShape#LABEL}, for the group the service's policies scale; the first service to give one wins. */
    private void readNodeShape(Map<NodeRole, NodeShape> shapes) {
        String value = labels.get(NodeShape.LABEL);
        if (value == null) {
            return;
        }
        Optional<NodeShape> shape = NodeShape.parse(value);
        if (shape.isEmpty()) {
            labels.error(NodeShape.LABEL, value, NodeShape.EXPECTED);
            return;
        }
        groups.role("").ifPresent(role -> shapes.putIfAbsent(role, shape.get()));
    }

    private void checkReschedule() {
        String value = labels.get(settings.rescheduleLabel());
        if (value != null && !LabelGrammar.isBoolean(value)) {
            labels.error(settings.rescheduleLabel(), value, "true or false");
        }
    }

    /** The numbers of the policies an {@code alertIf} defines; reports the labels of policies it does not. */
    private TreeSet<String> policyIndices() {
        Map<String, TreeSet<String>> indicesByKey = new HashMap<>();
        for (String key : labels.service().labels().keySet()) {
            Matcher m = POLICY_KEY.matcher(key);
            if (m.matches()) {
                indicesByKey.computeIfAbsent(m.group(1), k -> new TreeSet<>())
                        .add(m.group(2) == null ? "" : m.group(2));
            }
        }
        TreeSet<String> policyIndices = indicesByKey.getOrDefault("alertIf", new TreeSet<>());
        String defined = policyIndices.isEmpty() ? "none"
                : String.join(", ", policyIndices.stream().map(i -> ServiceLabels.numbered("alertIf", i)).toList());
        for (String name : POLICY_KEYS) {
            for (String index : indicesByKey.getOrDefault(name, new TreeSet<>())) {
                if (!policyIndices.contains(index)) {
                    String label = ServiceLabels.numbered(name, index);
                    String alertIf = ServiceLabels.numbered("alertIf", index);
                    labels.error(label, labels.get(label), ("a %s beside it: %s belongs to the policy defined by %s,"
                            + " and this service has none (its policies: %s)").formatted(alertIf, label, alertIf,
                                    defined));
                }
            }
        }
        return policyIndices;
    }

    private Optional<Policy> readPolicy(String index, Map<NodeRole, Optional<GroupBounds>> boundsByRole) {
        int errorsBefore = labels.errorCount();
        AlertLabels alertLabels = AlertLabels.read(labels, index);
        Optional<AlertIf> alertIf = AlertIf.read(labels, index, alertLabels.typeNode(), settings.legacyMetricNames());
        if (alertIf.isEmpty()) {
            return Optional.empty(); // a docker-flow-monitor service alert, not ours
        }
        alertLabels.reportErrors();
        Duration holdFor = holdFor(index);
        ScaleDirection direction = alertLabels.direction(alertIf.get().defaultDirection());
        Optional<Trend> trend = trend(index, direction, alertIf.get().condition());
        Optional<NodeRole> role = groups.role(index);
        // A bad bound was reported once for the service; every policy of its group is skipped.
        Optional<GroupBounds> bounds = role.flatMap(boundsByRole::get);
        if (labels.errorCount() > errorsBefore || role.isEmpty() || bounds.isEmpty()) {
            return Optional.empty();
        }
        if (direction == ScaleDirection.UP && bounds.get().tracksTarget()
                && alertIf.get().kind() != Policy.Kind.GROUP_MEMORY) {
            String label = GroupLabels.boundLabel(role.get(), "UpBy");
            labels.error(label, GroupBounds.AUTO, ("a whole number of nodes: auto (target tracking) needs the group's"
                    + " memory ratio, and %s is not @node_mem_limit_total_above").formatted(
                            ServiceLabels.numbered("alertIf", index)));
            return Optional.empty();
        }
        String service = labels.service().name();
        String alertName = labels.service().labels().getOrDefault(ServiceLabels.numbered("alertName", index),
                alertIf.get().defaultName(index));
        return Optional.of(new Policy(new PolicyId(service, index), alertName, alertIf.get().text(),
                alertIf.get().condition(), alertIf.get().kind(), holdFor, direction, role.get(), bounds.get(),
                alertLabels.usable(), alertIf.get().summary(alertName, service), trend));
    }

    /** {@code com.df.scaler.predict.N}: a horizon up to {@link PolicyParser#MAX_HOLD_FOR}, on a scale-up threshold. */
    private Optional<Trend> trend(String index, ScaleDirection direction, Condition condition) {
        String label = Trend.LABEL + (index.isEmpty() ? "" : "." + index);
        String value = labels.get(label);
        if (value == null) {
            return Optional.empty();
        }
        Optional<Duration> horizon = Durations.parse(value).filter(d -> !d.isZero()
                && d.compareTo(PolicyParser.MAX_HOLD_FOR) <= 0);
        if (horizon.isEmpty()) {
            labels.error(label, value, "a horizon: " + Durations.EXPECTED + ", above 0 and at most "
                    + Durations.format(PolicyParser.MAX_HOLD_FOR));
        } else if (direction != ScaleDirection.UP) {
            labels.error(label, value, "no label: a prediction never scales down or only notifies; put it on a"
                    + " scale=up policy");
        } else if (!(condition instanceof Condition.Threshold)) {
            labels.error(label, value, "a policy whose " + ServiceLabels.numbered("alertIf", index)
                    + " compares with a number (EXPR > NUMBER or a shortcut): only a value can be predicted");
        } else {
            return Optional.of(new Trend(horizon.get(), settings.trendLookback(), settings.trendStep()));
        }
        return Optional.empty();
    }

    /** {@code com.df.alertFor.N}: zero when unset, and at most {@link PolicyParser#MAX_HOLD_FOR}. */
    private Duration holdFor(String index) {
        String label = ServiceLabels.numbered("alertFor", index);
        String value = labels.get(label);
        if (value == null) {
            return Duration.ZERO;
        }
        Optional<Duration> parsed = Durations.parse(value);
        if (parsed.isEmpty() || parsed.get().compareTo(PolicyParser.MAX_HOLD_FOR) > 0) {
            labels.error(label, value, Durations.EXPECTED + ", at most " + Durations.format(PolicyParser.MAX_HOLD_FOR));
            return Duration.ZERO;
        }
        return parsed.get();
    }
}
