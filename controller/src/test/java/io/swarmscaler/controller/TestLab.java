package io.swarmscaler.controller;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Task;
import com.github.dockerjava.api.model.TaskState;
import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.docker.DockerSwarms;
import io.swarmscaler.controller.local.LocalCluster;
import io.swarmscaler.controller.local.LocalLab;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.prometheus.Prometheus;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.SwarmNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A real local Swarm (manager + workers as dockerd processes in network namespaces), a real Prometheus and the
 * demo exporter, for integration tests. Each test class gets its own cluster name and subnet, removes whatever a
 * killed earlier run left, and removes everything it made when closed.
 */
final class TestLab implements AutoCloseable {
    final LocalLab lab;
    private final Path stateDir;
    final DockerClient docker;
    final List<Notification> notifications = new CopyOnWriteArrayList<>();
    final List<String> logLines = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logLines.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private TestLab(LocalLab lab, Path stateDir) {
        this.lab = lab;
        this.stateDir = stateDir;
        this.docker = DockerSwarms.client(lab.cluster().dockerHost());
        Logger.getLogger("").addHandler(logCapture);
    }

    /** @param name 1..8 lower-case letters; @param subnetOctet the third octet of 10.213.X.0/24 */
    static TestLab start(String name, int subnetOctet, int workers) {
        Path stateDir = Path.of("/tmp/swarm-scaler-tests", name);
        LocalCluster.Settings settings = new LocalCluster.Settings(name, stateDir, "10.213." + subnetOctet);
        LocalCluster.removeLeftovers(settings);
        return new TestLab(LocalLab.start(settings, workers, 0, freePort(), false, DockerSwarms::connect), stateDir);
    }

    /** The daemon as configured by these variables on top of test defaults (1 s loop, generous provision time). */
    ScalerRuntime startScaler(Map<String, String> env) {
        return startScaler(env, List.of(lab.workers()));
    }

    /** The daemon scaling {@code groups} (another backend's adapters) in place of the local worker group. */
    ScalerRuntime startScaler(Map<String, String> env, List<io.swarmscaler.controller.port.NodeGroup> groups) {
        return startScaler(env, groups, n -> {});
    }

    /** The daemon sending its notifications to {@code notifier} as well as to this lab's record of them. */
    ScalerRuntime startScaler(Map<String, String> env, List<io.swarmscaler.controller.port.NodeGroup> groups,
            Notifier notifier) {
        Map<String, String> all = new HashMap<>(Map.of(
                "RECONCILE_INTERVAL", "1s",
                "LISTEN_ADDRESS", "127.0.0.1",
                "LISTEN_PORT", "0",
                "NODE_PROVISION_TIMEOUT", "2m"));
        all.putAll(env);
        ScalerConfig config = ScalerConfig.fromEnvironment(all);
        Notifier both = n -> {
            notifications.add(n);
            notifier.send(n);
        };
        return ScalerRuntime.start(config, lab.swarm(), groups,
                Prometheus.connect(lab.prometheus().address()), both, Clock.systemUTC());
    }

    /** The daemon keeping its memory and lease in this Swarm, as the real one does. */
    ScalerRuntime startScalerWithSwarmState(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of(
                "RECONCILE_INTERVAL", "1s",
                "LISTEN_ADDRESS", "127.0.0.1",
                "LISTEN_PORT", "0",
                "NODE_PROVISION_TIMEOUT", "2m"));
        all.putAll(env);
        ScalerConfig config = ScalerConfig.fromEnvironment(all);
        return ScalerRuntime.start(config, lab.swarm(), List.of(lab.workers()),
                Prometheus.connect(lab.prometheus().address()), notifications::add,
                Clock.systemUTC(), io.swarmscaler.controller.state.StateStore.swarmService(
                        lab.cluster().dockerHost(), config.leadership().stateService()));
    }

    Path stateDir() {
        return stateDir;
    }

    int desiredWorkers() {
        return lab.workers().capacity().desired();
    }

    List<SwarmNode> readyNodes(NodeRole role) {
        return lab.swarm().nodes().stream().filter(n -> n.role() == role && n.ready()).toList();
    }

    /** Running tasks of a service: task id to node id. */
    Map<String, String> runningTasks(String service) {
        Map<String, String> tasks = new HashMap<>();
        for (Task task : docker.listTasksCmd().withServiceFilter(service).exec()) {
            if (task.getDesiredState() == TaskState.RUNNING && task.getStatus().getState() == TaskState.RUNNING) {
                tasks.put(task.getId(), task.getNodeId());
            }
        }
        return tasks;
    }

    void awaitRunning(String service, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> runningTasks(service).size() == count);
    }

    /** Removes every service, resets every node to the quiet ratio, forgets captured output. */
    void reset() {
        docker.listServicesCmd().exec().forEach(s -> docker.removeServiceCmd(s.getId()).exec());
        lab.exporter().setFreshNodeRatio(LocalLab.FRESH_NODE_RATIO);
        for (NodeRole role : NodeRole.values()) {
            lab.exporter().setRatio(role, LocalLab.FRESH_NODE_RATIO);
        }
        notifications.clear();
        logLines.clear();
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(logCapture);
        try {
            docker.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lab.close();
            deleteTree(stateDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
