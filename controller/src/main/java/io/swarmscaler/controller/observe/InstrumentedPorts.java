package io.swarmscaler.controller.observe;

import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.QueryResult;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;

/** Wraps the ports so that every call to Docker, Prometheus and a node group backend is timed and counted. */
public final class InstrumentedPorts {
    private InstrumentedPorts() {}

    public static Swarm swarm(Swarm swarm, ScalerMetrics metrics) {
        return new TimedSwarm(swarm, metrics);
    }

    public static Metrics metrics(Metrics prometheus, ScalerMetrics metrics) {
        return new TimedMetrics(prometheus, metrics);
    }

    public static List<NodeGroup> groups(List<NodeGroup> groups, ScalerMetrics metrics) {
        return groups.stream().<NodeGroup>map(g -> new TimedNodeGroup(g, metrics)).toList();
    }

    private record TimedSwarm(Swarm swarm, ScalerMetrics metrics) implements Swarm {
        private static final String DOCKER = "docker";

        @Override
        public List<SwarmNode> nodes() {
            return metrics.timeCall(DOCKER, "nodes", swarm::nodes);
        }

        @Override
        public List<ServiceInfo> services() {
            return metrics.timeCall(DOCKER, "services", swarm::services);
        }

        @Override
        public List<TaskInfo> tasks(Set<String> nodesWithHistory) {
            return metrics.timeCall(DOCKER, "tasks", () -> swarm.tasks(nodesWithHistory));
        }

        @Override
        public List<TaskInfo> pendingTasks(Set<String> serviceIds) {
            return metrics.timeCall(DOCKER, "pending_tasks", () -> swarm.pendingTasks(serviceIds));
        }

        @Override
        public void scaleService(String serviceId, int replicas) {
            run("scale_service", () -> swarm.scaleService(serviceId, replicas));
        }

        @Override
        public void forceUpdate(String serviceId) {
            run("force_update", () -> swarm.forceUpdate(serviceId));
        }

        @Override
        public void drain(String nodeId, String markLabel, String markValue) {
            run("drain", () -> swarm.drain(nodeId, markLabel, markValue));
        }

        @Override
        public void undrain(String nodeId, String markLabel) {
            run("undrain", () -> swarm.undrain(nodeId, markLabel));
        }

        @Override
        public void changeNode(String nodeId, String availability, Map<String, String> labelsSet,
                Set<String> labelsRemoved) {
            run("change_node", () -> swarm.changeNode(nodeId, availability, labelsSet, labelsRemoved));
        }

        @Override
        public void removeNode(String nodeId) {
            run("remove_node", () -> swarm.removeNode(nodeId));
        }

        @Override
        public AutoCloseable watch(Runnable onChange) {
            return swarm.watch(onChange);
        }

        private void run(String call, Runnable body) {
            metrics.timeCall(DOCKER, call, () -> {
                body.run();
                return null;
            });
        }
    }

    private record TimedMetrics(Metrics prometheus, ScalerMetrics metrics) implements Metrics {
        @Override
        public QueryResult query(String promql) {
            QueryResult result = metrics.timeCall("prometheus", "query", () -> prometheus.query(promql));
            if (result instanceof QueryResult.NoData) {
                // The port's failure (unreachable, rejected, unreadable); no samples is an empty answer.
                metrics.backendError("prometheus", "query");
            }
            return result;
        }

        @Override
        public Optional<String> unavailable() {
            return metrics.timeCall("prometheus", "ready", prometheus::unavailable);
        }

        @Override
        public Optional<java.time.Instant> holdingSince(io.swarmscaler.model.Condition.Threshold condition,
                java.time.Duration lookback, java.time.Instant now) {
            return metrics.timeCall("prometheus", "history", () -> prometheus.holdingSince(condition, lookback, now));
        }
    }

    private record TimedNodeGroup(NodeGroup group, ScalerMetrics metrics) implements NodeGroup {
        @Override
        public NodeRole role() {
            return group.role();
        }

        @Override
        public String backend() {
            return group.backend();
        }

        @Override
        public Capacity capacity() {
            return metrics.timeCall(group.backend(), "capacity", group::capacity);
        }

        @Override
        public void setDesiredCapacity(int desired) {
            metrics.timeCall(group.backend(), "set_desired_capacity", () -> {
                group.setDesiredCapacity(desired);
                return null;
            });
        }

        @Override
        public void terminate(String instanceId) {
            metrics.timeCall(group.backend(), "terminate", () -> {
                group.terminate(instanceId);
                return null;
            });
        }

        @Override
        public Optional<String> instanceIdOf(SwarmNode node) {
            return group.instanceIdOf(node);
        }
    }
}
