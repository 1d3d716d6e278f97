package io.swarmscaler.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything one reconcile cycle read from the world. */
public record ObservedState(
        Map<NodeRole, NodeGroupState> groups, List<ServiceInfo> services, Map<PolicyId, QueryResult> results) {
    public ObservedState {
        groups = Map.copyOf(groups);
        services = List.copyOf(services);
        results = Map.copyOf(results);
    }

    public Optional<NodeGroupState> group(NodeRole role) {
        return Optional.ofNullable(groups.get(role));
    }

    public QueryResult result(PolicyId id) {
        return results.getOrDefault(id, new QueryResult.NoData("not queried"));
    }
}
