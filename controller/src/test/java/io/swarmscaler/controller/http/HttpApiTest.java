package io.swarmscaler.controller.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.swarmscaler.controller.http.HttpApi.Response;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The server's own answers over raw sockets on loopback: limits, HEAD, path parameters, failures. */
class HttpApiTest {
    private static final int MAX_CONNECTIONS = 8;
    private HttpApi api;
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void start() {
        Logger.getLogger("").addHandler(recorder);
        api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), "/p", 1024, MAX_CONNECTIONS);
        api.openRoute("GET", "/v1/ping", request -> Response.status(200, "pong"));
        api.route("POST", "/echo", request -> Response.status(200, request.bodyText()));
        api.route("GET", "/v1/requests/{id}", request -> Response.status(200, request.pathParameters().get("id")));
        api.route("GET", "/boom", request -> {
            throw new IllegalStateException("kaput");
        });
    }

    @AfterEach
    void stop() {
        api.close();
        Logger.getLogger("").removeHandler(recorder);
    }

    private String send(String request) throws Exception {
        return send(request, java.time.Duration.ofSeconds(5));
    }

    private String send(String request, java.time.Duration timeout) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout((int) timeout.toMillis());
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                socket.shutdownOutput();
            } catch (java.io.IOException e) {
                // answered and closed before all was sent
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(answer);
            } catch (java.net.SocketException e) {
                // reset after the answer
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    static Stream<Arguments> answers() {
        String close = "Host: x\r\nConnection: close\r\n";
        return Stream.of(
                Arguments.of("GET /p/v1/ping HTTP/1.1\r\n" + close + "\r\n", "HTTP/1.1 200", "\"message\":\"pong\""),
                Arguments.of("GET /v1/requests/abc-1 HTTP/1.1\r\n" + close + "\r\n", "HTTP/1.1 200", "abc-1"),
                Arguments.of("GET /v1/requests/ HTTP/1.1\r\n" + close + "\r\n", "HTTP/1.1 404", "no such path"),
                Arguments.of("POST /echo HTTP/1.1\r\n" + close + "Content-Length: 2000\r\n\r\n" + "x".repeat(2000),
                        "HTTP/1.1 413", "larger than 1024 bytes"),
                Arguments.of("POST /echo HTTP/1.1\r\n" + close + "Transfer-Encoding: chunked\r\n\r\n"
                        + "800\r\n" + "x".repeat(2048) + "\r\n0\r\n\r\n", "HTTP/1.1 413", "larger than 1024 bytes"),
                Arguments.of("POST /echo HTTP/1.1\r\n" + close + "Content-Length: 10\r\n\r\nshort", "HTTP/1.1 400",
                        "\"status\":\"NOK\""),
                Arguments.of("GET /v1/ping HTTP/1.1\r\n" + close + "X-Big: " + "h".repeat(9000) + "\r\n\r\n",
                        "HTTP/1.1 431", "\"status\":\"NOK\""),
                Arguments.of("GET /v1/ping HTTP/1.1\r\n" + close + "X-A: 1\r\n".repeat(1100) + "\r\n",
                        "HTTP/1.1 431", "\"status\":\"NOK\""),
                Arguments.of("POST /echo HTTP/1.1\r\n" + close + "Transfer-Encoding: gzip\r\n\r\nabc",
                        "HTTP/1.1 ", "\"status\":\"NOK\""),
                Arguments.of("GET /boom HTTP/1.1\r\n" + close + "\r\n", "HTTP/1.1 500", "internal error: kaput"),
                Arguments.of("DELETE /v1/ping HTTP/1.1\r\n" + close + "\r\n", "HTTP/1.1 405", "use GET"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("answers")
    void everyAnswerIsOursInTheJsonShape(String request, String statusLine, String body) throws Exception {
        String answer = send(request);
        assertThat(answer).startsWith(statusLine).contains("Content-Type: application/json").contains(body);
    }

    @Test
    void everyResponseIsToldWithItsRouteStatusAndTheServersTime() throws Exception {
        record Told(String route, int status, long nanos) {}
        List<Told> told = new CopyOnWriteArrayList<>();
        api.route("GET", "/slow", request -> {
            Thread.sleep(50);
            return Response.status(200, "late");
        });
        api.onResponse((route, status, nanos) -> told.add(new Told(route, status, nanos)));

        send("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        send("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(told).extracting(Told::route, Told::status)
                .containsExactly(tuple("/slow", 200), tuple("unknown", 404));
        assertThat(told.get(0).nanos()).as("covers the handler's 50 ms").isGreaterThanOrEqualTo(50_000_000L);
        assertThat(told.get(1).nanos()).isPositive();
    }

    @Test
    void headIsGetWithoutTheBodyAndWritesNoWarning() throws Exception {
        String answer = send("HEAD /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200").contains("Content-Length: ").doesNotContain("pong");
        assertThat(warnings).isEmpty();
    }

    /**
     * Idle connections beyond the cap wait to be accepted; at the cap idle ones are closed early, so a new client
     * gets its ping answered well within the idle timeout, however many idle ones came first.
     */
    @Test
    void idleConnectionsPastTheCapDoNotKeepANewClientOutPastTheIdleTimeout() throws Exception {
        List<Socket> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3 * MAX_CONNECTIONS; i++) {
                idle.add(new Socket("127.0.0.1", api.port()));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> api.openConnections() == MAX_CONNECTIONS);
            long started = System.nanoTime();
            String answer = send("GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    HttpApi.IDLE_TIMEOUT.multipliedBy(3));
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("MEASURED connection cap: with %d idle connections open against a cap of %d, a new"
                    + " client's ping was answered in %d ms (idle timeout %d s, %d s at the cap)%n", idle.size(),
                    MAX_CONNECTIONS, millis, HttpApi.IDLE_TIMEOUT.toSeconds(), HttpApi.IDLE_TIMEOUT_AT_CAP.toSeconds());
            assertThat(answer).startsWith("HTTP/1.1 200").contains("pong");
            assertThat(millis).isLessThan(HttpApi.IDLE_TIMEOUT.toMillis());
            assertThat(api.openConnections()).isLessThanOrEqualTo(MAX_CONNECTIONS);
            assertThat(warnings).as("the cap is told once, not each time it is reached")
                    .filteredOn(r -> r.getMessage().contains("HTTP connection limit")).singleElement()
                    .satisfies(r -> assertThat(r.getMessage()).contains("HTTP_MAX_CONNECTIONS"));
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }
}
