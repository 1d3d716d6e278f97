package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.prometheus.Prometheus;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon's HTTP server and loop, wired to stub Swarm and node-group ports and to a "Prometheus" on
 * loopback that accepts connections and never answers (as a SIGSTOPped one does), under hostile clients: fuzzed
 * routes, queries, bodies and headers, and slow and half-sent connections. Nothing a client sends may get a 500,
 * hang, change capacity, or slow the probes.
 */
class HostileInputTest {
    private static final int FUZZED_REQUESTS = 3000;
    private static final int SLOW_CONNECTIONS = 50;
    /** For the 99th percentile; the test JVM's own fuzzing clients share the CPU with the server. */
    private static final Duration PROBE_LIMIT = Duration.ofMillis(100);
    private static final Duration REPLY_LIMIT = Duration.ofSeconds(15);

    private final List<String> capacityChanges = new CopyOnWriteArrayList<>();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket hungPrometheus;
    private ScalerRuntime scaler;
    private String token;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        hungPrometheus = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!hungPrometheus.isClosed()) {
                try {
                    held.add(hungPrometheus.accept()); // and never read nor answer
                } catch (IOException e) {
                    return;
                }
            }
        }, "hung-prometheus");
        acceptor.setDaemon(true);
        acceptor.start();
        token = "t0k3n-" + new Random().nextLong();
        Path auth = dir.resolve("auth");
        Files.writeString(auth, "bearer " + token);
        ScalerConfig config = ScalerConfig.fromEnvironment(Map.of("RECONCILE_INTERVAL", "1s",
                "LISTEN_ADDRESS", "127.0.0.1", "LISTEN_PORT", "0", "SERVER_PREFIX", "/scaler",
                "WEBHOOK_AUTH_FILE", auth.toString()));
        URI prometheus = URI.create("http://127.0.0.1:" + hungPrometheus.getLocalPort());
        scaler = ScalerRuntime.start(config, stubSwarm(), List.of(fullWorkerGroup()), Prometheus.connect(prometheus),
                n -> {}, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : held) {
            socket.close();
        }
        scaler.close();
        hungPrometheus.close();
    }

    @Test
    void fuzzedAndSlowClientsGetNo500AndNoHangAndTheProbesStayFast() throws Exception {
        int port = scaler.httpPort();
        // A hung Prometheus fails the pass's check within its timeout, named, with the reason; probes say so at once.
        await().atMost(Duration.ofSeconds(15)).until(() -> send(port, probe("/readyz")).text().contains("Prometheus"));
        assertThat(send(port, probe("/readyz")).text()).contains("Prometheus at http://127.0.0.1:"
                + hungPrometheus.getLocalPort(), "no answer within 2000ms");
        assertThat(send(port, probe("/healthz")).status()).as("alive: the loop attempts passes").isEqualTo(200);

        openSlowConnections(port);
        List<Long> probeNanos = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(5); // the prober and four fuzzing clients
        try {
            Future<?> probing = clients.submit(() -> probeContinuously(port, probeNanos));
            Random random = new Random(12);
            List<Future<Reply>> replies = new ArrayList<>();
            List<byte[]> requests = new ArrayList<>();
            for (int i = 0; i < FUZZED_REQUESTS; i++) {
                byte[] request = fuzzedRequest(random);
                requests.add(request);
                replies.add(clients.submit(() -> send(port, request)));
            }
            Map<Integer, Integer> byStatus = new ConcurrentHashMap<>();
            Map<String, Integer> badRequestReasons = new java.util.TreeMap<>();
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < replies.size(); i++) {
                Reply reply = replies.get(i).get(REPLY_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
                byStatus.merge(reply.status(), 1, Integer::sum);
                if (reply.status() == 400) {
                    String message = reply.text().replaceAll("(?s).*\"message\":\"", "").replaceAll("[\"(:].*", "");
                    badRequestReasons.merge(message.substring(0, Math.min(40, message.length())), 1, Integer::sum);
                }
                boolean backPressure = reply.status() == 503 && reply.text().toLowerCase().contains("retry-after");
                String requestLine = new String(requests.get(i), 0, Math.min(100, requests.get(i).length),
                        StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
                boolean notReady = reply.status() == 503 && requestLine.contains("/readyz"); // as it should
                boolean notImplemented = reply.status() == 501 || reply.status() == 505; // transfer coding, HTTP version
                if (reply.status() < 100 || (reply.status() >= 500 && !backPressure && !notReady
                        && !notImplemented)) {
                    bad.add(reply.status() + " for " + new String(requests.get(i), 0,
                            Math.min(200, requests.get(i).length), StandardCharsets.ISO_8859_1) + " → " + reply.text());
                }
            }
            probing.cancel(true);
            System.out.println("MEASURED hostile input: " + FUZZED_REQUESTS + " fuzzed requests, replies by status "
                    + new java.util.TreeMap<>(byStatus) + "; 400s by reason " + badRequestReasons);
            assertThat(bad).as("5xx from our code, or no answer (hang: -1)").isEmpty();
        } finally {
            clients.shutdownNow();
        }
        List<Long> sorted = new ArrayList<>(probeNanos);
        Collections.sort(sorted);
        assertThat(sorted).hasSizeGreaterThan(100);
        System.out.printf("MEASURED probes (/healthz, /readyz, /v1/ping) under %d slow connections and %d fuzzed"
                + " requests, Prometheus hung: n=%d p50=%.1fms p99=%.1fms max=%.1fms%n", SLOW_CONNECTIONS,
                FUZZED_REQUESTS, sorted.size(), millis(sorted, 0.50), millis(sorted, 0.99), millis(sorted, 1.0));
        assertThat(millis(sorted, 0.99)).as("p99 probe latency, ms").isLessThan(PROBE_LIMIT.toMillis());
        // On a shared 2-core machine a probe can wait on the CPU now and then; waiting on a thread would take seconds.
        assertThat(millis(sorted, 1.0)).as("slowest probe, ms").isLessThan(10 * PROBE_LIMIT.toMillis());
        assertThat(capacityChanges).as("no client changed capacity").isEmpty();
        // The slow connections are still held open by the clients, and the server still answers.
        assertThat(send(port, probe("/v1/ping")).status()).isEqualTo(200);
    }

    private static double millis(List<Long> sorted, double quantile) {
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    private void probeContinuously(int port, List<Long> nanos) {
        String[] paths = {"/healthz", "/readyz", "/v1/ping", "/scaler/healthz"};
        for (int i = 0; i < 20; i++) {
            send(port, probe(paths[i % paths.length])); // warm-up, not measured
        }
        for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
            long started = System.nanoTime();
            Reply reply = send(port, probe(paths[i % paths.length]));
            long took = System.nanoTime() - started;
            if (reply.status() > 0) {
                nanos.add(took);
            } else {
                nanos.add(Long.MAX_VALUE / 2); // a probe that got no answer counts as infinitely slow
            }
        }
    }

    /** Half of them stop in the middle of the headers, half in the middle of a body they announced. */
    private void openSlowConnections(int port) throws IOException {
        for (int i = 0; i < SLOW_CONNECTIONS; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            held.add(socket);
            String partial = i % 2 == 0 ? "GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    : "POST /v1/scale-nodes?by=1&type=worker HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                            + "\r\nContent-Length: 1000\r\n\r\n{\"groupLabels\":";
            socket.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
    }

    private static byte[] probe(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    record Reply(int status, String text) {}

    /**
     * Sends raw bytes, half-closes, and reads the whole answer; status -1 when none came in time. A connection
     * reset before any byte came (the server answered and closed while request bytes were still unread, and the
     * reset overtook the answer) is tried once more; a second one counts as no answer.
     */
    private static Reply send(int port, byte[] request) {
        Reply reply = sendOnce(port, request);
        return reply.status() == -1 && reply.text().equals(RESET) ? sendOnce(port, request) : reply;
    }

    private static final String RESET = "reset before any answer";

    private static Reply sendOnce(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout((int) REPLY_LIMIT.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server may answer and close before reading all of an oversized request
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                return new Reply(-1, "no answer within " + REPLY_LIMIT);
            } catch (IOException e) {
                if (answer.size() == 0) {
                    return new Reply(-1, RESET);
                }
                // reset after the answer: what came counts
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
                return new Reply(-1, "no status line: " + text);
            }
            return new Reply(Integer.parseInt(text.substring(9, 12)), text);
        } catch (IOException e) {
            return new Reply(-1, e.toString());
        }
    }

    // ---- the fuzzer ---------------------------------------------------------------------------------------------

    private static final String[] METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
            "CONNECT", "get", "FOO", "G\u00c9T", ""};
    private static final String[] PATHS = {"/", "/status", "/metrics", "/healthz", "/readyz", "/v1/ping",
            "/v1/scale-nodes", "/v1/scale-service", "/v1/reschedule-services", "/v1/reschedule-service",
            "/v1/requests/", "/v1/requests/abc", "/v1/requests/%2e%2e", "/scaler/v1/scale-nodes", "/scaler",
            "/scaler/", "//v1//ping", "/v1/ping/..", "/../../etc/passwd", "/%00", "/%zz", "/v1/%2Fping",
            "/\u00e9t\u00e9", "*", "http://evil/v1/ping", "/v1/scale-nodes;x=1", "/" + "a".repeat(9000)};
    private static final String[] VALUES = {"1", "0", "-1", "100", "101", "99999999999", "1e3", "0x1", "+1",
            "\uff11", "\u0661", "", "%", "%zz", "%00", "worker", "manager", "wor\u212aer", "WORKER", "up", "down",
            "null", "[]", "{}", "' OR 1=1", "<script>", "a".repeat(3000)};
    private static final String[] BODIES = {"", "{}", "[]", "null", "{\"groupLabels\":{\"scale\":\"up\"}}",
            "{\"groupLabels\":{\"scale\":\"down\",\"service\":\"nope\"}}", "{\"groupLabels\":{\"scale\":1}}",
            "{\"groupKey\":\"g\",\"groupLabels\":{\"scale\":\"up\"}}", "{\"groupLabels\":", "\u0000\u0001\u0002",
            "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "x".repeat(70_000)};
    private static final String[] HEADERS = {"Content-Type: application/json", "Transfer-Encoding: gzip",
            "Transfer-Encoding: chunked", "Content-Length: -1", "Content-Length: abc", "Content-Length: 99999999999",
            "Expect: 100-continue", "Authorization: bearer wrong", "Authorization: Basic", "Authorization: ",
            "Connection: keep-alive", "Host: ", "X-Nul: a\u0000b", "X-Long: " + "h".repeat(10_000), "Bad Header",
            ": empty-name", "X-Unicode: \u00e9"};

    private byte[] fuzzedRequest(Random random) {
        String method = pick(random, METHODS);
        StringBuilder target = new StringBuilder(pick(random, PATHS));
        if (random.nextInt(3) > 0) {
            target.append('?');
            int params = random.nextInt(4);
            for (int i = 0; i < params; i++) {
                target.append(i == 0 ? "" : "&").append(pick(random, new String[] {"by", "type", "scale", "service",
                        "", "=", "by%zz"})).append('=').append(pick(random, VALUES));
            }
        }
        String body = pick(random, BODIES);
        List<String> headers = new ArrayList<>();
        headers.add("Host: x");
        headers.add("Connection: close");
        if (random.nextInt(4) == 0) {
            headers.add("Authorization: Bearer " + token); // some get through, to reach the routes' own checks
        }
        int extra = random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0;
        for (int i = 0; i < extra; i++) {
            headers.add(pick(random, HEADERS));
        }
        if (random.nextInt(50) == 0) {
            for (int i = 0; i < 1000; i++) {
                headers.add("X-Many-" + i + ": v");
            }
        }
        boolean declaresLength = headers.stream().noneMatch(h -> h.startsWith("Content-Length")
                || h.startsWith("Transfer-Encoding"));
        if (declaresLength) {
            // sometimes a length that does not match what is sent
            int length = body.getBytes(StandardCharsets.UTF_8).length + (random.nextInt(10) == 0 ? 5 : 0);
            headers.add("Content-Length: " + length);
        }
        String version = random.nextInt(40) == 0 ? "HTTP/9.9" : "HTTP/1.1";
        String head = method + " " + target + " " + version + "\r\n" + String.join("\r\n", headers) + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[headBytes.length + bodyBytes.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
        return all;
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    // ---- stub ports ---------------------------------------------------------------------------------------------

    /** One worker group at its maximum, so no request may change it; every change is recorded. */
    private NodeGroup fullWorkerGroup() {
        return new NodeGroup() {
            @Override
            public NodeRole role() {
                return NodeRole.WORKER;
            }

            @Override
            public String backend() {
                return "stub";
            }

            @Override
            public Capacity capacity() {
                return new Capacity(1, 1, 1, List.of(), Optional.empty(), Optional.empty());
            }

            @Override
            public void setDesiredCapacity(int desired) {
                capacityChanges.add("set desired " + desired);
            }

            @Override
            public void terminate(String instanceId) {
                capacityChanges.add("terminate " + instanceId);
            }

            @Override
            public Optional<String> instanceIdOf(SwarmNode node) {
                return Optional.empty();
            }
        };
    }

    private static Swarm stubSwarm() {
        return new Swarm() {
            @Override
            public List<SwarmNode> nodes() {
                return List.of();
            }

            @Override
            public List<ServiceInfo> services() {
                return List.of(new ServiceInfo("e1", "exporter", Map.of("com.df.alertName.1", "mem",
                        "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.alertFor.1", "30s",
                        "com.df.alertLabels.1", "scale=up,service=exporter,type=node"), List.of(), 1));
            }

            @Override
            public List<TaskInfo> tasks(java.util.Set<String> nodesWithHistory) {
                return List.of();
            }

            @Override
            public List<TaskInfo> pendingTasks(java.util.Set<String> serviceIds) {
                return List.of();
            }

            @Override
            public void scaleService(String serviceId, int replicas) {
                throw new AssertionError("no client may scale a service here");
            }

            @Override
            public void forceUpdate(String serviceId) {}

            @Override
            public void drain(String nodeId, String markLabel, String markValue) {
                throw new AssertionError("no client may drain a node");
            }

            @Override
            public void undrain(String nodeId, String markLabel) {}

            @Override
            public void changeNode(String nodeId, String availability, java.util.Map<String, String> labelsSet,
                    java.util.Set<String> labelsRemoved) {}

            @Override
            public void removeNode(String nodeId) {
                throw new AssertionError("no client may remove a node");
            }

            @Override
            public AutoCloseable watch(Set<String> quietServices, Runnable onChange) {
                return () -> {};
            }
        };
    }
}
