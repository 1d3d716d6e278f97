package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.local.LocalLab;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.model.NodeRole;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 on a running daemon and the real lab: the bad labels of the issue's reproduction, each on a service of
 * its own, and Prometheus and the manager's dockerd stopped with SIGSTOP in the middle of passes.
 */
@LocalSwarmTest(workers = 1)
class HostileInputIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /** What the stack's health check allows /healthz, and what we allow every probe here. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final String ABOVE = "@node_mem_limit_total_above:0.8";
    private static TestLab lab;

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    @AfterEach
    void oneWorkerAgain() {
        lab.resetNodes(1);
    }

    /** One bad label of the issue's list, on a service of its own. */
    record BadLabel(String what, Map<String, String> labels, String label) {}

    /** The 16 bad labels issue 12 found accepted without an error. */
    static List<BadLabel> badLabels() {
        return List.of(
                new BadLabel("ratio with a float suffix", Map.of("com.df.alertIf.1", "@node_mem_limit_total_above:0.8f"),
                        "com.df.alertIf.1"),
                new BadLabel("ratio with a double suffix", Map.of("com.df.alertIf.1",
                        "@node_mem_limit_total_below:0.05d"), "com.df.alertIf.1"),
                new BadLabel("ratio in hex", Map.of("com.df.alertIf.1", "@node_mem_limit:0x1p-1"), "com.df.alertIf.1"),
                new BadLabel("alertFor of years", Map.of("com.df.alertIf.1", ABOVE, "com.df.alertFor.1", "99999999h"),
                        "com.df.alertFor.1"),
                new BadLabel("max in an Arabic-Indic digit", Map.of("com.df.scaleWorkerNodeMax", "\u0664"),
                        "com.df.scaleWorkerNodeMax"),
                new BadLabel("UpBy over 100 under a huge Max", Map.of("com.df.alertIf.1", ABOVE,
                        "com.df.scaleWorkerNodeUpBy", "100000", "com.df.scaleWorkerNodeMax", "1000000"),
                        "com.df.scaleWorkerNodeUpBy"),
                new BadLabel("scale given twice", Map.of("com.df.alertIf.1", ABOVE,
                        "com.df.alertLabels.1", "scale=down,scale=up"), "com.df.alertLabels.1"),
                new BadLabel("PromQL Prometheus cannot parse", Map.of("com.df.alertIf.1", "up) or vector(1",
                        "com.df.alertLabels.1", "type=node,scale=up"), "com.df.alertIf.1"),
                new BadLabel("shortcut in upper case", Map.of("com.df.alertIf.1", "@NODE_MEM_LIMIT_TOTAL_ABOVE:0.8"),
                        "com.df.alertIf.1"),
                new BadLabel("shortcut without @", Map.of("com.df.alertIf.1", "node_mem_limit_total_above:0.8"),
                        "com.df.alertIf.1"),
                new BadLabel("key alertif", Map.of("com.df.alertif", ABOVE), "com.df.alertif"),
                new BadLabel("key alertIf.1.1", Map.of("com.df.alertIf.1.1", ABOVE), "com.df.alertIf.1.1"),
                new BadLabel("alertFor.2 with no alertIf.2", Map.of("com.df.alertIf.1", ABOVE,
                        "com.df.alertFor.2", "5m"), "com.df.alertFor.2"),
                new BadLabel("bad manager max on a worker service", Map.of("com.df.alertIf.1", ABOVE,
                        "com.df.scaleManagerNodeMax", "lots"), "com.df.scaleManagerNodeMax"),
                new BadLabel("bad max on a service with no policy", Map.of("com.df.scaleWorkerNodeMax", "lots"),
                        "com.df.scaleWorkerNodeMax"),
                new BadLabel("reschedule=yes", Map.of("com.df.reschedule", "yes"), "com.df.reschedule"));
    }

    private static String serviceOf(int row) {
        return "bad-%02d".formatted(row + 1);
    }

    /**
     * Every bad label of the table, on a running daemon: named in {@code /status} and logged once, while the
     * loop goes on and the worker exporter's good policy still scales.
     */
    @Test
    void everyBadLabelIsNamedOnceWhileTheGoodPolicyStillActs() throws Exception {
        List<BadLabel> table = badLabels();
        assertThat(table).hasSize(16);
        for (int row = 0; row < table.size(); row++) {
            LocalServices.create(lab.docker, serviceOf(row), table.get(row).labels(),
                    List.of("node.role == worker"), 0);
        }
        deployGoodPolicy();
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            URI daemon = URI.create("http://127.0.0.1:" + scaler.httpPort());
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> status(daemon).path("labelErrors").size() >= table.size());
            TestLab.awaitPasses(daemon, 3, Duration.ZERO);
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.desiredWorkers() == 2);

            JsonNode errors = status(daemon).path("labelErrors");
            List<String> missing = new ArrayList<>();
            for (int row = 0; row < table.size(); row++) {
                String service = serviceOf(row);
                String label = table.get(row).label();
                boolean named = false;
                for (JsonNode e : errors) {
                    named |= e.path("service").asText().equals(service) && e.path("label").asText().equals(label);
                }
                long logged = lab.logLines.stream()
                        .filter(l -> l.startsWith("Label error") && l.contains("service " + service + ":")).count();
                if (!named || logged != 1) {
                    missing.add("%s (%s): in /status %s, logged %d times".formatted(service, table.get(row).what(),
                            named, logged));
                }
            }
            System.out.printf("MEASURED bad labels: %d of %d named in /status and logged once, over %d passes;"
                    + " the good policy scaled 1 -> 2%n", table.size() - missing.size(), table.size(),
                    TestLab.passesRun(daemon));
            assertThat(missing).as("bad labels not named once").isEmpty();
            assertThat(errors.size()).as(errors.toString()).isEqualTo(table.size());
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
        }
    }

    /**
     * Prometheus, then the manager's dockerd, stopped with SIGSTOP while the daemon runs passes: the probes answer
     * within their timeout all along, passes go on ending (none waits for ever), nothing scales, and the daemon is
     * ready again once each is resumed.
     */
    @Test
    void hungPrometheusOrDockerdNeitherStallsTheProbesNorHangsAPass() throws Exception {
        deployGoodPolicy();
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            URI daemon = URI.create("http://127.0.0.1:" + scaler.httpPort());
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(daemon, "/readyz") == 200);
            List<Long> probes = Collections.synchronizedList(new ArrayList<>());
            String prometheus = hangAndResume("Prometheus", lab.lab.prometheus().pid(), daemon, probes,
                    "Prometheus at " + lab.lab.prometheus().address());
            String dockerd = hangAndResume("the manager's dockerd", lab.lab.cluster().managerDaemonPid(), daemon,
                    probes, "Docker at ");
            List<Long> sorted = probes.stream().sorted().toList();
            System.out.printf("MEASURED hung dependencies: %s; %s; %d probes (/healthz, /v1/ping) p50 %d ms,"
                    + " p99 %d ms, max %d ms; 0 capacity changes%n", prometheus, dockerd, sorted.size(),
                    sorted.get(sorted.size() / 2), sorted.get(sorted.size() * 99 / 100), sorted.get(sorted.size() - 1));
            assertThat(lab.desiredWorkers()).isEqualTo(1);
        }
    }

    /**
     * Stops {@code pid} until the daemon ended 2 more passes and {@code /status} names the dependency, probing all
     * the while; then resumes it and waits for a pass to succeed and {@code /readyz} to be 200. Returns what was
     * measured.
     */
    private static String hangAndResume(String what, long pid, URI daemon, List<Long> probes, String named) {
        long passesBefore = passes(daemon);
        long failedBefore = passes(daemon, "failure");
        long stopped = System.nanoTime();
        long hung;
        long ended;
        long failed;
        try (TestLab.Paused paused = TestLab.pause(pid)) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (String path : List.of("/healthz", "/v1/ping")) {
                    long started = System.nanoTime();
                    assertThat(get(daemon, path)).as(path).isEqualTo(200);
                    probes.add((System.nanoTime() - started) / 1_000_000);
                }
                return passes(daemon) >= passesBefore + 2 && body(daemon, "/status").contains(named);
            });
            hung = System.nanoTime() - stopped;
            ended = passes(daemon) - passesBefore;
            failed = passes(daemon, "failure") - failedBefore;
        }
        long resumed = System.nanoTime();
        long succeeded = passes(daemon, "success");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> passes(daemon, "success") > succeeded && get(daemon, "/readyz") == 200);
        return "%s stopped %d s: %d passes ended (%d failed), ready again %d ms after SIGCONT".formatted(what,
                hung / 1_000_000_000L, ended, failed,
                (System.nanoTime() - resumed) / 1_000_000);
    }

    private static void deployGoodPolicy() {
        LocalServices.create(lab.docker, LocalLab.WORKER_EXPORTER, Map.of("com.df.alertIf.1", ABOVE,
                "com.df.alertFor.1", "1s", "com.df.scaleWorkerNodeMax", "2"), List.of("node.role == worker"), -1);
    }

    private static long passes(URI daemon) {
        try {
            return TestLab.passesRun(daemon);
        } catch (Exception e) {
            throw new AssertionError("the daemon's /metrics did not answer: " + e, e);
        }
    }

    /** Passes ended with {@code outcome} (success, failure), by the daemon's metrics. */
    private static long passes(URI daemon, String outcome) {
        String line = body(daemon, "/metrics").lines()
                .filter(l -> l.startsWith("swarm_scaler_reconcile_cycles_total{outcome=\"" + outcome + "\""))
                .findFirst().orElse(" 0");
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static JsonNode status(URI daemon) throws Exception {
        return JSON.readTree(body(daemon, "/status"));
    }

    private static int get(URI daemon, String path) {
        return send(daemon, path).statusCode();
    }

    private static String body(URI daemon, String path) {
        return send(daemon, path).body();
    }

    /** A GET that must answer within {@link #PROBE_TIMEOUT}. */
    private static HttpResponse<String> send(URI daemon, String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(daemon.resolve(path)).timeout(PROBE_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new AssertionError(path + " did not answer within " + PROBE_TIMEOUT + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
