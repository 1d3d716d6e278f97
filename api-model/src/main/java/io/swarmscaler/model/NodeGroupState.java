package io.swarmscaler.model;

import java.util.List;
import java.util.Optional;

/**
 * A node group as observed in one cycle.
 *
 * @param backend the backend's name for messages ({@code local}, {@code aws})
 * @param desired the capacity the group was last asked for
 * @param providerMin the group's own lower limit (an ASG's MinSize), or 0 where it has none
 * @param providerMax the group's own upper limit, or {@link Integer#MAX_VALUE} where it has none
 * @param launchFailure the backend's account of its latest failed launch, if the latest launch failed
 * @param launchShape the size of a node the group launches, where the backend tells it (an Auto Scaling group's
 *     instance type); read while the group has no instance, the only time no node shows it
 */
public record NodeGroupState(NodeRole role, String backend, int desired, int providerMin, int providerMax,
        List<Instance> instances, Optional<String> launchFailure, Optional<NodeShape> launchShape) {
    public NodeGroupState {
        instances = List.copyOf(instances);
    }

    public NodeGroupState(NodeRole role, String backend, int desired, int providerMin, int providerMax,
            List<Instance> instances) {
        this(role, backend, desired, providerMin, providerMax, instances, Optional.empty(), Optional.empty());
    }

    /** Instances whose Swarm node is Ready, that are not leaving and not standing by: the capacity. */
    public int readyCount() {
        return (int) instances.stream().filter(i -> i.countsAsCapacity() && i.nodeReady() && !i.standby()).count();
    }

    /** Instances whose Swarm node is a Ready warm standby node: the pool, not capacity. */
    public int standbyCount() {
        return (int) instances.stream().filter(i -> i.countsAsCapacity() && i.nodeReady() && i.standby()).count();
    }

    /** Machines asked for but not yet Ready in the Swarm: a scale-up (or a refill of the pool) on its way. */
    public int joiningCount() {
        return Math.max(0, desired - readyCount() - standbyCount());
    }

    public Optional<Instance> instanceOnNode(String nodeId) {
        return instances.stream().filter(i -> i.nodeId().equals(nodeId)).findFirst();
    }
}
