package io.swarmscaler.model;

import java.util.List;

/** One change the actuator makes. Actions are idempotent when repeated against the same world. */
public sealed interface Action {

    /** Ask the group for {@code to} nodes (it had {@code from}). */
    record ScaleGroup(NodeRole role, int from, int to, String reason) implements Action {}

    /** Force-update these services so that Swarm spreads their tasks over the nodes that exist now. */
    record Reschedule(List<ServiceInfo> services, String reason) implements Action {
        public Reschedule {
            services = List.copyOf(services);
        }
    }

    /**
     * Mark the node as being drained by us (with the time), demote it first if it is a manager, and set its
     * availability to drain, so that Swarm moves its tasks away.
     */
    record DrainNode(SwarmNode node, String reason) implements Action {}

    /**
     * The node's tasks run elsewhere: terminate its instance in the group ({@code instanceId} empty when it is
     * gone already), then remove the node from the Swarm.
     */
    record RemoveNode(SwarmNode node, NodeRole group, String instanceId, String reason) implements Action {}

    /**
     * Terminate instances that never became Ready Swarm nodes (a launch that failed or timed out), lowering the
     * group's desired capacity with each, so the group is not stuck waiting for them.
     */
    record TerminateInstances(NodeRole role, List<String> instanceIds, String reason) implements Action {
        public TerminateInstances {
            instanceIds = List.copyOf(instanceIds);
        }
    }

    /** Give up a drain: availability back to active and our mark removed. */
    record UndrainNode(SwarmNode node, String reason) implements Action {}

    /** A warm pool's change of a node, in one node update: see {@link WarmPool.Step}. */
    record StandbyStep(SwarmNode node, WarmPool.Step step, String reason) implements Action {}

    /**
     * Set the service's replicas as {@code scaling} says, for the scale request {@code requestId}; {@code request}
     * is the old tool's annotation of the notification, e.g. {@code Scale service up: web}.
     */
    record ScaleService(ServiceInfo service, ServiceScaling.Scaling scaling, String requestId, String request)
            implements Action {}

    record Notify(Notification notification) implements Action {}
}
