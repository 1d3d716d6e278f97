package io.swarmscaler.controller.port;

import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.util.List;

/** The Swarm this daemon runs on, as far as scaling needs it. Every change is idempotent. */
public interface Swarm {

    List<SwarmNode> nodes();

    List<ServiceInfo> services();

    /** Tasks of every service, including those that ended (Swarm keeps a few per slot). */
    List<TaskInfo> tasks();

    /** {@code docker service update --force}: Swarm re-places the service's tasks over today's nodes. */
    void forceUpdate(String serviceId);

    /**
     * Sets the label {@code markLabel=markValue} on the node, demotes it if it is a manager, and sets its
     * availability to drain, in that order, so that a crash in between leaves a mark to find.
     */
    void drain(String nodeId, String markLabel, String markValue);

    /** Availability back to active, then the mark removed. */
    void undrain(String nodeId, String markLabel);

    /** {@code docker node rm --force}; a node that is gone already is fine. */
    void removeNode(String nodeId);

    /**
     * Calls {@code onChange} whenever a node or service changes (joined, became ready, updated), until closed.
     * Reconnects by itself when the event stream breaks.
     */
    AutoCloseable watch(Runnable onChange);
}
