package io.swarmscaler.controller.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.fake.FakeClock;
import io.swarmscaler.controller.fake.FakeSwarm;
import io.swarmscaler.controller.fake.RecordingNotifier;
import io.swarmscaler.controller.fake.FakeMetrics;
import io.swarmscaler.controller.fake.FakeStateStore;
import io.swarmscaler.controller.fake.SilentListener;
import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.controller.reconcile.Reconciler;
import io.swarmscaler.controller.reconcile.ScaleRequestInbox;
import io.swarmscaler.controller.state.SwarmLeadership;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.ServiceScaling;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/scale-service} over a real server on loopback, decided by a real reconcile pass over the stateful
 * {@link FakeSwarm}: what changes in the Swarm, what the caller and the operator are told, repeats (also across
 * replicas and a restart, through the scaler's stored memory), dry run and authentication.
 */
class ScaleServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Duration REPEAT_WINDOW = Duration.ofMinutes(10);
    private static final String UP = "{\"groupLabels\": {\"scale\": \"up\"}}";
    private static final String DOWN = "{\"groupLabels\": {\"scale\": \"down\"}}";

    private final FakeSwarm swarm = new FakeSwarm();
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScaleRequestInbox inbox = new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock);
    private final PolicyParser parser = new PolicyParser(PolicyParser.Settings.defaults());
    private HttpApi api;

    ScaleServiceTest() {
        swarm.addService(new ServiceInfo("id-web", "web", Map.of("com.df.scaleMax", "4"), List.of(), 2));
        swarm.addService(new ServiceInfo("id-agent", "agent", Map.of(), List.of(), ServiceInfo.GLOBAL));
        swarm.addService(new ServiceInfo("id-odd", "odd", Map.of("com.df.scaleMin", "many"), List.of(), 2));
    }

    /** Each request's pass runs at once, on the request's thread, so that the reply carries its decision. */
    private void start(boolean dryRun) {
        start(reconciler(inbox, dryRun, ScalerState.alone())::reconcile, inbox, dryRun);
    }

    private void start(Runnable pass, ScaleRequestInbox inbox, boolean dryRun) {
        api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), "/scaler", 64 * 1024, 64);
        new WebhookRoutes(new WebhookRoutes.LoopIntake(inbox, pass, Duration.ofSeconds(2)), swarm, parser, clock,
                new ServiceScaling.Defaults(1, 5)).register(api);
    }

    private Reconciler reconciler(ScaleRequestInbox inbox, boolean dryRun, ScalerState state) {
        return new Reconciler(swarm, new FakeMetrics(0.5), List.of(), notifier, parser,
                new Planner(Planner.Settings.defaults()), clock, inbox, new SilentListener(), dryRun, state);
    }


    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> post(String pathAndQuery, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String message(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("message").asText();
    }

    private int replicas(String name) {
        return swarm.services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().replicas();
    }

    @Test
    void upAndDownWithinTheBoundsInTheOldToolsWordsThen409AtTheBound() throws Exception {
        start(false);

        HttpResponse<String> up = post("/v1/scale-service?service=web&by=1", UP);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(message(up)).isEqualTo("Scaling web from 2 to 3 replicas (max: 4)");
        assertThat(replicas("web")).isEqualTo(3);

        clock.advance(Duration.ofSeconds(11));
        HttpResponse<String> toMax = post("/scaler/v1/scale-service?service=web", UP);
        assertThat(message(toMax)).isEqualTo("Scaling web from 3 to 4 replicas (max: 4)");

        clock.advance(Duration.ofSeconds(11));
        HttpResponse<String> atMax = post("/v1/scale-service?service=web", UP);
        assertThat(atMax.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(atMax.body()).path("status").asText()).isEqualTo("NOK");
        assertThat(message(atMax)).isEqualTo("web is already scaled to the maximum number of 4 replicas");
        assertThat(replicas("web")).isEqualTo(4);

        HttpResponse<String> down = post("/v1/scale-service?service=web&by=2", DOWN);
        assertThat(message(down)).isEqualTo("Scaling web from 4 to 2 replicas (min: 1)");
        assertThat(replicas("web")).isEqualTo(2);

        assertThat(notifier.sent()).extracting(Notification::alertName).containsOnly("scale_service");
        assertThat(notifier.sent()).extracting(Notification::status).containsExactly(Notification.Status.SUCCESS,
                Notification.Status.SUCCESS, Notification.Status.ERROR, Notification.Status.SUCCESS);
        assertThat(notifier.sent().get(0)).isEqualTo(new Notification("scale_service", "web",
                Notification.Status.SUCCESS, "Scaling web from 2 to 3 replicas (max: 4)", "Scale service up: web"));
    }

    @Test
    void alertmanagersBodyNamesTheServiceAndItsRepeatsScaleOnce() throws Exception {
        start(false);
        String alert = "{\"groupKey\": \"{}:{alertname=\\\"web_mem\\\"}\", \"groupLabels\": {\"scale\": \"up\","
                + " \"service\": \"web\"}}";

        HttpResponse<String> first = post("/v1/scale-service", alert);
        clock.advance(Duration.ofMinutes(1));
        HttpResponse<String> repeat = post("/v1/scale-service", alert);

        assertThat(message(first)).isEqualTo("Scaling web from 2 to 3 replicas (max: 4)");
        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(message(repeat)).startsWith("Already handled at 2026-01-01T00:00:00Z (Alertmanager group");
        assertThat(replicas("web")).isEqualTo(3);
        assertThat(notifier.sent()).hasSize(1);

        clock.advance(REPEAT_WINDOW);
        assertThat(message(post("/v1/scale-service", alert))).isEqualTo("Scaling web from 3 to 4 replicas (max: 4)");
    }

    @Test
    void aPersonsRetryWithinSecondsGetsTheFirstAnswerAndASecondCallLaterScalesAgain() throws Exception {
        start(false);

        HttpResponse<String> first = post("/v1/scale-service?service=web", UP);
        HttpResponse<String> retry = post("/v1/scale-service?service=web", UP);
        assertThat(message(retry)).isEqualTo(message(first));
        assertThat(replicas("web")).isEqualTo(3);

        clock.advance(Duration.ofSeconds(11));
        post("/v1/scale-service?service=web", UP);
        assertThat(replicas("web")).isEqualTo(4);
    }

    @Test
    void aDryRunSaysWhatItWouldDoAndChangesNothing() throws Exception {
        start(true);

        HttpResponse<String> up = post("/v1/scale-service?service=web", UP);

        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(message(up)).isEqualTo("dry run, not done: Scaling web from 2 to 3 replicas (max: 4)");
        assertThat(replicas("web")).isEqualTo(2);
        assertThat(notifier.sent()).isEmpty();
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("/v1/scale-service?service=nope", UP, 404, "service=\"nope\" is not a service"),
                Arguments.of("/v1/scale-service?service=agent", UP, 400, "agent is a global service"),
                Arguments.of("/v1/scale-service?service=odd", DOWN, 422, "label com.df.scaleMin=\"many\" is not valid"),
                Arguments.of("/v1/scale-service", UP, 400, "the service is missing"),
                Arguments.of("/v1/scale-service?service=web", "{}", 400, "groupLabels.scale is missing"),
                Arguments.of("/v1/scale-service?service=web", "{\"groupLabels\": {\"scale\": \"sideways\"}}", 400,
                        "expected up or down"),
                Arguments.of("/v1/scale-service?service=web&by=0", UP, 400, "by=0 is not valid"),
                Arguments.of("/v1/scale-service?service=web&by=%2B1", UP, 400, "by=\"+1\" is not valid"),
                Arguments.of("/v1/scale-service?service=web", "[1]", 400, "not a JSON object"));
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @MethodSource("badRequests")
    void badInputGetsA4xxNamingWhatIsExpectedAndChangesNothing(String path, String body, int status, String mentions)
            throws Exception {
        start(false);

        HttpResponse<String> response = post(path, body);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(message(response)).contains(mentions);
        assertThat(swarm.services()).extracting(ServiceInfo::replicas).containsExactly(2, ServiceInfo.GLOBAL, 2);
    }

    @Test
    void withAuthenticationItNeedsTheCredentials(@TempDir Path dir) throws Exception {
        start(false);
        Path secret = dir.resolve("auth");
        Files.writeString(secret, "bearer s3cr3t\n");
        api.requireAuthentication(WebhookAuth.fromFile(secret));

        assertThat(post("/v1/scale-service?service=web", UP).statusCode()).isEqualTo(401);
        assertThat(replicas("web")).isEqualTo(2);
        assertThat(post("/v1/scale-service?service=web", UP, "Authorization", "Bearer s3cr3t").statusCode())
                .isEqualTo(200);
        assertThat(replicas("web")).isEqualTo(3);
    }

    @Test
    void aFailingSwarmIsARefusalTheCallerAndTheOperatorHear() throws Exception {
        start(false);
        swarm.addService(new ServiceInfo("id-gone", "gone", Map.of(), List.of(), 1));
        swarm.failNextScales(1);

        HttpResponse<String> response = post("/v1/scale-service?service=gone", UP);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(message(response)).startsWith("Could not scale gone: ");
        assertThat(notifier.sent()).singleElement().extracting(Notification::status)
                .isEqualTo(Notification.Status.ERROR);
    }

    @Test
    void aRequestToAFollowerIsCarriedOutByTheLeaderAndItsRepeatAfterARestartIsNot() throws Exception {
        FakeStateStore store = new FakeStateStore();
        SwarmLeadership leaderState = replica("leader", store);
        SwarmLeadership followerState = replica("follower", store);
        Reconciler leader = reconciler(new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock), false,
                leaderState);
        Reconciler follower = reconciler(inbox, false, followerState);
        // The follower hands the request over; the leader scales and stores the outcome; the follower answers it.
        start(() -> {
            follower.reconcile();
            leaderState.tick();
            leader.reconcile();
            followerState.tick();
            follower.reconcile();
        }, inbox, false);
        String alert = "{\"groupKey\": \"{}:{alertname=\\\"web_mem\\\"}\", \"groupLabels\": {\"scale\": \"up\","
                + " \"service\": \"web\"}}";

        HttpResponse<String> first = post("/v1/scale-service", alert);
        assertThat(message(first)).isEqualTo("Scaling web from 2 to 3 replicas (max: 4)");
        assertThat(replicas("web")).isEqualTo(3);

        // The leader restarts: a new replica with nothing in its process but the store.
        clock.advance(Duration.ofMinutes(1));
        SwarmLeadership restartedState = replica("leader", store);
        Reconciler restarted = reconciler(new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock),
                false, restartedState);
        api.close();
        start(() -> {
            follower.reconcile();
            restartedState.tick();
            restarted.reconcile();
            followerState.tick();
            follower.reconcile();
        }, inbox, false);

        HttpResponse<String> repeat = post("/v1/scale-service", alert);
        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(message(repeat)).startsWith("Already handled at 2026-01-01T00:00:00Z (Alertmanager group");
        assertThat(replicas("web")).isEqualTo(3);
        assertThat(notifier.sent()).hasSize(1);
    }

    private SwarmLeadership replica(String id, FakeStateStore store) {
        SwarmLeadership state = new SwarmLeadership(store, new SwarmLeadership.Settings(id, Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofSeconds(2)), clock, System::nanoTime, new ScalerMetrics());
        state.tick();
        return state;
    }
}
