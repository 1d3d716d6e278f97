package io.swarmscaler.controller.port;

import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import java.util.List;

/** The Swarm this daemon runs on, as far as scaling needs it. */
public interface Swarm {

    List<SwarmNode> nodes();

    List<ServiceInfo> services();

    /** {@code docker service update --force}: Swarm re-places the service's tasks over today's nodes. */
    void forceUpdate(String serviceId);

    /**
     * Calls {@code onChange} whenever a node or service changes (joined, became ready, updated), until closed.
     * Reconnects by itself when the event stream breaks.
     */
    AutoCloseable watch(Runnable onChange);
}
