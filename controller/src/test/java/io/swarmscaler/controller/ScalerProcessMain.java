package io.swarmscaler.controller;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.docker.DockerSwarms;
import io.swarmscaler.controller.local.LocalCluster;
import io.swarmscaler.controller.prometheus.Prometheus;
import io.swarmscaler.controller.notify.LoggingNotifier;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.state.StateStore;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import io.swarmscaler.model.WarmPool;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scaler as a separate process on an existing local cluster, so that a test can kill it with SIGKILL
 * mid-operation, or run several as replicas. Configured like the daemon, from the environment; its memory and
 * lease live in the Swarm as the daemon's do.
 */
public final class ScalerProcessMain {
    /**
     * Test only: when set, the process stops acting right after it set a standby node active (the first step of an
     * activation), prints {@link #PAUSED} and waits to be killed, so that a test can SIGKILL it mid-activation.
     */
    static final String PAUSE_AFTER_ACTIVATE = "TEST_PAUSE_AFTER_ACTIVATE";
    static final String PAUSED = "PAUSED after activating a standby node";

    private ScalerProcessMain() {}

    public static void main(String[] args) throws Exception {
        ScalerConfig config = ScalerConfig.fromEnvironment(System.getenv());
        ScalerConfig.Local local = config.local();
        LocalCluster cluster = LocalCluster.startOrAdopt(
                new LocalCluster.Settings(local.name(), local.stateDir(), local.subnet()));
        Swarm swarm = DockerSwarms.connect(cluster.dockerHost());
        ScalerRuntime.start(config, System.getenv(PAUSE_AFTER_ACTIVATE) == null ? swarm : new PausedActivation(swarm),
                List.of(cluster.workerGroup(local.bootDelay())),
                Prometheus.connect(config.prometheusAddress().orElseThrow()),
                new LoggingNotifier(), Clock.systemUTC(),
                StateStore.swarmService(cluster.dockerHost(), config.leadership().stateService()));
        Thread.currentThread().join(); // until the test kills the process
    }

    /** The Swarm, but the reconcile thread stops for good once a node update starts an activation. */
    private record PausedActivation(Swarm swarm) implements Swarm {
        @Override
        public void changeNode(String nodeId, String availability, Map<String, String> labelsSet,
                Set<String> labelsRemoved) {
            swarm.changeNode(nodeId, availability, labelsSet, labelsRemoved);
            if (WarmPool.ACTIVATING.equals(labelsSet.get(WarmPool.LABEL))) {
                System.out.println(PAUSED + " " + nodeId);
                System.out.flush();
                try {
                    Thread.currentThread().join(); // until the test kills the process
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public List<SwarmNode> nodes() {
            return swarm.nodes();
        }

        @Override
        public List<ServiceInfo> services() {
            return swarm.services();
        }

        @Override
        public List<TaskInfo> tasks(Set<String> nodesWithHistory) {
            return swarm.tasks(nodesWithHistory);
        }

        @Override
        public List<TaskInfo> pendingTasks(Set<String> serviceIds) {
            return swarm.pendingTasks(serviceIds);
        }

        @Override
        public void scaleService(String serviceId, int replicas) {
            swarm.scaleService(serviceId, replicas);
        }

        @Override
        public void forceUpdate(String serviceId) {
            swarm.forceUpdate(serviceId);
        }

        @Override
        public void drain(String nodeId, String markLabel, String markValue) {
            swarm.drain(nodeId, markLabel, markValue);
        }

        @Override
        public void undrain(String nodeId, String markLabel) {
            swarm.undrain(nodeId, markLabel);
        }

        @Override
        public void removeNode(String nodeId) {
            swarm.removeNode(nodeId);
        }

        @Override
        public AutoCloseable watch(Set<String> quietServices, Runnable onChange) {
            return swarm.watch(quietServices, onChange);
        }
    }
}
