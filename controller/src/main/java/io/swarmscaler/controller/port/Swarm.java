package io.swarmscaler.controller.port;

import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Swarm this daemon runs on, as far as scaling needs it. Every change is idempotent. */
public interface Swarm {

    List<SwarmNode> nodes();

    List<ServiceInfo> services();

    /**
     * The tasks Swarm wants running (placed or pending), and every task on {@code nodesWithHistory}, those that
     * ended too (Swarm keeps a few per slot): what a drain moved away from those nodes. Ended tasks elsewhere are
     * not read, since at scale they are most of the list and no decision needs them.
     */
    List<TaskInfo> tasks(Set<String> nodesWithHistory);

    /**
     * The tasks of these services that Swarm wants running and has not placed on any node, with the scheduler's
     * reason: what a steady pass reads, only for the services short of tasks.
     */
    List<TaskInfo> pendingTasks(Set<String> serviceIds);

    /** {@code docker service scale}: the replicated service's replica count, with its current version. */
    void scaleService(String serviceId, int replicas);

    /** {@code docker service update --force}: Swarm re-places the service's tasks over today's nodes. */
    void forceUpdate(String serviceId);

    /**
     * Sets the label {@code markLabel=markValue} on the node, demotes it if it is a manager, and sets its
     * availability to drain, in that order, so that a crash in between leaves a mark to find.
     */
    void drain(String nodeId, String markLabel, String markValue);

    /** Availability back to active, then the mark removed. */
    void undrain(String nodeId, String markLabel);

    /**
     * One update of the node: its availability ({@code active} or {@code drain}) and these labels set and removed,
     * together or not at all.
     */
    void changeNode(String nodeId, String availability, Map<String, String> labelsSet, Set<String> labelsRemoved);

    /** {@code docker node rm --force}; a node that is gone already is fine. */
    void removeNode(String nodeId);

    /**
     * Calls {@code onChange} whenever a node or service changes (joined, became ready, updated), until closed,
     * except for the services named in {@code quietServices}: the scaler's own state, which it writes every few
     * seconds (the lease), would else wake a pass each time. Reconnects by itself when the event stream breaks.
     */
    AutoCloseable watch(Set<String> quietServices, Runnable onChange);
}
