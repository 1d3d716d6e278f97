package io.swarmscaler.model;

/**
 * How far a policy may move a node group: size limits and step sizes.
 *
 * @param upBy nodes added per scale-up, or {@link #UP_BY_TARGET}: as many as bring the memory ratio to its target
 */
public record GroupBounds(int min, int max, int upBy, int downBy) {
    /** {@code com.df.scale…NodeUpBy=auto}: target tracking, the step computed from the value at each breach. */
    public static final int UP_BY_TARGET = 0;
    /** How {@link #UP_BY_TARGET} is written in a label. */
    public static final String AUTO = "auto";

    public GroupBounds {
        if (min < 0 || max < min || (upBy < 1 && upBy != UP_BY_TARGET) || downBy < 1) {
            throw new IllegalArgumentException(
                    "bounds need 0 <= min <= max and steps >= 1, got min=%d max=%d upBy=%d downBy=%d"
                            .formatted(min, max, upBy, downBy));
        }
    }

    /** The old tool's defaults: workers 0..5, managers 3..7, steps of one node. */
    public static GroupBounds defaultsFor(NodeRole role) {
        return role == NodeRole.WORKER ? new GroupBounds(0, 5, 1, 1) : new GroupBounds(3, 7, 1, 1);
    }

    public boolean tracksTarget() {
        return upBy == UP_BY_TARGET;
    }

    /** The scale-up step as written in the label: a number, or {@code auto}. */
    public String upByWords() {
        return tracksTarget() ? AUTO : Integer.toString(upBy);
    }
}
