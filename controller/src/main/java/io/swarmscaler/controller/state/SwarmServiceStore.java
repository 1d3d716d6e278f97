package io.swarmscaler.controller.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import com.github.dockerjava.transport.DockerHttpClient;
import io.swarmscaler.controller.docker.DockerSwarms;
import io.swarmscaler.controller.port.BackendUnavailableException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link StateStore} as the labels of a Swarm service with 0 replicas that the scaler creates for the purpose. Its
 * whole spec is ours (built here, never read back and re-sent), so a write cannot reset a field some other tool
 * set; with 0 replicas Swarm never starts a task, so its image is never pulled. Every update carries the version
 * read, and Swarm refuses a stale one ("update out of sequence"): a compare-and-swap in the managers' Raft store.
 */
final class SwarmServiceStore implements StateStore {
    /** Marks the service as the scaler's, so that a service of the same name made by someone else is left alone. */
    static final String OWNER_LABEL = "io.swarmscaler.state";
    /** Never started: any valid reference does; this one says what the service is to whoever lists services. */
    static final String IMAGE = "swarm-scaler/state:never-started";

    private static final ObjectReader SERVICE = new ObjectMapper().readerFor(ServiceJson.class);

    private final DockerClient docker;
    private final DockerHttpClient http;
    private final String name;
    private final String endpoint;
    private String id;

    /**
     * @param http the transport to {@code endpoint}: the store reads through it lean, and writes through a
     *     docker-java client on it
     */
    SwarmServiceStore(DockerHttpClient http, String endpoint, String name) {
        this.http = http;
        this.docker = DockerSwarms.client(endpoint, http);
        this.endpoint = endpoint;
        this.name = name;
    }

    @Override
    public synchronized Versioned read() {
        return call("read", () -> {
            Optional<ServiceJson> found = inspect(name);
            if (found.isEmpty()) {
                try {
                    docker.createServiceCmd(spec(Map.of())).exec();
                } catch (ConflictException createdByAnotherReplica) {
                    // fine: read theirs
                }
                found = inspect(name);
            }
            ServiceJson service = found.orElseThrow(() -> new NotFoundException("service " + name
                    + " is gone right after it was created"));
            Map<String, String> labels = new HashMap<>(service.labels());
            if (!"1".equals(labels.remove(OWNER_LABEL))) {
                throw new IllegalStateException(("service %s exists and is not the scaler's state (no label %s=1):"
                        + " remove it or set STATE_SERVICE_NAME to another name").formatted(name, OWNER_LABEL));
            }
            id = service.id();
            return new Versioned(service.version(), labels);
        });
    }

    @Override
    public synchronized long write(long version, Map<String, String> labels) {
        if (id == null) {
            read();
        }
        return call("write", () -> {
            try {
                docker.updateServiceCmd(id, spec(labels)).withVersion(version).exec();
            } catch (NotFoundException removed) {
                id = null;
                throw new StaleVersionException("service " + name + " was removed");
            } catch (RuntimeException e) {
                if (String.valueOf(e.getMessage()).contains("out of sequence")) {
                    throw new StaleVersionException("service %s changed since version %d".formatted(name, version));
                }
                throw e;
            }
            // The update's answer carries no version: read it, and make sure nobody slipped in between.
            Map<String, String> expected = new HashMap<>(labels);
            expected.put(OWNER_LABEL, "1");
            ServiceJson service = inspect(id).filter(s -> expected.equals(s.labels())).orElseThrow(
                    () -> new StaleVersionException("service %s changed right after our write".formatted(name)));
            return service.version();
        });
    }

    /**
     * The service named or with id {@code ref}, empty when there is none. Read every lease round (every 2 s), so
     * decoded into the three fields the store uses: docker-java's models re-examine their classes for every object
     * they decode, and a whole service is dozens of them.
     */
    private Optional<ServiceJson> inspect(String ref) {
        try {
            return Optional.of(DockerSwarms.get(http, "/services/" + URLEncoder.encode(ref, StandardCharsets.UTF_8),
                    SERVICE::readValue));
        } catch (NotFoundException absent) {
            return Optional.empty();
        }
    }

    /** The parts of Docker's service the store reads, named as the Engine API spells them. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ServiceJson(@JsonProperty("ID") String id, @JsonProperty("Version") VersionJson versionJson,
            @JsonProperty("Spec") SpecJson spec) {
        long version() {
            return versionJson == null ? 0 : versionJson.index();
        }

        Map<String, String> labels() {
            return spec == null || spec.labels() == null ? Map.of() : spec.labels();
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record VersionJson(@JsonProperty("Index") long index) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SpecJson(@JsonProperty("Labels") Map<String, String> labels) {}

    private ServiceSpec spec(Map<String, String> labels) {
        Map<String, String> all = new HashMap<>(labels);
        all.put(OWNER_LABEL, "1");
        return new ServiceSpec().withName(name).withLabels(all)
                .withMode(new ServiceModeConfig().withReplicated(new ServiceReplicatedModeOptions().withReplicas(0)))
                .withTaskTemplate(new TaskSpec().withContainerSpec(new ContainerSpec().withImage(IMAGE)));
    }

    private <T> T call(String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (StaleVersionException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendUnavailableException("Docker at %s: cannot %s the scaler's state in service %s: %s"
                    .formatted(endpoint, what, name, e.getMessage()), e);
        }
    }
}
