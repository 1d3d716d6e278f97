package io.swarmscaler.model;

import java.util.List;

/**
 * A node group as observed in one cycle.
 *
 * @param backend the backend's name for messages ({@code local}, {@code aws})
 * @param desired the capacity the group was last asked for
 * @param providerMin the group's own lower limit (an ASG's MinSize), or 0 where it has none
 * @param providerMax the group's own upper limit, or {@link Integer#MAX_VALUE} where it has none
 */
public record NodeGroupState(
        NodeRole role, String backend, int desired, int providerMin, int providerMax, List<Instance> instances) {
    public NodeGroupState {
        instances = List.copyOf(instances);
    }

    /** Instances whose Swarm node is Ready and that are not leaving. */
    public int readyCount() {
        return (int) instances.stream().filter(i -> i.countsAsCapacity() && i.nodeReady()).count();
    }

    /** Capacity asked for but not yet Ready in the Swarm: a scale-up still on its way. */
    public int joiningCount() {
        return Math.max(0, desired - readyCount());
    }
}
