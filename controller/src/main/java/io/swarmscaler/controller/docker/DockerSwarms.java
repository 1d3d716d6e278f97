package io.swarmscaler.controller.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.swarmscaler.controller.port.Swarm;
import java.net.URI;
import java.time.Duration;

/** Connects the {@link Swarm} port to a Docker engine that is a Swarm manager. */
public final class DockerSwarms {
    private DockerSwarms() {}

    /** @param dockerHost e.g. {@code unix:///var/run/docker.sock} */
    public static Swarm connect(String dockerHost) {
        return new DockerSwarm(client(dockerHost), dockerHost);
    }

    /** A docker-java client for {@code dockerHost}, for the adapter and for tools that set a cluster up. */
    public static DockerClient client(String dockerHost) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(URI.create(dockerHost))
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(30))
                .maxConnections(20)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
