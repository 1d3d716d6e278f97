package io.swarmscaler.model;

import java.util.List;
import java.util.Map;

/**
 * Everything the labels declare: the policies understood, the errors in the rest, and the size of a new node
 * of a group where a service gives it ({@link NodeShape#LABEL}).
 */
public record PolicySet(List<Policy> policies, List<PolicyError> errors, Map<NodeRole, NodeShape> nodeShapes) {
    public PolicySet {
        policies = List.copyOf(policies);
        errors = List.copyOf(errors);
        nodeShapes = Map.copyOf(nodeShapes);
    }

    public PolicySet(List<Policy> policies, List<PolicyError> errors) {
        this(policies, errors, Map.of());
    }
}
