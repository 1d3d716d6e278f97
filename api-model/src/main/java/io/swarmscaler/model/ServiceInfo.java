package io.swarmscaler.model;

import java.util.List;
import java.util.Map;

/**
 * A Swarm service as the planner sees it: its labels, placement constraints and mode.
 *
 * @param replicas the number of tasks a replicated service asks for, or {@link #GLOBAL} for a global service
 * @param shortOfTasks fewer of its tasks run than it asks for (Swarm's {@code ServiceStatus}): some may be pending
 */
public record ServiceInfo(String id, String name, Map<String, String> labels, List<String> constraints, int replicas,
        boolean shortOfTasks) {
    public static final int GLOBAL = -1;

    public ServiceInfo {
        labels = Map.copyOf(labels);
        constraints = List.copyOf(constraints);
    }

    /** A service that runs all the tasks it asks for. */
    public ServiceInfo(String id, String name, Map<String, String> labels, List<String> constraints, int replicas) {
        this(id, name, labels, constraints, replicas, false);
    }

    /** Global services run one task per eligible node; their task on a removed node is not moved anywhere. */
    public boolean global() {
        return replicas == GLOBAL;
    }
}
