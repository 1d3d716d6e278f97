package io.swarmscaler.controller;

import static io.swarmscaler.controller.local.LocalLab.WORKER_EXPORTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swarmscaler.controller.aws.LocalAutoScalingEndpoint;
import io.swarmscaler.controller.local.LocalCluster;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.SwarmNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deploys Swarm Scaler as the seed does, with {@code docker stack deploy}: the image {@code swarm-scaler:local} made
 * by {@code scripts/build-local-image.sh} (imported on the manager, never pulled) and {@code stacks/local.yml}, on
 * a real local Swarm. The daemon then runs in a container on the manager, in the manager's network namespace (host
 * network), with the manager's Docker socket bind-mounted and the {@code aws} backend talking to the local Auto
 * Scaling endpoint, whose instances are real {@code dockerd} nodes. The endpoint and the lab's Prometheus listen on
 * 127.0.0.1; relays make them reachable on the host's address on the lab's bridge, and nowhere else.
 */
@LocalSwarmTest(workers = 1)
class StackDeployIT {
    private static final String STACK = "scaler";
    private static final String SERVICE = STACK + "_scaler";
    private static final String WORKER_ASG = "ssstk-NodeAsg-1TESTWORKERS";
    private static final String MANAGER_ASG = "ssstk-ManagerAsg-1TESTMANAGERS";
    private static final String KEY_ID = "AKIASTACKDEPLOYTEST1";
    private static final String SECRET = "stack/Deploy+Test0Secret0Key0Never0Shown";
    private static final int API_PORT = 8080;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static TestLab lab;
    private static LocalAutoScalingEndpoint endpoint;
    private static final List<AutoCloseable> toClose = new ArrayList<>();
    private static Path root;
    private static String dockerHost;

    @BeforeAll
    static void useLab(TestLab shared) {
        root = repositoryRoot();
        lab = shared;
        dockerHost = lab.lab.cluster().dockerHost();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (lab != null) {
                removeStack();
            }
        } finally {
            for (AutoCloseable c : toClose) {
                c.close();
            }
            if (endpoint != null) {
                endpoint.close();
            }
        }
    }

    @Test
    void theScalerDeployedWithDockerStackDeployRunsAnswersAndScalesTheWorkerGroup() throws Exception {
        LocalCluster cluster = lab.lab.cluster();
        long buildStart = System.nanoTime();
        String build = run(Duration.ofMinutes(15), Map.of(), root.resolve("scripts/build-local-image.sh").toString(),
                dockerHost);
        System.out.printf("MEASURED build-local-image.sh: %d ms (%s)%n", millisSince(buildStart), build.strip());
        String size = run(Duration.ofSeconds(30), Map.of(), "docker", "-H", dockerHost, "image", "inspect", "-f",
                "{{.Size}}", "swarm-scaler:local").strip();
        System.out.printf("MEASURED image swarm-scaler:local: %d MB%n", Long.parseLong(size) / 1_000_000);

        // The seed's groups: the manager in its own group, one worker, room for more.
        endpoint = LocalAutoScalingEndpoint.start(LocalAutoScalingEndpoint.swarmWorkers(cluster));
        endpoint.requireAccessKeyId(KEY_ID);
        endpoint.addGroup(WORKER_ASG, 0, 3);
        endpoint.addGroup(MANAGER_ASG, 1, 1);
        endpoint.adoptInstance(MANAGER_ASG, cluster.managerNode(), cluster.managerAddress());
        String firstWorker = cluster.workerNodes().get(0);
        endpoint.adoptInstance(WORKER_ASG, firstWorker, cluster.workerAddress(firstWorker));

        String gateway = bridgeAddress(cluster);
        TcpRelay aws = TcpRelay.start(gateway, new InetSocketAddress("127.0.0.1", endpoint.address().getPort()));
        toClose.add(aws);
        TcpRelay prometheus = TcpRelay.start(gateway,
                new InetSocketAddress("127.0.0.1", lab.lab.prometheus().address().getPort()));
        toClose.add(prometheus);

        LocalServices.create(lab.docker, WORKER_EXPORTER, Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8",
                "com.df.alertFor.1", "2s"), List.of("node.role == worker"), -1);
        LocalServices.create(lab.docker, "demo", Map.of("com.df.reschedule", "true"), List.of(), 3);
        lab.awaitRunning("demo", 3);

        Map<String, String> env = new HashMap<>();
        env.put("DOCKER_SOCKET", socketPath(dockerHost));
        env.put("NODE_SCALER_BACKEND", "aws");
        env.put("AWS_WORKER_ASG", WORKER_ASG);
        env.put("AWS_MANAGER_ASG", MANAGER_ASG);
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL", "http://" + aws.hostAndPort());
        env.put("AWS_ACCESS_KEY_ID", KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET);
        env.put("PROMETHEUS_ADDRESS", "http://" + prometheus.hostAndPort());
        env.put("LISTEN_PORT", Integer.toString(API_PORT));
        env.put("RECONCILE_INTERVAL", "1s");
        env.put("SCALE_UP_COOLDOWN", "10m");
        env.put("NODE_PROVISION_TIMEOUT", "2m");
        long deploy = System.nanoTime();
        run(Duration.ofMinutes(1), env, "docker", "-H", dockerHost, "stack", "deploy", "--resolve-image", "never",
                "-c", root.resolve("stacks/local.yml").toString(), STACK);

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> lab.runningTasks(SERVICE).size() == 1);
        long running = millisSince(deploy);
        URI api = URI.create("http://" + cluster.managerAddress() + ":" + API_PORT);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> status(get(api.resolve("/v1/ping"))) == 200);
        System.out.printf("MEASURED stack deploy to task Running %d ms, to /v1/ping answering %d ms%n", running,
                millisSince(deploy));
        assertThat(status(get(api.resolve("/scaler/v1/ping")))).as("SERVER_PREFIX from the stack").isEqualTo(200);
        // What the stack's health check asks: a recent successful pass (Docker answers) and Prometheus ready.
        await().atMost(Duration.ofSeconds(60)).until(() -> status(get(api.resolve("/readyz"))) == 200);
        assertThat(lab.runningTasks(SERVICE).values()).as("placed on the manager")
                .containsOnly(managerNodeId());
        await().atMost(Duration.ofSeconds(30)).until(() -> serviceLogs().contains("Swarm Scaler running: backend aws"));

        TestLab.awaitPasses(api, 3, Duration.ZERO); // quiet passes: the workers report 0.2, nothing happens
        assertThat(endpoint.calls("SetDesiredCapacity")).isEmpty();
        assertThat(endpoint.calls("DescribeAutoScalingGroups")).as("the daemon in the container reaches AWS")
                .isNotEmpty();

        Set<String> workersBefore = readyWorkerIds();
        long breach = System.nanoTime();
        lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
        await().atMost(Duration.ofSeconds(60)).until(() -> !endpoint.accepted("SetDesiredCapacity").isEmpty());
        await().atMost(Duration.ofSeconds(120)).until(() -> readyWorkerIds().size() == workersBefore.size() + 1);
        String newNode = readyWorkerIds().stream().filter(id -> !workersBefore.contains(id)).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.runningTasks("demo").containsValue(newNode));
        System.out.printf("MEASURED in a container: breach to a rescheduled task on the new node %d ms%n",
                millisSince(breach));
        assertThat(endpoint.accepted("SetDesiredCapacity")).singleElement().satisfies(call ->
                assertThat(call.parameters()).containsEntry("AutoScalingGroupName", WORKER_ASG)
                        .containsEntry("DesiredCapacity", "2"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                serviceLogs().contains("Changing the number of worker nodes on aws from 1 to 2"));

        // The seed's manual call, through SERVER_PREFIX: decided under the same rules (here: the cooldown).
        HttpResponse<String> scale = HTTP.send(HttpRequest.newBuilder(
                        api.resolve("/scaler/v1/scale-nodes?by=1&type=worker"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"groupLabels\": {\"scale\": \"up\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scale.statusCode()).as(scale.body()).isEqualTo(409);
        assertThat(scale.body()).contains("\"status\":\"NOK\"");
        assertThat(endpoint.accepted("SetDesiredCapacity")).as("no second scale-up").hasSize(1);

        String logs = serviceLogs();
        assertThat(logs).doesNotContain(SECRET).doesNotContain(KEY_ID);
        assertThat(logs).doesNotContain("NoClassDefFoundError").doesNotContain("UnsatisfiedLinkError");
    }

    private static String managerNodeId() {
        return lab.lab.swarm().nodes().stream().filter(n -> n.role() == NodeRole.MANAGER).map(SwarmNode::id)
                .findFirst().orElseThrow();
    }

    private static Set<String> readyWorkerIds() {
        return lab.readyNodes(NodeRole.WORKER).stream().map(SwarmNode::id).collect(Collectors.toSet());
    }

    private static String serviceLogs() {
        return run(Duration.ofSeconds(30), Map.of(), "docker", "-H", dockerHost, "service", "logs", "--raw", SERVICE);
    }

    /** Removes the stack and waits until its container is gone, so the lab's teardown finds no task of it. */
    private static void removeStack() {
        try {
            run(Duration.ofMinutes(1), Map.of(), "docker", "-H", dockerHost, "stack", "rm", STACK);
            await().atMost(Duration.ofSeconds(60)).until(() -> run(Duration.ofSeconds(30), Map.of(), "docker", "-H",
                    dockerHost, "ps", "-q", "--filter", "label=com.docker.stack.namespace=" + STACK).isBlank());
        } catch (RuntimeException | AssertionError e) {
            System.err.println("removing stack " + STACK + ": " + e.getMessage() + " (the lab's teardown removes it)");
        }
    }

    private static HttpResponse<String> get(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException notYetListening) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int status(HttpResponse<String> response) {
        return response == null ? -1 : response.statusCode();
    }

    /** The host's address on the lab's bridge: the subnet's .1. */
    private static String bridgeAddress(LocalCluster cluster) {
        String manager = cluster.managerAddress();
        return manager.substring(0, manager.lastIndexOf('.')) + ".1";
    }

    private static String socketPath(String host) {
        assertThat(host).startsWith("unix://");
        return host.substring("unix://".length());
    }

    private static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("stacks/local.yml")) && Files.exists(dir.resolve("scripts"))) {
                return dir;
            }
        }
        throw new IllegalStateException("stacks/local.yml not found above " + Path.of("").toAbsolutePath());
    }

    /** Runs a command in the repository root; returns its output (stdout and stderr), failing on a non-zero exit. */
    private static String run(Duration timeout, Map<String, String> env, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Path out = Files.createTempFile("ssstk-", ".out");
            try {
                builder.redirectOutput(out.toFile());
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("%s did not finish within %s:%n%s".formatted(String.join(" ", command),
                            timeout, Files.readString(out, StandardCharsets.UTF_8)));
                }
                String output = Files.readString(out, StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    throw new AssertionError("%s failed with exit code %d:%n%s".formatted(String.join(" ", command),
                            process.exitValue(), output));
                }
                return output;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
