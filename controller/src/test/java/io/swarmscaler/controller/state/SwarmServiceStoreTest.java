package io.swarmscaler.controller.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.swarmscaler.controller.port.BackendUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state service's reads (decoded lean from the Engine API's JSON) and writes, against an engine that keeps one
 * service the way dockerd does: a copy of a service captured from dockerd 20.10 (test resources engine-api-1.41/).
 */
class SwarmServiceStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "swarm-scaler-state";

    private HttpServer server;
    private SwarmServiceStore store;
    /** The service as the engine holds it; null when there is none. */
    private volatile ObjectNode service;
    /** What the engine answers every inspection with, when not 200. */
    private volatile int failWith = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::engine);
        server.start();
        String host = "tcp://127.0.0.1:" + server.getAddress().getPort();
        var http = new ApacheDockerHttpClient.Builder().dockerHost(URI.create(host))
                .connectionTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(5)).build();
        store = new SwarmServiceStore(http, host, NAME);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsTheLabelsAndVersionOfItsServiceButTheOwnerMark() throws IOException {
        service = captured(Map.of(SwarmServiceStore.OWNER_LABEL, "1", "lease.holder", "replica-a"), 42);

        assertThat(store.read()).isEqualTo(new StateStore.Versioned(42, Map.of("lease.holder", "replica-a")));
    }

    @Test
    void createsItsServiceWhenThereIsNoneAndWritesWithTheVersionRead() {
        StateStore.Versioned created = store.read();

        assertThat(created).isEqualTo(new StateStore.Versioned(1, Map.of()));
        assertThat(service.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt(-1)).isZero();
        assertThat(store.write(created.version(), Map.of("memory", "m1"))).isEqualTo(2);
        assertThat(store.read()).isEqualTo(new StateStore.Versioned(2, Map.of("memory", "m1")));
        assertThatThrownBy(() -> store.write(created.version(), Map.of("memory", "m2")))
                .isInstanceOf(StateStore.StaleVersionException.class);
    }

    @Test
    void refusesAServiceOfItsNameThatIsNotTheScalers() throws IOException {
        service = captured(Map.of("team", "web"), 7);

        assertThatThrownBy(store::read).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("service " + NAME + " exists and is not the scaler's state");
    }

    @Test
    void aDockerErrorNamesDockerTheStatusAndItsMessage() {
        failWith = 503;

        assertThatThrownBy(store::read).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("Docker at tcp://127.0.0.1:").hasMessageContaining("HTTP 503")
                .hasMessageContaining("this node is not a swarm manager");
    }

    /** The service {@code sample} captured from dockerd, renamed, with these labels at this version. */
    private static ObjectNode captured(Map<String, String> labels, long version) throws IOException {
        try (InputStream in = SwarmServiceStoreTest.class.getResourceAsStream("/engine-api-1.41/services.json")) {
            for (JsonNode s : JSON.readTree(in)) {
                if (s.path("Spec").path("Name").asText().equals("sample")) {
                    ObjectNode copy = s.deepCopy();
                    ((ObjectNode) copy.path("Version")).put("Index", version);
                    ObjectNode spec = (ObjectNode) copy.path("Spec");
                    spec.put("Name", NAME);
                    labels.forEach(spec.putObject("Labels")::put);
                    return copy;
                }
            }
        }
        throw new IllegalStateException("no service sample in engine-api-1.41/services.json");
    }

    /** Inspect, create and update of one service, with dockerd's answers, including "update out of sequence". */
    private synchronized void engine(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().replaceFirst("^/v1\\.\\d+", "");
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && failWith != 200) {
                reply(exchange, failWith, "{\"message\":\"this node is not a swarm manager\"}");
            } else if (method.equals("GET")) {
                boolean found = service != null && (path.equals("/services/" + NAME)
                        || path.equals("/services/" + service.path("ID").asText()));
                reply(exchange, found ? 200 : 404, found ? JSON.writeValueAsString(service)
                        : "{\"message\":\"service " + NAME + " not found\"}");
            } else if (path.equals("/services/create")) {
                ObjectNode created = JSON.createObjectNode().put("ID", "state0");
                created.putObject("Version").put("Index", 1);
                created.set("Spec", JSON.readTree(exchange.getRequestBody()));
                service = created;
                reply(exchange, 201, "{\"ID\":\"state0\"}");
            } else {
                long version = service.path("Version").path("Index").asLong();
                if (!String.valueOf(exchange.getRequestURI().getQuery()).contains("version=" + version)) {
                    reply(exchange, 500, "{\"message\":\"rpc error: update out of sequence\"}");
                    return;
                }
                service.set("Spec", JSON.readTree(exchange.getRequestBody()));
                ((ObjectNode) service.path("Version")).put("Index", version + 1);
                reply(exchange, 200, "{}");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
