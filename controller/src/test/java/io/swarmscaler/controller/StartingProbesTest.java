package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.http.HttpApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** While the backends connect, the probes answer as a starting daemon, never 404. */
class StartingProbesTest {
    @Test
    void aStartingDaemonIsAliveAndNotReady() throws Exception {
        ScalerConfig config = ScalerConfig.fromEnvironment(Map.of("LISTEN_ADDRESS", "127.0.0.1", "LISTEN_PORT", "0"));
        try (HttpApi api = ScalerRuntime.listen(config)) {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + api.port());
            Map<String, Integer> expected = Map.of("/v1/ping", 200, "/healthz", 200, "/readyz", 503, "/status", 503);
            expected.forEach((path, status) -> {
                HttpResponse<String> answer = send(http, base.resolve(path));
                assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(status);
                if (!path.equals("/v1/ping")) {
                    assertThat(answer.body()).as(path).contains("starting: connecting to Docker");
                }
            });
        }
    }

    private static HttpResponse<String> send(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(uri + ": " + e, e);
        }
    }
}
