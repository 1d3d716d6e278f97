package io.swarmscaler.controller;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.docker.DockerSwarms;
import io.swarmscaler.controller.local.LocalCluster;
import io.swarmscaler.controller.prometheus.Prometheus;
import io.swarmscaler.controller.notify.LoggingNotifier;
import io.swarmscaler.controller.state.StateStore;
import java.time.Clock;
import java.util.List;

/**
 * The scaler as a separate process on an existing local cluster, so that a test can kill it with SIGKILL
 * mid-operation, or run several as replicas. Configured like the daemon, from the environment; its memory and
 * lease live in the Swarm as the daemon's do.
 */
public final class ScalerProcessMain {
    private ScalerProcessMain() {}

    public static void main(String[] args) throws Exception {
        ScalerConfig config = ScalerConfig.fromEnvironment(System.getenv());
        ScalerConfig.Local local = config.local();
        LocalCluster cluster = LocalCluster.startOrAdopt(
                new LocalCluster.Settings(local.name(), local.stateDir(), local.subnet()));
        ScalerRuntime.start(config, DockerSwarms.connect(cluster.dockerHost()),
                List.of(cluster.workerGroup(local.bootDelay())),
                Prometheus.connect(config.prometheusAddress().orElseThrow()),
                new LoggingNotifier(), Clock.systemUTC(),
                StateStore.swarmService(cluster.dockerHost(), config.leadership().stateService()));
        Thread.currentThread().join(); // until the test kills the process
    }
}
