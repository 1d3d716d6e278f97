package io.swarmscaler.model;

/**
 * What the planner concluded about one subject (a policy, a group, a node or a request) in one pass, including
 * why it did nothing. Logged when its reason changes, shown in the status.
 */
public record Decision(String subject, Reason reason) {

    public String text() {
        return reason.message();
    }

    @Override
    public String toString() {
        return subject + ": " + text();
    }
}
