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

    record Notify(Notification notification) implements Action {}
}
