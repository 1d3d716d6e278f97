package io.swarmscaler.controller;

import static io.swarmscaler.controller.local.LocalLab.WORKER_EXPORTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.controller.local.PrometheusProcess;
import io.swarmscaler.controller.notify.Notifiers;
import io.swarmscaler.model.NodeRole;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's Alertmanager-driven flow with real parts: Prometheus evaluates a rule equivalent to the exporter's
 * labels, Alertmanager calls our /v1/scale-nodes (and repeats itself), our notifications go back to Alertmanager's
 * v2 API and from there, through its slack_configs, to a local HTTP sink standing in for Slack.
 */
@LocalSwarmTest(workers = 1)
class AlertmanagerFlowIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static TestLab lab;
    private static HttpServer slack;
    private static final List<String> slackMessages = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(TestLab shared) throws Exception {
        lab = shared;
        slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slack.createContext("/slack", exchange -> {
            slackMessages.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        slack.start();
    }

    @AfterAll
    static void stop() {
        if (slack != null) {
            slack.stop(0);
        }
    }

    @AfterEach
    void forgetSlackMessages() {
        slackMessages.clear();
    }

    /** The seed's Alertmanager configuration, with its addresses pointed at this test's servers. */
    private static String alertmanagerConfig(int scalerPort) {
        return """
                global:
                  slack_api_url: 'http://127.0.0.1:%d/slack'
                route:
                  group_wait: 0s
                  group_interval: 2s
                  repeat_interval: 3s
                  receiver: 'slack'
                  group_by: [service, scale, type]
                  routes:
                    - match_re:
                        scale: up|down
                        type: node
                      receiver: 'scale-nodes'
                    - match_re:
                        alertname: scale_service|reschedule_service|scale_nodes
                      group_by: [alertname, service, status]
                      repeat_interval: 10s
                      group_interval: 1s
                      group_wait: 0s
                      receiver: 'slack-scaler'
                receivers:
                  - name: 'slack'
                    slack_configs:
                      - send_resolved: true
                        title: '[{{ .Status | toUpper }}] {{ .GroupLabels.service }} service is in danger!'
                        text: '{{ .CommonAnnotations.summary }}'
                  - name: 'slack-scaler'
                    slack_configs:
                      - title: '{{ .GroupLabels.alertname }}: {{ .CommonAnnotations.request }}'
                        color: '{{ if eq .GroupLabels.status "error" }}danger{{ else }}good{{ end }}'
                        text: '{{ .CommonAnnotations.summary }}'
                  - name: 'scale-nodes'
                    webhook_configs:
                      - send_resolved: false
                        url: 'http://127.0.0.1:%d/v1/scale-nodes?by=1&type=worker'
                """.formatted(slack.getAddress().getPort(), scalerPort);
    }

    @Test
    void aFiringRuleScalesOnceThroughAlertmanagerAndTheStepsReachSlack() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, Map.of(), List.of("node.role == worker"), -1);
        int before = lab.desiredWorkers();
        Path dir = lab.stateDir().resolve("alerting");
        // The scaler first: Alertmanager needs its port, and it needs Alertmanager's address.
        int scalerPort = TestLab.freePort();
        try (AlertmanagerProcess alertmanager = AlertmanagerProcess.start(dir.resolve("am"),
                alertmanagerConfig(scalerPort));
                ScalerRuntime scaler = lab.startScaler(Map.of("LISTEN_PORT", Integer.toString(scalerPort)),
                        List.of(lab.lab.workers()), Notifiers.from(httpConfig(alertmanager.address()),
                                Clock.systemUTC()));
                PrometheusProcess prometheus = prometheusWithRules(dir.resolve("prometheus"), alertmanager)) {
            // Above the rule's 0.95 for its 30 s, on the new node too, so that the alert keeps firing and
            // Alertmanager keeps repeating it after the scale-up.
            lab.lab.exporter().setFreshNodeRatio(0.99);
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.99);

            await().atMost(Duration.ofSeconds(90)).until(() -> lab.desiredWorkers() == before + 1);
            // Alertmanager repeats the alert every few seconds while it fires: wait for repeats, then count.
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream()
                    .filter(l -> l.startsWith("Scale request ")).count() >= 3);
            assertThat(lab.desiredWorkers()).as("one worker although Alertmanager repeated").isEqualTo(before + 1);

            String change = "Changing the number of worker nodes on local from %d to %d".formatted(before, before + 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> slackMessages.stream().anyMatch(m -> m.contains(change)));
            JsonNode alerts = JSON.readTree(CLIENT.send(HttpRequest.newBuilder(alertmanager.address()
                    .resolve("/api/v2/alerts")).build(), HttpResponse.BodyHandlers.ofString()).body());
            // Steps with the same labels (alertname, service, status) are one alert in Alertmanager, whose
            // summary is the latest step's: as the seed's Slack template reads .CommonAnnotations.summary.
            List<String> sent = lab.notifications.stream().map(io.swarmscaler.model.Notification::summary).toList();
            List<JsonNode> ours = new java.util.ArrayList<>();
            alerts.forEach(a -> {
                if (a.path("labels").path("alertname").asText().equals("scale_nodes")) {
                    ours.add(a);
                }
            });
            assertThat(ours).isNotEmpty().allSatisfy(a -> {
                assertThat(a.path("labels").path("service").asText()).isEqualTo("worker");
                assertThat(a.path("labels").path("status").asText()).isEqualTo("success");
                assertThat(sent).contains(a.path("annotations").path("summary").asText());
            });
        }
    }

    @Test
    void theSeedsCurlCallsWorkAsWritten() throws Exception {
        int before = lab.desiredWorkers();
        try (ScalerRuntime scaler = lab.startScaler(Map.of("SERVER_PREFIX", "/scaler"))) {
            String base = "http://127.0.0.1:" + scaler.httpPort() + "/scaler/v1/scale-nodes?by=1&type=worker";
            HttpResponse<String> up = post(base, "{\"groupLabels\": {\"scale\": \"up\"}}");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(up.body()).path("message").asText()).isEqualTo(
                    "Changing the number of worker nodes on local from %d to %d".formatted(before, before + 1));
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == before + 1);

            HttpResponse<String> down = post(base, "{\"groupLabels\": {\"scale\": \"down\"}}");
            assertThat(down.statusCode()).as(down.body()).isEqualTo(409);
            assertThat(JSON.readTree(down.body()).path("message").asText())
                    .contains("no scale-down within 10m of the last scale-up");
        }
        try (ScalerRuntime fresh = lab.startScaler(Map.of())) {
            // A scaler with no recent scale-up removes a node safely on the same call.
            HttpResponse<String> down = post("http://127.0.0.1:" + fresh.httpPort()
                    + "/v1/scale-nodes?by=1&type=worker", "{\"groupLabels\": {\"scale\": \"down\"}}");
            assertThat(down.statusCode()).as(down.body()).isEqualTo(200);
            assertThat(JSON.readTree(down.body()).path("message").asText())
                    .startsWith("Changing the number of worker nodes on local from %d to %d: draining"
                            .formatted(before + 1, before));
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == before);
        }
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ScalerConfig.Http httpConfig(URI alertmanager) {
        return ScalerConfig.fromEnvironment(Map.of("ALERTMANAGER_ADDRESS", alertmanager.toString())).http();
    }

    /** A second Prometheus with the rule from config/prometheus-rules.yml, alerting to our Alertmanager. */
    private static PrometheusProcess prometheusWithRules(Path dir, AlertmanagerProcess alertmanager)
            throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Path rules = dir.resolve("rules.yml");
        java.nio.file.Files.copy(Path.of("..", "config", "prometheus-rules.yml"), rules,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String extra = """
                rule_files: ['%s']
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['127.0.0.1:%d']
                """.formatted(rules, alertmanager.address().getPort());
        return PrometheusProcess.start(dir, TestLab.freePort(), List.of(new PrometheusProcess.ScrapeJob(
                WORKER_EXPORTER, lab.lab.exporter().target(), "/metrics/worker")), Duration.ofSeconds(1), extra);
    }
}
