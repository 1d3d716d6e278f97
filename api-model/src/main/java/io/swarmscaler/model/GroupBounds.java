package io.swarmscaler.model;

/** How far a policy may move a node group: size limits and step sizes. */
public record GroupBounds(int min, int max, int upBy, int downBy) {
    public GroupBounds {
        if (min < 0 || max < min || upBy < 1 || downBy < 1) {
            throw new IllegalArgumentException(
                    "bounds need 0 <= min <= max and steps >= 1, got min=%d max=%d upBy=%d downBy=%d"
                            .formatted(min, max, upBy, downBy));
        }
    }

    /** The old tool's defaults: workers 0..5, managers 3..7, steps of one node. */
    public static GroupBounds defaultsFor(NodeRole role) {
        return role == NodeRole.WORKER ? new GroupBounds(0, 5, 1, 1) : new GroupBounds(3, 7, 1, 1);
    }
}
