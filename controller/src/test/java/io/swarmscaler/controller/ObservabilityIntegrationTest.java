package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.local.LocalLab;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.model.NodeRole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of a running daemon on a real local Swarm and Prometheus: health and readiness, metrics,
 * the status that explains each decision (and why not), the CLI's {@code check} and {@code status}, the status
 * page in a real headless browser, and a dry run that changes nothing.
 */
@LocalSwarmTest(workers = 1)
class ObservabilityIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static TestLab lab;

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    /**
     * The seed's worker exporter with an up policy capped at {@code maxWorkers}, and a service with a broken label.
     * Tests set the ratio to 0.875, which the demo exporter's byte counts represent exactly.
     */
    private static void deployPolicies(String maxWorkers) {
        Map<String, String> labels = new HashMap<>(Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8",
                "com.df.alertFor.1", "2s",
                "com.df.scaleWorkerNodeMax", maxWorkers));
        LocalServices.create(lab.docker, LocalLab.WORKER_EXPORTER, labels, List.of("node.role == worker"), -1);
        LocalServices.create(lab.docker, "broken", Map.of(
                "com.df.alertName.1", "node_mem_limit_total_below",
                "com.df.alertIf.1", "@node_mem_limit_total_below:0.1",
                "com.df.alertFor.1", "soon"), List.of("node.role == worker"), 1);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(String base) throws Exception {
        return JSON.readTree(get(base + "/status").body());
    }

    private static JsonNode policy(JsonNode status, String id) {
        for (JsonNode p : status.path("policies")) {
            if (p.path("id").asText().equals(id)) {
                return p;
            }
        }
        return JSON.missingNode();
    }

    @Test
    void healthMetricsAndStatusExplainWhyTheScalerDoesNotScale() throws Exception {
        deployPolicies("1");
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            String base = "http://127.0.0.1:" + scaler.httpPort();
            assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/readyz").statusCode() == 200);

            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.875);
            String policyId = LocalLab.WORKER_EXPORTER + "#1";
            await().atMost(Duration.ofSeconds(30)).until(() -> policy(status(base), policyId)
                    .path("trueSince").isTextual() && status(base).path("decisions").toString()
                    .contains("at the maximum of 1; not scaling up"));

            JsonNode status = status(base);
            assertThat(status.path("ready").asBoolean()).isTrue();
            assertThat(status.path("backend").asText()).isEqualTo("local");
            JsonNode worker = status.path("groups").get(0);
            assertThat(worker.path("group").asText()).isEqualTo("worker");
            assertThat(worker.path("desired").asInt()).isEqualTo(1);
            assertThat(worker.path("ready").asInt()).isEqualTo(1);
            assertThat(worker.path("joining").asInt()).isZero();
            assertThat(worker.path("max").asInt()).as("the up policy's com.df.scaleWorkerNodeMax").isEqualTo(1);
            assertThat(worker.path("min").asInt()).isZero();
            JsonNode policy = policy(status, policyId);
            assertThat(policy.path("value").asDouble()).isEqualTo(0.875);
            assertThat(policy.path("threshold").asDouble()).isEqualTo(0.8);
            assertThat(policy.path("comparison").asText()).isEqualTo(">");
            assertThat(policy.path("for").asText()).isEqualTo("2s");
            assertThat(policy.path("scale").asText()).isEqualTo("up");
            assertThat(policy.path("bounds").path("max").asInt()).isEqualTo(1);
            assertThat(policy.path("query").asText()).contains("sum(node_memory_MemTotal_bytes{job=\"exporter_node-exporter-worker\"})");
            assertThat(status.path("labelErrors").toString())
                    .contains("service broken: label com.df.alertFor.1=\\\"soon\\\" is not valid");
            assertThat(status.path("recentDecisions").toString()).contains("at the maximum of 1");
            assertThat(status.path("history").size()).isPositive();

            String metrics = get(base + "/metrics").body();
            assertThat(metrics).contains(
                    "swarm_scaler_reconcile_cycles_total{outcome=\"success\",}",
                    "swarm_scaler_group_nodes{group=\"worker\",backend=\"local\",kind=\"ready\",} 1.0",
                    "swarm_scaler_policy_value{policy=\"" + policyId + "\",group=\"worker\",direction=\"up\",} 0.875",
                    "swarm_scaler_policy_label_errors 1.0",
                    "swarm_scaler_backend_call_seconds_count{backend=\"docker\",call=\"nodes\",}",
                    "swarm_scaler_backend_call_seconds_count{backend=\"prometheus\",call=\"query\",}",
                    "swarm_scaler_backend_call_seconds_count{backend=\"local\",call=\"capacity\",}",
                    "swarm_scaler_http_requests_total{route=\"/readyz\",code=\"200\",}",
                    "jvm_threads_current");

            // The CLI: status of this daemon, and the labels as understood.
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            StatusCommand statusCommand = new StatusCommand();
            statusCommand.url = URI.create(base);
            statusCommand.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
            assertThat(statusCommand.call()).isZero();
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Ready, backend local",
                    "worker   desired 1, ready 1, joining 0, draining 0, bounds 0..1", policyId + ": value 0.875 > 0.8, for 2s, scale up worker, holds since",
                    "label error: service broken", "at the maximum of 1; not scaling up");

            printed.reset();
            CheckCommand check = new CheckCommand();
            check.dockerHost = lab.lab.cluster().dockerHost();
            check.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
            assertThat(check.call()).as("label errors make check exit 1").isEqualTo(1);
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("1 policies, 1 label errors",
                    policyId + " (node_mem_limit_total_above)", "then   add 1 worker node(s), up to 1",
                    "service broken: label com.df.alertFor.1=\"soon\" is not valid");

            // Prometheus down: still alive, no longer ready, and the reason says why.
            lab.lab.prometheus().stop();
            try {
                // The probe answers from the loop's last pass, never by asking Prometheus itself.
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/readyz").statusCode() == 503);
                HttpResponse<String> readyz = get(base + "/readyz");
                assertThat(readyz.body()).contains("Prometheus at " + lab.lab.prometheus().address(), "unreachable");
                assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
            } finally {
                lab.lab.prometheus().restart();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/readyz").statusCode() == 200);
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        StatusCommand gone = new StatusCommand();
        gone.url = URI.create("http://127.0.0.1:" + TestLab.freePort());
        gone.err = new PrintStream(errors, true, StandardCharsets.UTF_8);
        assertThat(gone.call()).isEqualTo(2);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("no daemon answers at");
    }

    @Test
    void aDryRunPlansAndReportsButChangesNothing() throws Exception {
        deployPolicies("4");
        LocalServices.create(lab.docker, "web", Map.of("com.df.reschedule", "true"), List.of(), 1);
        int before = lab.desiredWorkers();
        try (ScalerRuntime scaler = lab.startScaler(Map.of("DRY_RUN", "true"))) {
            String base = "http://127.0.0.1:" + scaler.httpPort();
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.875);
            String wouldScale = "Dry run, not done: change the number of worker nodes on local from %d to %d"
                    .formatted(before, before + 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream()
                    .anyMatch(l -> l.startsWith(wouldScale)));
            // Several more passes: the planner keeps wanting to scale, and nothing changes.
            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.desiredWorkers()).isEqualTo(before);
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(before);

            HttpResponse<String> up = post(base + "/v1/scale-nodes?by=1&type=worker",
                    "{\"groupLabels\": {\"scale\": \"up\"}}");
            assertThat(JSON.readTree(up.body()).path("message").asText()).startsWith("dry run, not done: ");
            HttpResponse<String> reschedule = post(base + "/v1/reschedule-services", "");
            assertThat(reschedule.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(reschedule.body()).path("message").asText())
                    .isEqualTo("dry run, not done: reschedule services web");
            assertThat(lab.desiredWorkers()).isEqualTo(before);
            assertThat(lab.notifications).as("nobody is paged for a dry run").isEmpty();

            assertThat(status(base).path("dryRun").asBoolean()).isTrue();
            assertThat(get(base + "/metrics").body()).contains(
                    "swarm_scaler_scale_actions_total{group=\"worker\",direction=\"up\",result=\"dry_run\",}");
        }
    }

    @Test
    void theStatusPageRendersGroupsPoliciesAndChartsInAHeadlessBrowser() throws Exception {
        deployPolicies("1");
        try (ScalerRuntime scaler = lab.startScaler(Map.of("SERVER_PREFIX", "/scaler"))) {
            String base = "http://127.0.0.1:" + scaler.httpPort() + "/scaler";
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.875);
            await().atMost(Duration.ofSeconds(30)).until(() -> status(base).path("history").size() > 0
                    && status(base).path("decisions").toString().contains("at the maximum of 1"));

            String dom = renderedDom(base + "/");
            assertThat(dom).contains("data-rendered=\"true\"");
            assertThat(dom).contains("Ready: last pass succeeded");
            assertThat(dom).as("not a dry run").contains("<span id=\"dryrun\" class=\"badge\" hidden=\"\">");
            assertThat(dom).contains("<td>worker (local)</td>", "<td>0..1</td>");
            assertThat(dom).contains("<td>" + LocalLab.WORKER_EXPORTER + "#1</td>", "<td>value &gt; 0.8</td>",
                    "<td>0.875</td>");
            assertThat(dom).contains("service broken: label com.df.alertFor.1=\"soon\" is not valid");
            assertThat(dom).contains("id=\"chart-policy-0\"", "class=\"threshold\"", "class=\"series\"",
                    "id=\"chart-nodes-worker\"");
            assertThat(dom).contains("at the maximum of 1; not scaling up");
        }
    }

    /**
     * The page after its scripts ran, from Debian's Chromium. Host resolution is limited to loopback and
     * background networking is off, so the browser reaches nothing but the daemon.
     */
    private static String renderedDom(String url) throws Exception {
        Path profile = Files.createTempDirectory("swarm-scaler-chromium");
        try {
            List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-default-apps",
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                    "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", url));
            Process chromium = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] dom = chromium.getInputStream().readAllBytes();
            if (!chromium.waitFor(60, TimeUnit.SECONDS)) {
                chromium.destroyForcibly();
                throw new AssertionError("chromium did not finish within 60 s");
            }
            assertThat(chromium.exitValue()).as("chromium exit status").isZero();
            return new String(dom, StandardCharsets.UTF_8);
        } finally {
            try (var paths = Files.walk(profile)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
