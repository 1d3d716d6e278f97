package io.swarmscaler.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything one reconcile cycle read from the world, with the lookups a pass makes (service or node by id, tasks
 * by node or by service) indexed once here, so that planning stays linear in the size of the cluster.
 */
public final class ObservedState {
    private final Map<NodeRole, NodeGroupState> groups;
    private final List<SwarmNode> nodes;
    private final List<ServiceInfo> services;
    private final List<TaskInfo> tasks;
    private final Map<PolicyId, QueryResult> results;
    private final List<ScaleRequest> requests;
    private final Map<PolicyId, Trend.Forecast> forecasts;
    private final Map<String, SwarmNode> nodeById;
    private final Map<String, ServiceInfo> serviceById;
    private final Map<String, List<TaskInfo>> tasksByNode;
    /** Built on first use: only a drain's progress reads it, and most passes follow no drain. */
    private volatile Map<String, List<TaskInfo>> tasksByService;

    /**
     * @param requests scale requests received since the last cycle
     * @param forecasts what Prometheus predicted for the trend policies
     */
    public ObservedState(
            Map<NodeRole, NodeGroupState> groups,
            List<SwarmNode> nodes,
            List<ServiceInfo> services,
            List<TaskInfo> tasks,
            Map<PolicyId, QueryResult> results,
            List<ScaleRequest> requests,
            Map<PolicyId, Trend.Forecast> forecasts) {
        this.forecasts = Map.copyOf(forecasts);
        this.groups = Map.copyOf(groups);
        this.nodes = List.copyOf(nodes);
        this.services = List.copyOf(services);
        this.tasks = List.copyOf(tasks);
        this.results = Map.copyOf(results);
        this.requests = List.copyOf(requests);
        this.nodeById = firstById(this.nodes, SwarmNode::id);
        this.serviceById = firstById(this.services, ServiceInfo::id);
        this.tasksByNode = grouped(this.tasks, TaskInfo::nodeId);
    }

    public Map<NodeRole, NodeGroupState> groups() {
        return groups;
    }

    public List<SwarmNode> nodes() {
        return nodes;
    }

    public List<ServiceInfo> services() {
        return services;
    }

    public List<TaskInfo> tasks() {
        return tasks;
    }

    public Map<PolicyId, QueryResult> results() {
        return results;
    }

    public List<ScaleRequest> requests() {
        return requests;
    }

    public Optional<NodeGroupState> group(NodeRole role) {
        return Optional.ofNullable(groups.get(role));
    }

    public Optional<Trend.Forecast> forecast(PolicyId id) {
        return Optional.ofNullable(forecasts.get(id));
    }

    public Map<PolicyId, Trend.Forecast> forecasts() {
        return forecasts;
    }

    public QueryResult result(PolicyId id) {
        return results.getOrDefault(id, new QueryResult.NoData("not queried"));
    }

    /** O(1). */
    public Optional<SwarmNode> node(String id) {
        return Optional.ofNullable(nodeById.get(id));
    }

    /** O(1). */
    public Optional<ServiceInfo> service(String id) {
        return Optional.ofNullable(serviceById.get(id));
    }

    /** Every task assigned to the node (of any state read), in the order observed; O(1). */
    public List<TaskInfo> tasksOnNode(String nodeId) {
        return tasksByNode.getOrDefault(nodeId, List.of());
    }

    /** Every task of the service (of any state read), in the order observed; O(1) after the first call. */
    public List<TaskInfo> tasksOfService(String serviceId) {
        Map<String, List<TaskInfo>> byService = tasksByService;
        if (byService == null) { // two threads may both build it: the same map, either is right
            byService = grouped(tasks, TaskInfo::serviceId);
            tasksByService = byService;
        }
        return byService.getOrDefault(serviceId, List.of());
    }

    /** The first of each id wins, as a linear search would find it. */
    private static <T> Map<String, T> firstById(List<T> items, Function<T, String> id) {
        Map<String, T> byId = new HashMap<>(items.size() * 2);
        for (T item : items) {
            byId.putIfAbsent(id.apply(item), item);
        }
        return byId;
    }

    private static Map<String, List<TaskInfo>> grouped(List<TaskInfo> tasks,
            Function<TaskInfo, String> key) {
        Map<String, List<TaskInfo>> groups = new HashMap<>();
        for (TaskInfo task : tasks) {
            groups.computeIfAbsent(key.apply(task), k -> new ArrayList<>()).add(task);
        }
        groups.replaceAll((k, list) -> List.copyOf(list));
        return groups;
    }

    @Override
    public String toString() {
        return "ObservedState[%d groups, %d nodes, %d services, %d tasks, %d results, %d requests]".formatted(
                groups.size(), nodes.size(), services.size(), tasks.size(), results.size(), requests.size());
    }
}
