package io.swarmscaler.model;

import java.util.List;
import java.util.Map;

/**
 * Everything the labels declare: the policies understood, the errors in the rest, and what services declare of
 * the groups themselves ({@link GroupLabels}).
 */
public record PolicySet(List<Policy> policies, List<PolicyError> errors, GroupLabels groups) {
    public PolicySet {
        policies = List.copyOf(policies);
        errors = List.copyOf(errors);
    }

    public PolicySet(List<Policy> policies, List<PolicyError> errors) {
        this(policies, errors, GroupLabels.NONE);
    }

    /**
     * What services declare of a group rather than of a policy: the size of the group's new nodes where a service
     * gives it ({@link NodeShape#LABEL}), and the standby nodes it keeps where a service sets
     * {@code com.df.scaleWorkerNodeWarm} ({@link WarmPool}).
     */
    public record GroupLabels(Map<NodeRole, NodeShape> nodeShapes, Map<NodeRole, Integer> warmPools) {
        public static final GroupLabels NONE = new GroupLabels(Map.of(), Map.of());

        public GroupLabels {
            nodeShapes = Map.copyOf(nodeShapes);
            warmPools = Map.copyOf(warmPools);
        }
    }
}
