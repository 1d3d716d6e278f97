package io.swarmscaler.controller.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.swarmscaler.model.QueryResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PROMETHEUS_ADDRESS may carry a route prefix, as docker-flow-monitor's {@code /monitor} in the seed. */
class PrometheusRoutePrefixTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/monitor", "/monitor/"})
    void queriesUnderTheAddresssPath(String path) throws IOException {
        String prefix = path.replaceAll("/$", "");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(prefix + "/api/v1/query", exchange -> {
            byte[] body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"0.5\"]}]}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI address = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
            QueryResult result = Prometheus.connect(address).query("up");
            assertThat(result).isNotInstanceOf(QueryResult.NoData.class);
        } finally {
            server.stop(0);
        }
    }
}
