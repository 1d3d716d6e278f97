package io.swarmscaler.controller;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.SwarmNodeAvailability;
import com.github.dockerjava.api.model.SwarmNodeRole;
import com.github.dockerjava.api.model.SwarmNodeSpec;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A real local Swarm (manager + workers as dockerd processes in network namespaces), a real Prometheus and the
 * demo exporter, for integration tests. {@link LocalLabExtension} starts one per run and hands it to every
 * {@link LocalSwarmTest} class; it removes whatever a killed earlier run left, and everything it made when closed.
 */
final class TestLab implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    final LocalLab lab;
    private final LocalCluster.Settings settings;
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

    private TestLab(LocalLab lab, LocalCluster.Settings settings) {
        this.lab = lab;
        this.settings = settings;
        this.docker = DockerSwarms.client(lab.cluster().dockerHost());
        Logger.getLogger("").addHandler(logCapture);
    }

    /** Removes what a killed earlier run left under these settings, then starts a fresh lab. */
    static TestLab start(LocalCluster.Settings settings, int workers) {
        LocalCluster.removeLeftovers(settings);
        return new TestLab(LocalLab.start(settings, workers, 0, freePort(), false, DockerSwarms::connect), settings);
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
        ScalerConfig config = config(env);
        Notifier both = n -> {
            notifications.add(n);
            notifier.send(n);
        };
        return ScalerRuntime.start(config, lab.swarm(), groups,
                Prometheus.connect(lab.prometheus().address()), both, Clock.systemUTC());
    }

    /** These variables on top of test defaults: 1 s loop, loopback HTTP on any port, generous provision time. */
    private static ScalerConfig config(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of(
                "RECONCILE_INTERVAL", "1s",
                "LISTEN_ADDRESS", "127.0.0.1",
                "LISTEN_PORT", "0",
                "NODE_PROVISION_TIMEOUT", "2m"));
        all.putAll(env);
        return ScalerConfig.fromEnvironment(all);
    }

    /** The daemon keeping its memory and lease in this Swarm, as the real one does. */
    ScalerRuntime startScalerWithSwarmState(Map<String, String> env) {
        return startScalerWithSwarmState(env, List.of(lab.workers()));
    }

    /** The same, scaling {@code groups} (another backend's adapters) in place of the local worker group. */
    ScalerRuntime startScalerWithSwarmState(Map<String, String> env,
            List<io.swarmscaler.controller.port.NodeGroup> groups) {
        ScalerConfig config = config(env);
        return ScalerRuntime.start(config, lab.swarm(), groups,
                Prometheus.connect(lab.prometheus().address()), notifications::add,
                Clock.systemUTC(), io.swarmscaler.controller.state.StateStore.swarmService(
                        lab.cluster().dockerHost(), config.leadership().stateService()));
    }

    Path stateDir() {
        return settings.stateDir();
    }

    /** The first three octets of the lab's /24, as {@code LOCAL_SUBNET} takes them. */
    String subnet() {
        return settings.subnet();
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

    /** When Swarm created each pending task of a service (desired running, not placed): they are pending since. */
    List<Instant> pendingSince(String service) {
        List<Instant> since = new ArrayList<>();
        for (Task task : docker.listTasksCmd().withServiceFilter(service).exec()) {
            if (task.getDesiredState() == TaskState.RUNNING && task.getStatus().getState() == TaskState.PENDING) {
                since.add(Instant.parse(task.getCreatedAt()));
            }
        }
        return since;
    }

    void awaitRunning(String service, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> runningTasks(service).size() == count);
    }

    /** Removes every service, resets every node to the quiet ratio, forgets captured output; Prometheus is up. */
    void reset() {
        docker.listServicesCmd().exec().forEach(s -> docker.removeServiceCmd(s.getId()).exec());
        if (!prometheusReady()) {
            lab.prometheus().restart(); // a test that stopped it failed before its own restart
        }
        lab.exporter().setFreshNodeRatio(LocalLab.FRESH_NODE_RATIO);
        for (NodeRole role : NodeRole.values()) {
            lab.exporter().setRatio(role, LocalLab.FRESH_NODE_RATIO);
        }
        // The next test's scaler reads the conditions' history: it must not find this test's ratios still current.
        for (NodeRole role : NodeRole.values()) {
            awaitPrometheusRatio(role, LocalLab.FRESH_NODE_RATIO, true);
        }
        notifications.clear();
        logLines.clear();
    }

    /**
     * Brings the Swarm back to the lab's manager and {@code workers} ready, active, unlabelled workers: the oldest
     * local workers stay, every other node (a worker of another backend, a promoted manager, a Down node) leaves
     * the Swarm and its machine stops, and missing workers boot. Services go first, so nothing holds a node.
     */
    void resetNodes(int workers) {
        reset();
        LocalCluster cluster = lab.cluster();
        List<String> keep = cluster.workerNodes().stream().filter(cluster::hasJoined).limit(workers).toList();
        for (com.github.dockerjava.api.model.SwarmNode node : docker.listSwarmNodesCmd().exec()) {
            String hostname = node.getDescription().getHostname();
            if (hostname.equals(cluster.managerNode()) || keep.contains(hostname)) {
                Map<String, String> labels = node.getSpec().getLabels();
                if ((labels != null && !labels.isEmpty())
                        || node.getSpec().getAvailability() != SwarmNodeAvailability.ACTIVE) {
                    updateNode(node.getId(), spec -> spec.withLabels(Map.of())
                            .withAvailability(SwarmNodeAvailability.ACTIVE));
                }
                continue;
            }
            if (node.getSpec().getRole() == SwarmNodeRole.MANAGER) {
                updateNode(node.getId(), spec -> spec.withRole(SwarmNodeRole.WORKER));
            }
            lab.swarm().removeNode(node.getId());
        }
        cluster.workerNodes().stream().filter(machine -> !keep.contains(machine)).forEach(cluster::removeNode);
        lab.workers().setDesiredCapacity(workers);
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            List<SwarmNode> nodes = lab.swarm().nodes();
            return nodes.size() == workers + 1 && nodes.stream().allMatch(n -> n.ready() && n.active());
        });
    }

    /** Changes a node's spec, sent with its current version as Swarm requires. */
    void updateNode(String id, UnaryOperator<SwarmNodeSpec> change) {
        var node = docker.listSwarmNodesCmd().withIdFilter(List.of(id)).exec().get(0);
        docker.updateSwarmNodeCmd().withSwarmNodeId(id).withVersion(node.getVersion().getIndex())
                .withSwarmNodeSpec(change.apply(node.getSpec())).exec();
    }

    /** {@link #awaitPasses(URI, int, Duration)} for a daemon of this JVM, counting from now. */
    /**
     * Sets the group's memory ratio on the demo exporter and waits until Prometheus reports it, so that a scaler
     * started next, which reads Prometheus' history of the condition, sees no value left from an earlier test.
     */
    void setRatio(NodeRole role, double ratio) {
        lab.exporter().setRatio(role, ratio);
        awaitPrometheusRatio(role, ratio, false);
    }

    /** The used-memory ratio of the group's nodes, as the shortcut {@code @node_mem_limit_total_above} reads it. */
    static String groupRatioQuery(NodeRole role) {
        String job = "{job=\"%s\"}".formatted(role == NodeRole.WORKER ? LocalLab.WORKER_EXPORTER
                : LocalLab.MANAGER_EXPORTER);
        return ("(sum(node_memory_MemTotal_bytes%1$s) - sum(node_memory_MemFree_bytes%1$s"
                + " + node_memory_Buffers_bytes%1$s + node_memory_Cached_bytes%1$s)) / sum(node_memory_MemTotal_bytes%1$s)")
                .formatted(job);
    }

    /** Waits until Prometheus reports the group's ratio; a group without nodes has none, which may be fine. */
    private void awaitPrometheusRatio(NodeRole role, double ratio, boolean noNodesIsFine) {
        String query = groupRatioQuery(role);
        var prometheus = Prometheus.connect(lab.prometheus().address());
        await().atMost(Duration.ofSeconds(20)).until(() -> prometheus.query(query)
                instanceof io.swarmscaler.model.QueryResult.Samples samples
                && (noNodesIsFine || !samples.samples().isEmpty())
                && samples.samples().stream().allMatch(x -> Math.abs(x.value() - ratio) < 0.005));
    }

    /**
     * The daemon as a process of its own ({@link ScalerProcessMain}) on this lab, with its output in {@code log}:
     * the lab's cluster, Prometheus, a 1 s loop and loopback HTTP, then {@code env} on top.
     */
    Process startScalerProcess(Path log, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ScalerProcessMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> all = builder.environment();
        all.put("LOCAL_CLUSTER_NAME", lab.cluster().name());
        all.put("LOCAL_STATE_DIR", stateDir().toString());
        all.put("LOCAL_SUBNET", subnet());
        all.put("PROMETHEUS_ADDRESS", lab.prometheus().address().toString());
        all.put("RECONCILE_INTERVAL", "1s");
        all.put("LISTEN_ADDRESS", "127.0.0.1");
        all.putAll(env);
        return builder.start();
    }

    static void awaitPasses(ScalerRuntime scaler, int passes) {
        awaitPasses(scaler, passes, Duration.ZERO);
    }

    /** {@link #awaitPasses(URI, int, Duration)} for a daemon of this JVM. */
    static void awaitPasses(ScalerRuntime scaler, int passes, Duration after) {
        awaitPasses(URI.create("http://127.0.0.1:" + scaler.httpPort()), passes, after);
    }

    /**
     * Waits until the daemon at {@code daemon} has ended {@code passes} more reconcile passes, counted from
     * {@code after} from now (so all but the first began after that). A "nothing happens" check calls this first,
     * so that it fails with a dead loop; {@code after} lets a policy's {@code for} run out before passes count.
     */
    static void awaitPasses(URI daemon, int passes, Duration after) {
        Instant countFrom = Instant.now().plus(after);
        AtomicLong baseline = new AtomicLong(-1);
        await().atMost(after.plus(Duration.ofSeconds(30))).until(() -> {
            if (Instant.now().isBefore(countFrom)) {
                return false;
            }
            long done = passesRun(daemon);
            baseline.compareAndSet(-1, done);
            return done >= baseline.get() + passes;
        });
    }

    /** Reconcile passes the daemon has ended, by its {@code swarm_scaler_reconcile_cycles_total} (any outcome). */
    static long passesRun(URI daemon) throws Exception {
        return (long) metricSum(daemon, "swarm_scaler_reconcile_cycles_total{");
    }

    /** The sum of the daemon's series whose line starts with {@code series} (a name and some of its labels). */
    static double metricSum(URI daemon, String series) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(daemon.resolve("/metrics")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith(series))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
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
            deleteTree(settings.stateDir());
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

    private boolean prometheusReady() {
        try {
            return HTTP.send(HttpRequest.newBuilder(lab.prometheus().address().resolve("/-/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A process stopped with SIGSTOP, as a hung dependency or a frozen machine looks; closing it sends SIGCONT. */
    interface Paused extends AutoCloseable {
        @Override
        void close();
    }

    /** Stops the process until the returned handle is closed: use it in try-with-resources, so it always resumes. */
    static Paused pause(long pid) {
        signal(pid, "STOP");
        return () -> signal(pid, "CONT");
    }

    /** Sends the signal {@code name} (STOP, CONT, KILL...) to the process. */
    static void signal(long pid, String name) {
        try {
            int code = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
            if (code != 0) {
                throw new IllegalStateException("kill -%s %d exited with %d".formatted(name, pid, code));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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
