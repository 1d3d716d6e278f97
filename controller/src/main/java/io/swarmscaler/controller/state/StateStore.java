package io.swarmscaler.controller.state;

import com.github.dockerjava.transport.DockerHttpClient;
import io.swarmscaler.controller.docker.DockerSwarms;
import java.util.Map;

/**
 * One small object in a consistent store, its labels replaced whole with a compare-and-swap on its version. The
 * Swarm's own Raft store is the one at hand ({@link SwarmServiceStore}).
 */
public interface StateStore {

    /** The labels of the 0-replica service {@code serviceName} on the Swarm manager at {@code dockerHost}. */
    static StateStore swarmService(String dockerHost, String serviceName) {
        DockerHttpClient http = DockerSwarms.daemonHttp(dockerHost);
        return new SwarmServiceStore(http, dockerHost, serviceName);
    }

    /** The object's labels and version; creates it, without labels, when it does not exist. */
    Versioned read();

    /**
     * Replaces the labels when the object is still at {@code version}.
     *
     * @return the new version
     * @throws StaleVersionException when someone wrote (or removed it) since
     */
    long write(long version, Map<String, String> labels);

    record Versioned(long version, Map<String, String> labels) {
        public Versioned {
            labels = Map.copyOf(labels);
        }
    }

    /** The object changed since the version the writer had read. */
    final class StaleVersionException extends RuntimeException {
        public StaleVersionException(String message) {
            super(message);
        }
    }
}
