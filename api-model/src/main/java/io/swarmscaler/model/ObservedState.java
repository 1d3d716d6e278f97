package io.swarmscaler.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one reconcile cycle read from the world.
 *
 * @param requests scale requests received since the last cycle
 */
public record ObservedState(
        Map<NodeRole, NodeGroupState> groups,
        List<SwarmNode> nodes,
        List<ServiceInfo> services,
        List<TaskInfo> tasks,
        Map<PolicyId, QueryResult> results,
        List<ScaleRequest> requests) {
    public ObservedState {
        groups = Map.copyOf(groups);
        nodes = List.copyOf(nodes);
        services = List.copyOf(services);
        tasks = List.copyOf(tasks);
        results = Map.copyOf(results);
        requests = List.copyOf(requests);
    }

    public Optional<NodeGroupState> group(NodeRole role) {
        return Optional.ofNullable(groups.get(role));
    }

    public QueryResult result(PolicyId id) {
        return results.getOrDefault(id, new QueryResult.NoData("not queried"));
    }

    public Optional<SwarmNode> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    public Optional<ServiceInfo> service(String id) {
        return services.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
