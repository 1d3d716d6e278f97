package io.swarmscaler.model;

import java.util.List;

/** Everything the labels declare: the policies understood and the errors in the rest. */
public record PolicySet(List<Policy> policies, List<PolicyError> errors) {
    public PolicySet {
        policies = List.copyOf(policies);
        errors = List.copyOf(errors);
    }
}
