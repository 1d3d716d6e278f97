package io.swarmscaler.model;

import java.util.Locale;

/** How figures and changes are written in messages. */
final class Wording {
    /** The end of every sentence about a pending task that new nodes would not cure. */
    static final String NO_REASON_TO_SCALE = " no reason to scale";

    private Wording() {}

    /** The seed's sentence for a change of capacity, in either direction. */
    static String change(NodeRole role, String backend, int from, int to) {
        return "Changing the number of %s nodes on %s from %d to %d".formatted(role.word(), backend, from, to);
    }

    /** {@link #change} inside a sentence. */
    static String changing(NodeRole role, String backend, int from, int to) {
        return "c" + change(role, backend, from, to).substring(1);
    }

    /** A ratio as people write it: up to three decimals, no trailing zeros. */
    static String show(double value) {
        return String.format(Locale.ROOT, "%.3f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** Reservations or capacity as people read them: {@code 0.5 CPU and 3072 MiB}. */
    static String resources(long nanoCpus, long memoryBytes) {
        return "%s CPU and %d MiB".formatted(show(nanoCpus / 1e9), memoryBytes >> 20);
    }

    static String direction(ScaleDirection direction) {
        return direction == ScaleDirection.UP ? "up" : "down";
    }

    static String capitalised(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
