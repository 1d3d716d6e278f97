package io.swarmscaler.controller.local;

import com.github.dockerjava.api.DockerClient;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.Instance;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The embedded default: a {@link LocalCluster} with its worker group, a {@link DemoExporter} standing in for
 * node-exporter, and a real Prometheus scraping it under the job names of the seed's exporter services.
 */
public record LocalLab(LocalCluster cluster, NodeGroup workers, Swarm swarm, DemoExporter exporter,
        PrometheusProcess prometheus, boolean keepCluster) implements AutoCloseable {
    public static final String WORKER_EXPORTER = "exporter_node-exporter-worker";
    public static final String MANAGER_EXPORTER = "exporter_node-exporter-manager";
    /** Memory ratio a node reports until someone sets another: a quiet machine. */
    public static final double FRESH_NODE_RATIO = 0.2;

    private static final Logger LOG = Logger.getLogger(LocalLab.class.getName());
    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(2);

    /**
     * Starts (or adopts) the cluster, brings the worker group up to {@code initialWorkers}, and starts the
     * exporter and Prometheus.
     *
     * @param connect the {@link Swarm} port for a Docker host, given by the caller so that this backend does not
     *     depend on the Docker adapter
     */
    public static LocalLab start(LocalCluster.Settings settings, int initialWorkers, int exporterPort,
            int prometheusPort, boolean keepCluster, Function<String, Swarm> connect) {
        LocalCluster cluster = LocalCluster.startOrAdopt(settings);
        DemoExporter exporter = null;
        try {
            NodeGroup workers = cluster.workerGroup();
            Swarm swarm = connect.apply(cluster.dockerHost());
            if (workers.capacity().desired() < initialWorkers) {
                workers.setDesiredCapacity(initialWorkers);
            }
            awaitJoined(workers);
            exporter = DemoExporter.start(exporterPort, swarm::nodes, FRESH_NODE_RATIO);
            PrometheusProcess prometheus = PrometheusProcess.start(settings.stateDir().resolve("prometheus"),
                    prometheusPort, List.of(
                            new PrometheusProcess.ScrapeJob(WORKER_EXPORTER, exporter.target(), "/metrics/worker"),
                            new PrometheusProcess.ScrapeJob(MANAGER_EXPORTER, exporter.target(), "/metrics/manager")),
                    Duration.ofSeconds(1));
            return new LocalLab(cluster, workers, swarm, exporter, prometheus, keepCluster);
        } catch (RuntimeException e) {
            if (exporter != null) {
                exporter.close();
            }
            if (!keepCluster) {
                cluster.close();
            }
            throw e;
        }
    }

    private static void awaitJoined(NodeGroup workers) {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (workers.capacity().instances().stream().anyMatch(i -> i.lifecycle() == Instance.Lifecycle.PENDING)) {
            if (System.nanoTime() > deadline) {
                throw new LocalClusterException("local worker nodes did not join within " + JOIN_TIMEOUT, null);
            }
            LocalCluster.sleep(Duration.ofMillis(200));
        }
    }

    /**
     * Creates the seed's exporter services and a {@code demo} service, unless they exist from an earlier start.
     *
     * @param docker a client of {@link LocalCluster#dockerHost()}
     */
    public void deployDemoServices(DockerClient docker) {
        List<String> existing = swarm.services().stream().map(s -> s.name()).toList();
        if (!existing.contains(WORKER_EXPORTER)) {
            LocalServices.create(docker, WORKER_EXPORTER, java.util.Map.of(
                    "com.df.alertName.1", "node_mem_limit_total_above",
                    "com.df.alertIf.1", "@node_mem_limit_total_above:0.8",
                    "com.df.alertFor.1", "10s",
                    "com.df.alertName.2", "node_mem_limit_total_below",
                    "com.df.alertIf.2", "@node_mem_limit_total_below:0.05",
                    "com.df.alertFor.2", "30s",
                    "com.df.scaleWorkerNodeMax", "4"), List.of("node.role == worker"), -1);
        }
        if (!existing.contains(MANAGER_EXPORTER)) {
            LocalServices.create(docker, MANAGER_EXPORTER, java.util.Map.of(
                    "com.df.alertName.1", "node_mem_limit_total_above",
                    "com.df.alertIf.1", "@node_mem_limit_total_above:0.95",
                    "com.df.alertLabels.1", "receiver=system,scale=no,service=" + MANAGER_EXPORTER + ",type=node",
                    "com.df.alertFor.1", "10s"), List.of("node.role == manager"), -1);
        }
        if (!existing.contains("demo")) {
            LocalServices.create(docker, "demo", java.util.Map.of("com.df.reschedule", "true"), List.of(), 6);
        }
        LOG.info("Demo services deployed: " + WORKER_EXPORTER + ", " + MANAGER_EXPORTER + ", demo");
    }

    @Override
    public void close() {
        prometheus.close();
        exporter.close();
        if (keepCluster) {
            LOG.info("Leaving the local Swarm running (LOCAL_KEEP_CLUSTER=true); the next start adopts it");
        } else {
            cluster.close();
        }
    }
}
