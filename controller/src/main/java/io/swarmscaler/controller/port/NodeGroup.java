package io.swarmscaler.controller.port;

import io.swarmscaler.model.Instance;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.NodeShape;
import io.swarmscaler.model.SwarmNode;
import java.util.List;
import java.util.Optional;

/** A group of machines that run Swarm nodes of one role, whose size we can change (an ASG, local dockerds). */
public interface NodeGroup {

    NodeRole role();

    /** The backend's name for people: {@code local}, {@code aws}. */
    String backend();

    Capacity capacity();

    /** Asks for {@code desired} machines; new ones boot and join the Swarm on their own. */
    void setDesiredCapacity(int desired);

    /**
     * Terminates this very instance and lowers the desired capacity by one (never "lower the capacity and let the
     * provider pick"). An instance that is gone already is fine.
     */
    void terminate(String instanceId);

    /** Which of this group's instances runs {@code node}, if any. */
    Optional<String> instanceIdOf(SwarmNode node);

    /**
     * @param min the group's own lower limit, 0 where it has none
     * @param max the group's own upper limit, {@link Integer#MAX_VALUE} where it has none
     * @param instances with their lifecycle; the Swarm node fields of {@link Instance} are not known here
     * @param launchFailure the backend's account of its latest launch, when that launch failed
     * @param launchShape the size of a node the group launches, where the backend can tell it without a node (an
     *     Auto Scaling group's instance type); asked for only while the group has no instance
     */
    record Capacity(int desired, int min, int max, List<Instance> instances, Optional<String> launchFailure,
            Optional<NodeShape> launchShape) {
        public Capacity {
            instances = List.copyOf(instances);
        }
    }
}
