package io.swarmscaler.controller.docker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.swarmscaler.controller.port.Swarm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Connects the {@link Swarm} port to a Docker engine that is a Swarm manager. */
public final class DockerSwarms {
    /** A manager that takes longer than this to accept a connection is down: the pass fails and says so. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Longest silence while waiting for or reading a reply. A hung dockerd fails the pass within this; a big task
     * list streams well within it, since the limit is on silence, not on the whole reply.
     */
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);

    /** The Engine API version the daemon's lean reads ask for (dockerd 20.10's); newer engines still serve it. */
    public static final String ENGINE_API = "/v1.41";

    private static final ObjectReader ERROR = JsonMapper.builder().build().readerFor(ErrorJson.class);
    /** How much of an error reply a message quotes. */
    private static final int MESSAGE_LIMIT = 4096;

    private DockerSwarms() {}

    /** Reads a reply's body, which is closed after. */
    @FunctionalInterface
    public interface Body<T> {
        T read(InputStream body) throws IOException;
    }

    /**
     * A lean read: {@code GET} of {@code path} (under {@link #ENGINE_API}) over {@code http}, its body handed to
     * {@code reader}. An answer other than 2xx is Docker's error with Docker's message ({@link NotFoundException}
     * for a 404); a broken transfer is an {@link UncheckedIOException} naming the path.
     */
    public static <T> T get(DockerHttpClient http, String path, Body<T> reader) {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET).path(ENGINE_API + path).build();
        try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
            int status = response.getStatusCode();
            if (status / 100 != 2) {
                String message = "HTTP %d from GET %s: %s".formatted(status, path, errorMessage(body));
                throw status == 404 ? new NotFoundException(message) : new DockerException(message, status);
            }
            return reader.read(body);
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + ": " + e.getMessage(), e);
        }
    }

    private static String errorMessage(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MESSAGE_LIMIT);
            ErrorJson error = ERROR.readValue(bytes);
            return error.message() == null ? new String(bytes, StandardCharsets.UTF_8) : error.message();
        } catch (IOException e) {
            return "(unreadable error body: " + e.getMessage() + ")";
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ErrorJson(@JsonProperty("message") String message) {}

    /** @param dockerHost e.g. {@code unix:///var/run/docker.sock} */
    public static Swarm connect(String dockerHost) {
        DockerHttpClient calls = http(dockerHost, RESPONSE_TIMEOUT);
        return new DockerSwarm(new EngineReader(calls), () -> client(dockerHost, calls),
                () -> client(dockerHost, http(dockerHost, null)), dockerHost);
    }

    /** A docker-java client for {@code dockerHost}, for tools that set a cluster up (some steps take a while). */
    public static DockerClient client(String dockerHost) {
        return client(dockerHost, http(dockerHost, Duration.ofSeconds(30)));
    }

    /**
     * The transport for the daemon's own calls besides the passes' (its state and lease): a hung manager fails them
     * within the same {@link #RESPONSE_TIMEOUT}, so a lease round never waits longer than a pass.
     */
    public static DockerHttpClient daemonHttp(String dockerHost) {
        return http(dockerHost, RESPONSE_TIMEOUT);
    }

    /** A docker-java client over {@code http}. */
    public static DockerClient client(String dockerHost, DockerHttpClient http) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** @param responseTimeout null for none (the event stream) */
    private static DockerHttpClient http(String dockerHost, Duration responseTimeout) {
        ApacheDockerHttpClient.Builder builder = new ApacheDockerHttpClient.Builder()
                .dockerHost(URI.create(dockerHost))
                .connectionTimeout(CONNECT_TIMEOUT)
                .maxConnections(20);
        if (responseTimeout == null) {
            return builder.build();
        }
        // The client's own timeout holds on TCP only; SilenceLimit holds on the Unix socket too.
        return new SilenceLimit(builder.responseTimeout(responseTimeout).build(), responseTimeout);
    }
}
