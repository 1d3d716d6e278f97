package io.swarmscaler.controller.fake;

import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.model.Instance;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.SwarmNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node group whose machines are nodes of a {@link FakeSwarm}: raising the desired capacity joins Ready nodes
 * there at once, terminating an instance takes its node Down. Calls are recorded; the next ones can be made to
 * fail as a backend that refuses them.
 */
public final class FakeNodeGroup implements NodeGroup {
    private final NodeRole role;
    private final FakeSwarm swarm;
    /** Instance id to the id of the node it runs. */
    private final Map<String, String> instances = new LinkedHashMap<>();
    private final List<Integer> desiredCapacities = new ArrayList<>();
    private final List<String> terminated = new ArrayList<>();
    private int nextInstance = 1;
    private int failingChanges;

    public FakeNodeGroup(NodeRole role, FakeSwarm swarm, int initialNodes) {
        this.role = role;
        this.swarm = swarm;
        for (int i = 0; i < initialNodes; i++) {
            launch();
        }
    }

    /** The next {@code count} calls of {@link #setDesiredCapacity} throw, as a throttled or refusing backend. */
    public synchronized void failNextChanges(int count) {
        failingChanges = count;
    }

    /** Every desired capacity asked for that the backend took, in order. */
    public synchronized List<Integer> desiredCapacities() {
        return List.copyOf(desiredCapacities);
    }

    public synchronized List<String> terminated() {
        return List.copyOf(terminated);
    }

    public synchronized int size() {
        return instances.size();
    }

    @Override
    public NodeRole role() {
        return role;
    }

    @Override
    public String backend() {
        return "fake";
    }

    @Override
    public synchronized Capacity capacity() {
        List<Instance> listed = instances.keySet().stream()
                .map(id -> new Instance(id, Instance.Lifecycle.IN_SERVICE, "", false))
                .toList();
        return new Capacity(instances.size(), 0, Integer.MAX_VALUE, listed, Optional.empty(), Optional.empty());
    }

    @Override
    public synchronized void setDesiredCapacity(int desired) {
        if (failingChanges > 0) {
            failingChanges--;
            throw new BackendUnavailableException("the fake backend refused desired capacity " + desired, null);
        }
        desiredCapacities.add(desired);
        while (instances.size() < desired) {
            launch();
        }
        while (instances.size() > desired) {
            // like an ASG left to choose: the newest goes
            String newest = List.copyOf(instances.keySet()).get(instances.size() - 1);
            terminate(newest);
        }
    }

    @Override
    public synchronized void terminate(String instanceId) {
        String nodeId = instances.remove(instanceId);
        if (nodeId != null) {
            terminated.add(instanceId);
            swarm.goDown(nodeId);
        }
    }

    @Override
    public synchronized Optional<String> instanceIdOf(SwarmNode node) {
        return instances.entrySet().stream().filter(e -> e.getValue().equals(node.id())).map(Map.Entry::getKey)
                .findFirst();
    }

    private void launch() {
        SwarmNode node = swarm.join(role, true);
        instances.put("i-" + role.word() + "-" + nextInstance++, node.id());
    }
}
