package io.swarmscaler.model;

/**
 * A label that could not be understood. The policy it belongs to is skipped; every other policy
 * still works.
 *
 * @param expected what a valid value looks like
 */
public record PolicyError(String service, String label, String value, String expected) {

    /** One line for logs and status: names the service, the label, the value and what is expected. */
    public String message() {
        return "service %s: label %s=\"%s\" is not valid: expected %s".formatted(service, label, value, expected);
    }

    @Override
    public String toString() {
        return message();
    }
}
