package io.swarmscaler.controller.config;

import java.util.List;

/** The configuration cannot be used; start-up stops with every problem listed. */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
