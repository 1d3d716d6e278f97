package io.swarmscaler.model;

import java.util.Map;

/**
 * A Swarm node as the planner sees it.
 *
 * @param address the address the node advertises ({@code Status.Addr})
 * @param engineLabels labels its Docker engine was started with (the local backend marks its nodes there)
 * @param labels the node labels set through the Swarm API
 */
public record SwarmNode(
        String id,
        String hostname,
        String address,
        NodeRole role,
        boolean ready,
        String availability,
        Map<String, String> engineLabels,
        Map<String, String> labels) {
    public SwarmNode {
        engineLabels = Map.copyOf(engineLabels);
        labels = Map.copyOf(labels);
    }
}
