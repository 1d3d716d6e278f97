package io.swarmscaler.model;

/**
 * What the planner concluded about one subject (a policy or a group) in one cycle, including why it did
 * nothing. Logged when it changes, shown in the status.
 */
public record Decision(String subject, String text) {
    @Override
    public String toString() {
        return subject + ": " + text;
    }
}
