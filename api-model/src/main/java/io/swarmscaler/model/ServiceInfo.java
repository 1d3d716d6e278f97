package io.swarmscaler.model;

import java.util.List;
import java.util.Map;

/** A Swarm service as the planner sees it: its labels and placement constraints. */
public record ServiceInfo(String id, String name, Map<String, String> labels, List<String> constraints) {
    public ServiceInfo {
        labels = Map.copyOf(labels);
        constraints = List.copyOf(constraints);
    }
}
