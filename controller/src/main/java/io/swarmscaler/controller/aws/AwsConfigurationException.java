package io.swarmscaler.controller.aws;

import java.util.List;

/**
 * The AWS backend cannot work as configured: credentials missing or rejected, a permission missing, a group that
 * does not exist. Retrying does not help; the message names what to set. It never contains a secret value.
 */
public class AwsConfigurationException extends RuntimeException {
    private final List<String> problems;

    public AwsConfigurationException(String problem) {
        this(List.of(problem));
    }

    public AwsConfigurationException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : "AWS backend misconfigured:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
