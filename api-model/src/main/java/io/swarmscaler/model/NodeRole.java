package io.swarmscaler.model;

import java.util.Locale;
import java.util.Optional;

/** The two node groups a Swarm has; each maps to one scalable group of machines. */
public enum NodeRole {
    WORKER,
    MANAGER;

    /** The word Swarm and our labels use: {@code worker} or {@code manager}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The capitalised form used inside label names such as {@code com.df.scaleWorkerNodeMax}. */
    public String labelInfix() {
        return this == WORKER ? "Worker" : "Manager";
    }

    public static Optional<NodeRole> fromWord(String word) {
        String ascii = word.trim();
        // ASCII letters only: equalsIgnoreCase would take the Kelvin sign (U+212A) for a k.
        if (!ascii.matches("[A-Za-z]+")) {
            return Optional.empty();
        }
        for (NodeRole role : values()) {
            if (role.word().equalsIgnoreCase(ascii)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
