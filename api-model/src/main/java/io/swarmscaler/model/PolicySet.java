package io.swarmscaler.model;

import java.util.List;
import java.util.Map;

/**
 * Everything the labels declare: the policies understood, the errors in the rest, the size of a new node of a
 * group where a service gives it ({@link NodeShape#LABEL}), and the standby nodes a group keeps where a service
 * sets {@code com.df.scaleWorkerNodeWarm} ({@link WarmPool}).
 */
public record PolicySet(List<Policy> policies, List<PolicyError> errors, Map<NodeRole, NodeShape> nodeShapes,
        Map<NodeRole, Integer> warmPools) {
    public PolicySet {
        policies = List.copyOf(policies);
        errors = List.copyOf(errors);
        nodeShapes = Map.copyOf(nodeShapes);
        warmPools = Map.copyOf(warmPools);
    }

    public PolicySet(List<Policy> policies, List<PolicyError> errors) {
        this(policies, errors, Map.of(), Map.of());
    }
}
