package io.swarmscaler.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads node-scaling policies from service labels in the seed's vocabulary ({@code com.df.alertIf.N} and
 * friends, see README "Policies in labels").
 *
 * <p>A policy is ours when its {@code alertIf} uses a {@code @node_} shortcut or its {@code alertLabels}
 * say {@code type=node}; other {@code alertIf} labels belong to docker-flow-monitor's service alerts and are
 * left alone. Every label of ours that cannot be understood becomes a {@link PolicyError}; the policy it
 * belongs to is skipped and the others still work.
 *
 * <p>The entry point only: {@link PolicyReader} reads one service's policies with the help of one small reader
 * per kind of label, so each label's rule lives in one place.
 */
public final class PolicyParser {
    public static final String PREFIX = "com.df.";
    /** Our label naming the node group explicitly, per policy ({@code .N}) or for the whole service. */
    public static final String NODE_GROUP_LABEL = "com.df.scaler.nodeGroup";
    /** The largest step {@code com.df.scale*NodeUpBy/DownBy} may take, as the webhook's {@code by}. */
    public static final int MAX_STEP = 100;
    /** The longest {@code com.df.alertFor}: a condition held for longer is not a scaling signal. */
    public static final Duration MAX_HOLD_FOR = Duration.ofHours(24);

    /**
     * @param defaultBounds bounds used where a service sets no {@code com.df.scale*Node*} label
     * @param legacyMetricNames expand shortcuts with node-exporter's names before 0.16 (no {@code _bytes})
     * @param rescheduleLabel the label that marks services to reschedule; its value must be true or false
     * @param trendLookback how far back a trend policy fits its line ({@link Trend})
     * @param trendStep the step of that fit's subquery
     */
    public record Settings(Map<NodeRole, GroupBounds> defaultBounds, boolean legacyMetricNames,
            String rescheduleLabel, Duration trendLookback, Duration trendStep) {
        public static final String DEFAULT_RESCHEDULE_LABEL = "com.df.reschedule";

        public Settings {
            defaultBounds = Map.copyOf(defaultBounds);
        }

        public Settings(Map<NodeRole, GroupBounds> defaultBounds, boolean legacyMetricNames, String rescheduleLabel) {
            this(defaultBounds, legacyMetricNames, rescheduleLabel, Trend.DEFAULT_LOOKBACK, Trend.DEFAULT_STEP);
        }

        public Settings(Map<NodeRole, GroupBounds> defaultBounds, boolean legacyMetricNames) {
            this(defaultBounds, legacyMetricNames, DEFAULT_RESCHEDULE_LABEL);
        }

        public static Settings defaults() {
            return new Settings(
                    Map.of(NodeRole.WORKER, GroupBounds.defaultsFor(NodeRole.WORKER),
                            NodeRole.MANAGER, GroupBounds.defaultsFor(NodeRole.MANAGER)),
                    false);
        }
    }

    private final Settings settings;

    public PolicyParser(Settings settings) {
        this.settings = settings;
    }

    public PolicySet parse(List<ServiceInfo> services) {
        List<Policy> policies = new ArrayList<>();
        List<PolicyError> errors = new ArrayList<>();
        Map<NodeRole, NodeShape> shapes = new EnumMap<>(NodeRole.class);
        Map<NodeRole, Integer> warmPools = new EnumMap<>(NodeRole.class);
        for (ServiceInfo service : services) {
            new PolicyReader(new ServiceLabels(service, errors), settings).readInto(policies, shapes, warmPools);
        }
        policies.sort((a, b) -> a.id().compareTo(b.id()));
        return new PolicySet(policies, errors, new PolicySet.GroupLabels(shapes, warmPools));
    }

    /**
     * The node-group bounds the {@code com.df.scale*Node*} labels of {@code service} give for {@code role} (the
     * defaults where it sets none), or the errors in them.
     */
    public Bounds bounds(ServiceInfo service, NodeRole role) {
        List<PolicyError> errors = new ArrayList<>();
        Optional<GroupBounds> bounds =
                new GroupLabels(new ServiceLabels(service, errors), settings.defaultBounds()).bounds(role);
        return new Bounds(bounds, errors);
    }

    public GroupBounds defaultBounds(NodeRole role) {
        return settings.defaultBounds().get(role);
    }

    /** The label that holds the expression of policy {@code id}, to name in errors found after parsing. */
    public static String alertIfLabel(PolicyId id) {
        return ServiceLabels.numbered("alertIf", id.index());
    }

    /** Bounds read from labels: present when {@code errors} is empty. */
    public record Bounds(Optional<GroupBounds> bounds, List<PolicyError> errors) {
        public Bounds {
            errors = List.copyOf(errors);
        }
    }
}
