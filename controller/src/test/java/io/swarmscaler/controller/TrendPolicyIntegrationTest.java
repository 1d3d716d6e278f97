package io.swarmscaler.controller;

import static io.swarmscaler.controller.local.LocalLab.WORKER_EXPORTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.controller.prometheus.Prometheus;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.QueryResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A trend policy on a real Prometheus: a noisy flat series is a poor fit and does not make it act; a linear ramp
 * with the same noise does, before the plain threshold would have been crossed.
 */
@LocalSwarmTest(workers = 1)
class TrendPolicyIntegrationTest {
    private static final List<String> ON_WORKERS = List.of("node.role == worker");
    /** 0.5 to 0.8 at 0.005 a second: the threshold is crossed a minute after the ramp begins. */
    private static final double PER_SECOND = 0.005;
    private static final long THRESHOLD_CROSSED_MILLIS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestLab lab;

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    @Test
    void aRampIsActedOnBeforeTheBreachAndANoisyFlatSeriesIsNot() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, Map.of(
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.alertFor.1", "2s",
                "com.df.scaler.predict.1", "60s"), ON_WORKERS, -1);
        int before = lab.desiredWorkers();
        lab.lab.exporter().setRamp(NodeRole.WORKER, 0.5, 0, 0.05);
        // The lookback holds the noisy series only, all 30 samples of it: no step up from the quiet ratio the lab was
        // reset to, and no gap from a Prometheus the lab just started.
        await().atMost(Duration.ofSeconds(90)).until(() -> lookbackFullAndAbove(0.4));

        try (ScalerRuntime scaler = lab.startScaler(Map.of("PREDICT_LOOKBACK", "30s", "PREDICT_STEP", "1s"))) {
            TestLab.awaitPasses(scaler, 5, Duration.ofSeconds(5));
            JsonNode policy = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + scaler.httpPort() + "/status")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("policies").get(0);
            System.out.printf("MEASURED noisy flat series: value %s, predicted %s in %s (%s)%n",
                    policy.path("value"), policy.path("predicted"), policy.path("predictHorizon"),
                    policy.path("predictionUnused"));
            assertThat(policy.path("predictionUnused").asText()).as("a line fitted to noise is a poor fit: %s",
                    policy).startsWith("a poor fit: the line explains 0.");
            assertThat(lab.desiredWorkers()).as("a noisy flat series predicts no breach").isEqualTo(before);

            long ramp = System.nanoTime();
            lab.lab.exporter().setRamp(NodeRole.WORKER, 0.5, PER_SECOND, 0);
            await().atMost(Duration.ofMillis(THRESHOLD_CROSSED_MILLIS)).until(() -> lab.desiredWorkers() == before + 1);
            long actedMillis = Duration.ofNanos(System.nanoTime() - ramp).toMillis();
            System.out.printf("MEASURED trend policy (predict 60s, lookback 30s, alertFor 2s) acted %d ms after a"
                    + " ramp began that crosses the threshold after %d ms%n", actedMillis, THRESHOLD_CROSSED_MILLIS);
            assertThat(actedMillis).isLessThan(THRESHOLD_CROSSED_MILLIS);
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == before + 1);
        }
    }

    /** Whether the worker group's memory ratio has all 30 samples of the last 30 s, each above {@code floor}. */
    private static boolean lookbackFullAndAbove(double floor) {
        String window = "((" + TestLab.groupRatioQuery(NodeRole.WORKER) + ")[30s:1s])";
        QueryResult result = Prometheus.connect(lab.lab.prometheus().address())
                .query("min_over_time" + window + " > " + floor + " and count_over_time" + window + " >= 30");
        return result instanceof QueryResult.Samples samples && !samples.samples().isEmpty();
    }
}
