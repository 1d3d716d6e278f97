package io.swarmscaler.controller.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Docker engine on a Unix socket that stops answering, as a SIGSTOPped dockerd does: before the headers, or in
 * the middle of the body. Every wait ends within the limit, and the thread is not left interrupted.
 */
class SilenceLimitTest {
    private static final Duration LIMIT = Duration.ofMillis(300);
    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private Thread engine;
    private final List<SocketChannel> clients = new ArrayList<>();

    /** Answers every connection with {@code reply}, then says nothing more and keeps it open. */
    private URI engineSaying(String reply) throws IOException {
        Path socket = dir.resolve("docker.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        engine = new Thread(() -> {
            try {
                while (true) {
                    SocketChannel client = server.accept();
                    clients.add(client);
                    client.read(ByteBuffer.allocate(8192));
                    client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.ISO_8859_1)));
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        engine.setDaemon(true);
        engine.start();
        return URI.create("unix://" + socket);
    }

    @BeforeEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        for (SocketChannel client : clients) {
            client.close();
        }
        engine.join(1000);
    }

    static Stream<Arguments> silences() {
        return Stream.of(
                Arguments.of("before the headers", ""),
                Arguments.of("in the middle of the body", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n[{\"ID\":"));
    }

    @ParameterizedTest(name = "silent {0}")
    @MethodSource("silences")
    void aSilentEngineFailsTheCallWithinTheLimit(String when, String reply) throws Exception {
        URI host = engineSaying(reply);
        DockerHttpClient calls = new SilenceLimit(new ApacheDockerHttpClient.Builder().dockerHost(host).build(),
                LIMIT);
        long started = System.nanoTime();

        assertThatThrownBy(() -> {
            try (DockerHttpClient.Response response = calls.execute(DockerHttpClient.Request.builder()
                    .method(DockerHttpClient.Request.Method.GET).path("/v1.41/nodes").build());
                    InputStream body = response.getBody()) {
                body.readAllBytes();
            }
        }).satisfies(e -> assertThat(e instanceof UncheckedIOException u ? u.getCause() : e)
                .isInstanceOf(SocketTimeoutException.class).hasMessage("no answer within 300ms"));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(LIMIT.multipliedBy(5));
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        calls.close();
    }
}
