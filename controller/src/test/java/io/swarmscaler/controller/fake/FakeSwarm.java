package io.swarmscaler.controller.fake;

import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A Swarm in memory that keeps state: drained nodes stay drained, removed nodes are gone, and {@link FakeNodeGroup}s
 * add and take down nodes here as a backend's machines would. Every change is recorded for assertions.
 */
public final class FakeSwarm implements Swarm {
    private final Map<String, SwarmNode> nodes = new LinkedHashMap<>();
    private final List<ServiceInfo> services = new ArrayList<>();
    private final List<TaskInfo> tasks = new ArrayList<>();
    private final List<String> forceUpdated = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();
    /** Each task read: {@code all} or {@code pending of [ids]}. */
    private final List<String> taskReads = new ArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private int failingReads;
    private int failingDrains;
    private int failingScales;

    /** A Ready, active node that joined now (later nodes are newer). */
    public synchronized SwarmNode join(NodeRole role, boolean ready) {
        int n = nextId.getAndIncrement();
        SwarmNode node = new SwarmNode("node-" + n, "host-" + n, "10.0.0." + n, role, ready, "active",
                role == NodeRole.MANAGER, Map.of(), Map.of(), 2_000_000_000L, 4L << 30,
                Instant.EPOCH.plusSeconds(n));
        nodes.put(node.id(), node);
        return node;
    }

    /** The machine under the node went away: Swarm shows the node Down until it is removed. */
    public synchronized void goDown(String nodeId) {
        update(nodeId, n -> withState(n, false, n.availability(), n.labels()));
    }

    public synchronized void addService(ServiceInfo service) {
        services.add(service);
    }

    /** A task of a service added before; a pending one (no node) makes its service short of tasks. */
    public synchronized void addTask(TaskInfo task) {
        tasks.add(task);
    }

    /** The next {@code count} reads of the Swarm fail as an unreachable Docker would. */
    public synchronized void failNextReads(int count) {
        failingReads = count;
    }

    /** The next {@code count} drains are refused, as a node update out of sequence would be. */
    public synchronized void failNextDrains(int count) {
        failingDrains = count;
    }

    /** The next {@code count} service scalings are refused, as an update out of sequence would be. */
    public synchronized void failNextScales(int count) {
        failingScales = count;
    }

    public synchronized List<String> forceUpdated() {
        return List.copyOf(forceUpdated);
    }

    public synchronized List<String> taskReads() {
        return List.copyOf(taskReads);
    }

    public synchronized List<String> removed() {
        return List.copyOf(removed);
    }

    public synchronized List<SwarmNode> drained() {
        return nodes.values().stream().filter(n -> "drain".equals(n.availability())).toList();
    }

    @Override
    public synchronized List<SwarmNode> nodes() {
        read();
        return List.copyOf(nodes.values());
    }

    @Override
    public synchronized List<ServiceInfo> services() {
        read();
        return services.stream().map(s -> new ServiceInfo(s.id(), s.name(), s.labels(), s.constraints(), s.replicas(),
                tasks.stream().anyMatch(t -> t.pending() && t.serviceId().equals(s.id())))).toList();
    }

    @Override
    public synchronized List<TaskInfo> tasks(Set<String> nodesWithHistory) {
        read();
        taskReads.add("all");
        return List.copyOf(tasks);
    }

    @Override
    public synchronized List<TaskInfo> pendingTasks(Set<String> serviceIds) {
        read();
        taskReads.add("pending of " + new java.util.TreeSet<>(serviceIds));
        return tasks.stream().filter(t -> t.pending() && serviceIds.contains(t.serviceId())).toList();
    }

    private void read() {
        if (failingReads > 0) {
            failingReads--;
            throw new BackendUnavailableException("Docker at unix:///fake.sock is unreachable", null);
        }
    }

    @Override
    public synchronized void scaleService(String serviceId, int replicas) {
        if (failingScales > 0) {
            failingScales--;
            throw new IllegalStateException("update out of sequence");
        }
        services.replaceAll(s -> s.id().equals(serviceId)
                ? new ServiceInfo(s.id(), s.name(), s.labels(), s.constraints(), replicas) : s);
    }

    @Override
    public synchronized void forceUpdate(String serviceId) {
        forceUpdated.add(serviceId);
    }

    @Override
    public synchronized void drain(String nodeId, String markLabel, String markValue) {
        if (failingDrains > 0) {
            failingDrains--;
            throw new IllegalStateException("update out of sequence");
        }
        update(nodeId, n -> {
            Map<String, String> labels = new HashMap<>(n.labels());
            labels.put(markLabel, markValue);
            return withState(n, n.ready(), "drain", labels);
        });
    }

    @Override
    public synchronized void undrain(String nodeId, String markLabel) {
        update(nodeId, n -> {
            Map<String, String> labels = new HashMap<>(n.labels());
            labels.remove(markLabel);
            return withState(n, n.ready(), "active", labels);
        });
    }

    @Override
    public synchronized void changeNode(String nodeId, String availability, Map<String, String> labelsSet,
            java.util.Set<String> labelsRemoved) {
        update(nodeId, n -> {
            Map<String, String> labels = new HashMap<>(n.labels());
            labels.putAll(labelsSet);
            labels.keySet().removeAll(labelsRemoved);
            return withState(n, n.ready(), availability, labels);
        });
    }

    @Override
    public synchronized void removeNode(String nodeId) {
        if (nodes.remove(nodeId) != null) {
            removed.add(nodeId);
        }
    }

    @Override
    public AutoCloseable watch(Set<String> quietServices, Runnable onChange) {
        return () -> {};
    }

    private void update(String nodeId, UnaryOperator<SwarmNode> change) {
        nodes.computeIfPresent(nodeId, (id, n) -> change.apply(n));
    }

    private static SwarmNode withState(SwarmNode n, boolean ready, String availability, Map<String, String> labels) {
        return new SwarmNode(n.id(), n.hostname(), n.address(), n.role(), ready, availability, n.managerReachable(),
                n.engineLabels(), labels, n.nanoCpus(), n.memoryBytes(), n.createdAt());
    }
}
