package io.swarmscaler.controller.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.reconcile.ScaleRequestInbox;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.ServiceScaling;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP API over a real server on loopback. The reconcile loop behind it is replaced by a recorder that answers
 * with a fixed outcome: what is tested here is what reaches it, and what a client is told.
 */
class WebhookRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final List<ScaleRequest> submitted = new CopyOnWriteArrayList<>();
    private final List<String> forceUpdated = new CopyOnWriteArrayList<>();
    private final List<Notification> notifications = new CopyOnWriteArrayList<>();
    private volatile RequestOutcome answer = new RequestOutcome(true,
            "Changing the number of worker nodes on local from 1 to 2");
    private HttpApi api;

    private final Swarm swarm = new Swarm() {
        @Override
        public List<SwarmNode> nodes() {
            return List.of();
        }

        @Override
        public List<ServiceInfo> services() {
            return List.of(
                    new ServiceInfo("e1", "exporter_node-exporter-worker", Map.of("com.df.scaleWorkerNodeMax", "3",
                            "com.df.scaleWorkerNodeUpBy", "2"), List.of(), ServiceInfo.GLOBAL),
                    new ServiceInfo("b1", "broken", Map.of("com.df.scaleWorkerNodeMax", "lots"), List.of(), 1),
                    new ServiceInfo("d1", "demo", Map.of("com.df.reschedule", "true"), List.of(), 6),
                    new ServiceInfo("o1", "other", Map.of(), List.of(), 1));
        }

        @Override
        public List<TaskInfo> tasks(Set<String> nodesWithHistory) {
            return List.of();
        }

        @Override
        public List<TaskInfo> pendingTasks(Set<String> serviceIds) {
            return List.of();
        }

        @Override
        public void scaleService(String serviceId, int replicas) {
            throw new AssertionError("the API never scales a service directly");
        }

        @Override
        public void forceUpdate(String serviceId) {
            forceUpdated.add(serviceId);
        }

        @Override
        public void drain(String nodeId, String markLabel, String markValue) {
            throw new AssertionError("the API never drains directly");
        }

        @Override
        public void undrain(String nodeId, String markLabel) {
            throw new AssertionError("the API never undrains directly");
        }

        @Override
        public void changeNode(String nodeId, String availability, java.util.Map<String, String> labelsSet,
                java.util.Set<String> labelsRemoved) {
            throw new AssertionError("the API never changes a node directly");
        }

        @Override
        public void removeNode(String nodeId) {
            throw new AssertionError("the API never removes nodes directly");
        }

        @Override
        public AutoCloseable watch(Set<String> quietServices, Runnable onChange) {
            return () -> {};
        }
    };

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScaleRequestInbox inbox = new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock);
    /** Stands for the reconcile loop: a pass decides at once, unless passes are held. */
    private volatile boolean passesHeld;

    @BeforeEach
    void start() {
        api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), "/scaler", 64 * 1024, 64);
        new WebhookRoutes(new WebhookRoutes.LoopIntake(inbox, this::pass, Duration.ofMillis(200)), swarm,
                new PolicyParser(PolicyParser.Settings.defaults()), clock, new ServiceScaling.Defaults(1, 5))
                .register(api);
        new RescheduleRoutes(swarm, "com.df.reschedule", notifications::add, false).register(api);
    }

    private void pass() {
        if (passesHeld) {
            return;
        }
        List<ScaleRequest> taken = inbox.take();
        submitted.addAll(taken);
        Map<String, RequestOutcome> outcomes = new java.util.HashMap<>();
        taken.forEach(r -> outcomes.put(r.id(), answer));
        inbox.complete(outcomes, taken);
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> call(String method, String pathAndQuery, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void theSeedsCurlBecomesAScaleUpRequestAndTheReplySaysWhatWasDecided() throws Exception {
        HttpResponse<String> response = call("POST", "/scaler/v1/scale-nodes?by=1&type=worker",
                "{\"groupLabels\": {\"scale\": \"up\"}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("OK");
        assertThat(json(response).path("message").asText())
                .isEqualTo("Changing the number of worker nodes on local from 1 to 2");
        assertThat(submitted).singleElement().satisfies(r -> {
            assertThat(r.direction()).isEqualTo(ScaleDirection.UP);
            assertThat(r.target()).isEqualTo(new ScaleRequest.Nodes(NodeRole.WORKER, 1,
                    GroupBounds.defaultsFor(NodeRole.WORKER)));
        });
    }

    @Test
    void theSameRouteAnswersWithoutThePrefixAndDownGoesDown() throws Exception {
        HttpResponse<String> response = call("POST", "/v1/scale-nodes?by=2&type=manager",
                "{\"groupLabels\": {\"scale\": \"down\"}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(submitted).singleElement().satisfies(r -> {
            assertThat(r.direction()).isEqualTo(ScaleDirection.DOWN);
            assertThat(r.target()).isEqualTo(new ScaleRequest.Nodes(NodeRole.MANAGER, 2,
                    GroupBounds.defaultsFor(NodeRole.MANAGER)));
        });
    }

    @Test
    void aNamedServiceGivesTheBoundsAndAlertmanagersGroupKeyTheDedupKey() throws Exception {
        String alert = "{\"groupKey\": \"{}:{scale=\\\"up\\\"}\", "
                + "\"groupLabels\": {\"scale\": \"up\", \"service\": \"exporter_node-exporter-worker\"}}";
        call("POST", "/v1/scale-nodes?by=1&type=worker", alert);
        clock.advance(Duration.ofMinutes(1));
        call("POST", "/v1/scale-nodes?by=1&type=worker", alert);
        assertThat(submitted).hasSize(2).allSatisfy(r -> {
            GroupBounds bounds = ((ScaleRequest.Nodes) r.target()).bounds();
            assertThat(bounds.max()).isEqualTo(3);
            assertThat(bounds.upBy()).isEqualTo(2);
        });
        assertThat(submitted.get(0).dedupKey()).as("the planner deduplicates Alertmanager's repeats by groupKey")
                .isEqualTo(submitted.get(1).dedupKey()).contains("scale=\"up\"");
        assertThat(submitted.get(0).id()).isNotEqualTo(submitted.get(1).id());
    }

    @Test
    void aPersonsRequestsAreEachNewButARetryWithinSecondsJoinsTheFirstAndGetsItsRefusal() throws Exception {
        answer = new RequestOutcome(false, "no scale-up within 3m of the last scale-up");
        String up = "{\"groupLabels\": {\"scale\": \"up\"}}";
        HttpResponse<String> first = call("POST", "/v1/scale-nodes?by=1&type=worker", up);
        clock.advance(Duration.ofSeconds(3));
        HttpResponse<String> retry = call("POST", "/v1/scale-nodes?by=1&type=worker", up);
        assertThat(first.statusCode()).isEqualTo(409);
        assertThat(retry.statusCode()).as("the twin of a refused request is refused too").isEqualTo(409);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(submitted).as("the retry joined the first request").hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        answer = new RequestOutcome(true, "Changing the number of worker nodes on local from 1 to 2");
        assertThat(call("POST", "/v1/scale-nodes?by=1&type=worker", up).statusCode()).isEqualTo(200);
        assertThat(submitted).as("a minute later it is a new request, for the planner's ordinary cooldown")
                .hasSize(2);
        assertThat(submitted.get(0).dedupKey()).isNotEqualTo(submitted.get(1).dedupKey());
    }

    @Test
    void aRequestNotDecidedWithinTheBudgetAnswers202AndItsIdGivesTheOutcomeLater() throws Exception {
        passesHeld = true;
        HttpResponse<String> queued = call("POST", "/scaler/v1/scale-nodes?by=1&type=worker",
                "{\"groupLabels\": {\"scale\": \"up\"}}");
        assertThat(queued.statusCode()).isEqualTo(202);
        String id = json(queued).path("id").asText();
        assertThat(id).isNotBlank();
        assertThat(json(queued).path("status").asText()).isEqualTo("OK");
        assertThat(queued.headers().firstValue("Location")).hasValue("/v1/requests/" + id);

        HttpResponse<String> waiting = call("GET", "/scaler/v1/requests/" + id, null);
        assertThat(waiting.statusCode()).isEqualTo(202);
        assertThat(json(waiting).path("id").asText()).isEqualTo(id);

        passesHeld = false;
        pass();
        HttpResponse<String> decided = call("GET", "/v1/requests/" + id, null);
        assertThat(decided.statusCode()).isEqualTo(200);
        assertThat(json(decided).path("status").asText()).isEqualTo("OK");
        assertThat(json(decided).path("message").asText()).isEqualTo(answer.message());
        assertThat(json(decided).path("id").asText()).isEqualTo(id);

        assertThat(call("GET", "/v1/requests/no-such-id", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aFullInboxAnswers503WithRetryAfterAndLosesNothingSilently() throws Exception {
        passesHeld = true;
        int capacity = ScaleRequestInbox.Settings.defaults().capacity();
        for (int i = 0; i < capacity; i++) {
            String alert = "{\"groupKey\": \"g%d\", \"groupLabels\": {\"scale\": \"up\"}}".formatted(i);
            assertThat(call("POST", "/v1/scale-nodes?by=1&type=worker", alert).statusCode()).isEqualTo(202);
        }
        HttpResponse<String> full = call("POST", "/v1/scale-nodes?by=1&type=worker",
                "{\"groupKey\": \"one-more\", \"groupLabels\": {\"scale\": \"up\"}}");
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(full).path("status").asText()).isEqualTo("NOK");
        HttpResponse<String> repeat = call("POST", "/v1/scale-nodes?by=1&type=worker",
                "{\"groupKey\": \"g0\", \"groupLabels\": {\"scale\": \"up\"}}");
        assertThat(repeat.statusCode()).as("a repeat of a waiting request joins it, full or not").isEqualTo(202);
        passesHeld = false;
        pass();
        assertThat(submitted).hasSize(capacity);
    }

    @Test
    void aRefusalIsAnHonestConflict() throws Exception {
        answer = new RequestOutcome(false, "Worker nodes on local are at the maximum of 5; not scaling up");
        HttpResponse<String> response = call("POST", "/v1/scale-nodes?by=1&type=worker",
                "{\"groupLabels\": {\"scale\": \"up\"}}");
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).path("status").asText()).isEqualTo("NOK");
        assertThat(json(response).path("message").asText()).contains("at the maximum of 5");
    }

    static Stream<Arguments> badRequests() {
        String up = "{\"groupLabels\": {\"scale\": \"up\"}}";
        return Stream.of(
                Arguments.of("POST", "/v1/scale-nodes?type=worker", up, 400, "by is missing"),
                Arguments.of("POST", "/v1/scale-nodes?by=one&type=worker", up, 400, "by=\"one\" is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=0&type=worker", up, 400, "by=0 is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=-3&type=worker", up, 400, "by=-3 is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=5000&type=worker", up, 400, "from 1 to 100"),
                Arguments.of("POST", "/v1/scale-nodes?by=%2B1&type=worker", up, 400, "by=\"+1\" is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=%EF%BC%91&type=worker", up, 400, "by=\"１\" is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=%D9%A1&type=worker", up, 400, "by=\"١\" is not valid"),
                // the Kelvin sign, which equalsIgnoreCase would take for a k
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=wor%E2%84%AAer", up, 400,
                        "type=\"wor\u212Aer\" is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=1", up, 400, "type is missing"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=gpu", up, 400, "type=\"gpu\" is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=worker", "", 400, "groupLabels.scale is missing"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=worker", "{\"groupLabels\": {\"scale\": \"sideways\"}}",
                        400, "groupLabels.scale=\"sideways\" is not valid: expected up or down"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=worker", "{\"groupLabels\": ", 400,
                        "not valid JSON"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=worker", "[1, 2]", 400, "not a JSON object"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=worker",
                        "{\"groupLabels\": {\"scale\": \"up\", \"service\": \"nope\"}}", 404,
                        "groupLabels.service=\"nope\" is not a service"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=worker",
                        "{\"groupLabels\": {\"scale\": \"up\", \"service\": \"broken\"}}", 422,
                        "label com.df.scaleWorkerNodeMax=\"lots\" is not valid"),
                Arguments.of("POST", "/v1/scale-nodes?by=1&type=worker", "{\"x\": \"" + "a".repeat(70_000) + "\"}",
                        413, "larger than 65536 bytes"),
                Arguments.of("GET", "/v1/scale-nodes?by=1&type=worker", null, 405, "does not accept GET"),
                Arguments.of("POST", "/v1/nothing-here", null, 404, "no such path: /v1/nothing-here"),
                Arguments.of("POST", "/v1/reschedule-service", null, 400, "service is missing"),
                Arguments.of("POST", "/v1/reschedule-service?service=nope", null, 404,
                        "service=\"nope\" is not a service"));
    }

    @ParameterizedTest(name = "{0} {1} → {3}")
    @MethodSource("badRequests")
    void badInputGetsA4xxNamingTheField(String method, String path, String body, int status, String message)
            throws Exception {
        HttpResponse<String> response = call(method, path, body);
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(json(response).path("status").asText()).isEqualTo("NOK");
        assertThat(json(response).path("message").asText()).contains(message);
        assertThat(submitted).as("nothing reaches the scaler").isEmpty();
    }

    @Test
    void aMalformedQueryStringIsABadRequest() throws Exception {
        // HttpClient refuses to send this, as a careless client would not: write it by hand.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.port())) {
            socket.getOutputStream().write(("POST /v1/scale-nodes?by=%zz&type=worker HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String reply = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 400");
        }
        assertThat(submitted).isEmpty();
    }

    @Test
    void rescheduleRoutesForceUpdateTheRightServices() throws Exception {
        HttpResponse<String> all = call("POST", "/v1/reschedule-services", null);
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(json(all).path("message").asText()).isEqualTo("Rescheduled services demo");
        assertThat(forceUpdated).containsExactly("d1");

        HttpResponse<String> one = call("POST", "/v1/reschedule-service?service=other", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(forceUpdated).containsExactly("d1", "o1");
        assertThat(notifications).extracting(Notification::alertName).containsOnly("reschedule_service");
    }

    @Test
    void pingAnswers() throws Exception {
        HttpResponse<String> response = call("GET", "/scaler/v1/ping", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("OK");
    }

    @Test
    void withAuthenticationEveryRouteButPingNeedsTheCredentials(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("auth");
        Files.writeString(secret, "bearer s3cr3t-token\n");
        api.requireAuthentication(WebhookAuth.fromFile(secret));
        String up = "{\"groupLabels\": {\"scale\": \"up\"}}";

        HttpResponse<String> without = call("POST", "/v1/scale-nodes?by=1&type=worker", up);
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.body()).doesNotContain("s3cr3t");
        assertThat(call("POST", "/v1/scale-nodes?by=1&type=worker", up, "Authorization", "Bearer wrong")
                .statusCode()).isEqualTo(401);
        assertThat(call("POST", "/v1/reschedule-services", null).statusCode()).isEqualTo(401);
        assertThat(submitted).isEmpty();

        assertThat(call("POST", "/v1/scale-nodes?by=1&type=worker", up, "Authorization", "Bearer s3cr3t-token")
                .statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v1/ping", null).statusCode()).isEqualTo(200);
    }

    static Stream<Arguments> authFiles() {
        return Stream.of(
                Arguments.of("basic admin:admin", "Basic YWRtaW46YWRtaW4=", true),
                Arguments.of("basic admin:admin", "Basic YWRtaW46d3Jvbmc=", false),
                Arguments.of("BEARER abc", "Bearer abc", true),
                Arguments.of("bearer abc", "bearer abc", true),
                Arguments.of("basic admin:admin", "BASIC YWRtaW46YWRtaW4=", true),
                Arguments.of("bearer abc", "Bearer ABC", false),
                Arguments.of("bearer abc", "Basic abc", false),
                Arguments.of("bearer abc", "abc", false));
    }

    @ParameterizedTest(name = "{0} with {1} → {2}")
    @MethodSource("authFiles")
    void authFileForms(String content, String header, boolean allowed, @TempDir Path dir) throws Exception {
        Path secret = dir.resolve("auth");
        Files.writeString(secret, content);
        WebhookAuth auth = WebhookAuth.fromFile(secret);
        HttpApi.Request request = new HttpApi.Request("POST", "/v1/x", Map.of(), new byte[0],
                Map.of("Authorization", List.of(header)));
        assertThat(auth.allows(request)).isEqualTo(allowed);
        assertThat(auth.toString()).doesNotContain("admin").doesNotContain("abc");
    }

    @Test
    void aMalformedAuthFileStopsStartUpWithoutShowingItsContent(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("auth");
        Files.writeString(secret, "token-without-scheme");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebhookAuth.fromFile(secret))
                .hasMessageContaining("WEBHOOK_AUTH_FILE=" + secret)
                .hasMessageContaining("bearer TOKEN")
                .hasMessageNotContaining("token-without-scheme");
    }
}
