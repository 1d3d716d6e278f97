package io.swarmscaler.model;

import java.util.List;

/** The labels of one service and the errors found in them: every label reader reports through here. */
final class ServiceLabels {
    private final ServiceInfo service;
    private final List<PolicyError> errors;

    ServiceLabels(ServiceInfo service, List<PolicyError> errors) {
        this.service = service;
        this.errors = errors;
    }

    /** {@code com.df.NAME} for the unnumbered policy, {@code com.df.NAME.N} for policy N. */
    static String numbered(String name, String index) {
        return PolicyParser.PREFIX + name + (index.isEmpty() ? "" : "." + index);
    }

    ServiceInfo service() {
        return service;
    }

    /** The value of {@code label}, or null when the service does not set it. */
    String get(String label) {
        return service.labels().get(label);
    }

    boolean has(String label) {
        return service.labels().containsKey(label);
    }

    /** How many errors have been found so far: a reader compares it before and after to tell it found one. */
    int errorCount() {
        return errors.size();
    }

    void error(String label, String value, String expected) {
        errors.add(new PolicyError(service.name(), label, value == null ? "" : value, expected));
    }
}
