package io.swarmscaler.controller.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.sun.net.httpserver.HttpServer;
import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The lean reader against replies captured from a real dockerd 20.10 (test resources engine-api-1.41/). */
class EngineReaderTest {
    private static final String WORKER = "f560za6qrhziyc25b5pzbfidz";
    private static final String SAMPLE = "2p1tn5p2678dak4wrs2hu7qg9";
    private static final String DEMO = "xcixbptonjy5x529fggs91ay1";
    private static final String BIG = "tuiiwvzhwpvyl594q9yua3lrm";

    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private volatile int status = 200;
    private volatile boolean hang;
    private volatile String lastTaskQuery;
    private volatile String lastServiceQuery;
    /** Serve the replies of a Swarm whose services' tasks are pending: too big, and pinned to no host. */
    private volatile boolean pendingSwarm;

    private DockerSwarm swarm(Duration responseTimeout) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (hang) {
                    release.await();
                }
                if (path.equals("/v1.41/tasks")) {
                    lastTaskQuery = exchange.getRequestURI().getQuery();
                }
                if (path.equals("/v1.41/services")) {
                    lastServiceQuery = exchange.getRequestURI().getQuery();
                }
                String file = switch (path) {
                    case "/v1.41/nodes" -> "nodes.json";
                    case "/v1.41/services" -> pendingSwarm ? "services-pending.json" : "services-status.json";
                    case "/v1.41/tasks" -> pendingSwarm ? "tasks-pending.json"
                            : lastTaskQuery.contains("node") ? "tasks-all.json" : "tasks-running.json";
                    default -> null;
                };
                byte[] body;
                try (InputStream in = getClass().getResourceAsStream("/engine-api-1.41/" + file)) {
                    body = status != 200 ? "{\"message\":\"this node is not a swarm manager\"}".getBytes()
                            : in.readAllBytes();
                }
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        String host = "tcp://127.0.0.1:" + server.getAddress().getPort();
        var http = new ApacheDockerHttpClient.Builder().dockerHost(URI.create(host))
                .connectionTimeout(Duration.ofSeconds(1)).responseTimeout(responseTimeout).build();
        return new DockerSwarm(new EngineReader(http), () -> null, () -> null, host);
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) { // the comparison's cases serve nothing
            server.stop(0);
        }
    }

    @Test
    void decodesNodesAsTheModelNeedsThem() throws IOException {
        List<SwarmNode> nodes = swarm(Duration.ofSeconds(5)).nodes();
        assertThat(nodes).hasSize(2);
        SwarmNode worker = nodes.get(0);
        assertThat(worker).isEqualTo(new SwarmNode(WORKER, "ssl-w1", "10.213.0.11", NodeRole.WORKER, true,
                "active", false, Map.of("io.swarmscaler.local.instance", "ssl-w1"), Map.of(), 2_000_000_000L,
                25_275_990_016L, Instant.parse("2026-12-01T05:09:17.569217143Z")));
        SwarmNode manager = nodes.get(1);
        assertThat(manager.role()).isEqualTo(NodeRole.MANAGER);
        assertThat(manager.managerReachable()).isTrue();
        assertThat(manager.address()).isEqualTo("10.213.0.2");
    }

    @Test
    void decodesServicesWithLabelsConstraintsAndMode() throws IOException {
        List<ServiceInfo> services = swarm(Duration.ofSeconds(5)).services();
        assertThat(services).extracting(ServiceInfo::name).containsExactly("sample",
                "exporter_node-exporter-worker", "exporter_node-exporter-manager", "demo");
        assertThat(lastServiceQuery).isEqualTo("status=true");
        // sample runs none of its 2 tasks; the others run all of theirs
        assertThat(services.get(0)).isEqualTo(new ServiceInfo(SAMPLE, "sample",
                Map.of("com.df.reschedule", "true"), List.of("node.role==worker"), 2, true));
        assertThat(services.subList(1, 4)).noneMatch(ServiceInfo::shortOfTasks);
        assertThat(services.get(1).global()).isTrue();
        assertThat(services.get(1).labels()).containsEntry("com.df.alertIf.2", "@node_mem_limit_total_below:0.05");
        assertThat(services.get(3).replicas()).isEqualTo(6);
        assertThat(services.get(3).constraints()).isEmpty();
    }

    @Test
    void anUnchangedListingIsNotDecodedAgainAndAChangedOneIs() throws IOException {
        DockerSwarm docker = swarm(Duration.ofSeconds(5));
        List<ServiceInfo> first = docker.services();
        List<SwarmNode> nodes = docker.nodes();

        assertThat(docker.services()).as("the same reply: the same decoding").isSameAs(first);
        assertThat(docker.nodes()).isSameAs(nodes);
        pendingSwarm = true; // other services: their reply differs
        List<ServiceInfo> changed = docker.services();
        assertThat(changed).isNotSameAs(first).isNotEqualTo(first);
        assertThat(docker.nodes()).isSameAs(nodes);
    }

    /** Bodies of 150 KB: more than two of the chunks a reply is compared in. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("repliesAgainstTheLast")
    void aReplyIsComparedWithTheLastAsItStreamsIn(String change, byte[] reply, boolean same) throws IOException {
        byte[] last = bytes(150_000, 0);

        byte[] read = EngineReader.readUnlessSame(new ByteArrayInputStream(reply), last);

        assertThat(read).isEqualTo(reply);
        assertThat(read == last).as("the last body itself").isEqualTo(same);
    }

    static Stream<Arguments> repliesAgainstTheLast() {
        byte[] lastByteChanged = bytes(150_000, 0);
        lastByteChanged[149_999]++;
        byte[] secondChunkChanged = bytes(150_000, 0);
        secondChunkChanged[70_000]++;
        return Stream.of(
                Arguments.of("the same bytes", bytes(150_000, 0), true),
                Arguments.of("the first byte differs", bytes(150_000, 1), false),
                Arguments.of("a byte of the second chunk differs", secondChunkChanged, false),
                Arguments.of("the last byte differs", lastByteChanged, false),
                Arguments.of("longer", bytes(150_001, 0), false),
                Arguments.of("shorter", bytes(149_999, 0), false),
                Arguments.of("empty", new byte[0], false));
    }

    /** {@code length} bytes counting up from {@code from}. */
    private static byte[] bytes(int length, int from) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (from + i);
        }
        return bytes;
    }

    @Test
    void asksOnlyForTasksSwarmWantsRunning() throws IOException {
        List<TaskInfo> tasks = swarm(Duration.ofSeconds(5)).tasks(Set.of());
        assertThat(lastTaskQuery).isEqualTo("filters={\"desired-state\":[\"running\"]}");
        assertThat(tasks).hasSize(8).allMatch(TaskInfo::desiredRunning).allMatch(TaskInfo::running);
        assertThat(tasks).filteredOn(t -> t.serviceId().equals(DEMO)).hasSize(6);
        // Only a pending task's age is read by a rule: a placed task's time is not parsed.
        assertThat(tasks).extracting(TaskInfo::createdAt).containsOnly(Instant.EPOCH);
    }

    @Test
    void addsEveryTaskOfDrainingNodesWithTheirReservations() throws IOException {
        List<TaskInfo> tasks = swarm(Duration.ofSeconds(5)).tasks(Set.of(WORKER));
        assertThat(lastTaskQuery).isEqualTo("filters={\"node\":[\"" + WORKER + "\"]}");
        // the 8 running ones once, plus the ended and pending tasks (all of sample's: rejected, no image)
        List<TaskInfo> sample = tasks.stream().filter(t -> t.serviceId().equals(SAMPLE)).toList();
        assertThat(tasks).hasSize(8 + sample.size()).extracting(TaskInfo::id).doesNotHaveDuplicates();
        assertThat(sample).isNotEmpty().noneMatch(TaskInfo::desiredRunning).noneMatch(TaskInfo::running)
                .allMatch(t -> t.reservedNanoCpus() == 10_000_000L && t.reservedMemoryBytes() == 4_194_304L);
    }

    @Test
    void readsThePendingTasksOfServicesShortOfTasksWithTheSchedulersReasonAndTheirAge() throws IOException {
        pendingSwarm = true;
        DockerSwarm swarm = swarm(Duration.ofSeconds(5));
        List<ServiceInfo> services = swarm.services();
        assertThat(services).extracting(ServiceInfo::name).containsExactly("pinned", "big");
        assertThat(services).allMatch(ServiceInfo::shortOfTasks);

        List<TaskInfo> pending = swarm.pendingTasks(Set.of(BIG));

        assertThat(lastTaskQuery).contains("\"desired-state\":[\"running\"]").contains("\"service\":[\"" + BIG + "\"]");
        assertThat(pending).hasSize(3).allMatch(TaskInfo::pending);
        TaskInfo big = pending.stream().filter(t -> t.id().equals("6h2df5msalzyn13oddwbrpcmm")).findFirst().orElseThrow();
        assertThat(big).isEqualTo(new TaskInfo("6h2df5msalzyn13oddwbrpcmm", BIG, "", true, false, 500_000_000L,
                1000L << 30, "no suitable node (insufficient resources on 1 node)",
                Instant.parse("2026-12-01T08:27:21.142044435Z")));
        assertThat(pending).extracting(TaskInfo::schedulerError)
                .contains("no suitable node (scheduling constraints not satisfied on 1 node)");
    }

    @Test
    void noServiceShortOfTasksNoTaskRead() throws IOException {
        assertThat(swarm(Duration.ofSeconds(5)).pendingTasks(Set.of())).isEmpty();
        assertThat(lastTaskQuery).isNull();
    }

    @Test
    void anErrorReplyFailsThePassNamingDockerAndItsMessage() throws IOException {
        DockerSwarm swarm = swarm(Duration.ofSeconds(5));
        status = 503;
        assertThatThrownBy(swarm::nodes).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("Docker at tcp://127.0.0.1:").hasMessageContaining("cannot list nodes")
                .hasMessageContaining("HTTP 503").hasMessageContaining("this node is not a swarm manager");
    }

    @Test
    void aHungDockerFailsThePassWithinTheResponseTimeout() throws IOException {
        DockerSwarm swarm = swarm(Duration.ofMillis(500));
        hang = true;
        long started = System.nanoTime();
        assertThatThrownBy(swarm::nodes).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("Docker at tcp://127.0.0.1:").hasMessageContaining("cannot list nodes")
                .hasMessageContaining("timed out");
        assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(5).toNanos());
    }
}
