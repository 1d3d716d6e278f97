package io.swarmscaler.model;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one node of a group offers to tasks: CPU and memory, as Swarm counts them against reservations.
 *
 * @param nanoCpus in billionths of a CPU, as Swarm's {@code NanoCPUs}
 */
public record NodeShape(long nanoCpus, long memoryBytes) {
    /** How the {@link #LABEL} value is written. */
    public static final String EXPECTED = "cpus=N,memory=N followed by MiB or GiB, e.g. cpus=2,memory=4GiB";
    /** Our service label giving the size of a new node of the group the service's policies scale. */
    public static final String LABEL = "com.df.scaler.nodeShape";

    private static final Pattern FORM = Pattern.compile(
            "\\s*cpus\\s*=\\s*([0-9]{1,3}(?:\\.[0-9]{1,3})?)\\s*,\\s*memory\\s*=\\s*([0-9]{1,7})\\s*(MiB|GiB)\\s*");

    public NodeShape {
        if (nanoCpus < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("a node offers no negative resources: " + nanoCpus + ", " + memoryBytes);
        }
    }

    /** The shape written as {@link #EXPECTED}; empty when it is not written so, or offers nothing. */
    public static Optional<NodeShape> parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long nanoCpus = Math.round(Double.parseDouble(m.group(1)) * 1e9);
        long memory = Long.parseLong(m.group(2)) << (m.group(3).equals("GiB") ? 30 : 20);
        return nanoCpus > 0 && memory > 0 ? Optional.of(new NodeShape(nanoCpus, memory)) : Optional.empty();
    }

    /** Whether a task reserving this much fits on an empty node of this shape. */
    boolean holds(TaskInfo task) {
        return task.reservedNanoCpus() <= nanoCpus && task.reservedMemoryBytes() <= memoryBytes;
    }

    /** As people read it: {@code 2 CPU and 4096 MiB}. */
    String words() {
        return Wording.resources(nanoCpus, memoryBytes);
    }
}
