package io.swarmscaler.controller.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.swarmscaler.controller.port.Swarm;
import java.net.URI;
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

    private DockerSwarms() {}

    /** @param dockerHost e.g. {@code unix:///var/run/docker.sock} */
    public static Swarm connect(String dockerHost) {
        DockerHttpClient calls = http(dockerHost, RESPONSE_TIMEOUT);
        return new DockerSwarm(new EngineReader(calls), client(dockerHost, calls),
                client(dockerHost, http(dockerHost, null)), dockerHost);
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
