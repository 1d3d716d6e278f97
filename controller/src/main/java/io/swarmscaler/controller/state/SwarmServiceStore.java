package io.swarmscaler.controller.state;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import io.swarmscaler.controller.port.BackendUnavailableException;
import java.util.HashMap;
import java.util.Map;
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

    private final DockerClient docker;
    private final String name;
    private final String endpoint;
    private String id;

    SwarmServiceStore(DockerClient docker, String name, String endpoint) {
        this.docker = docker;
        this.name = name;
        this.endpoint = endpoint;
    }

    @Override
    public synchronized Versioned read() {
        return call("read", () -> {
            Service service;
            try {
                service = docker.inspectServiceCmd(name).exec();
            } catch (NotFoundException absent) {
                try {
                    docker.createServiceCmd(spec(Map.of())).exec();
                } catch (ConflictException createdByAnotherReplica) {
                    // fine: read theirs
                }
                service = docker.inspectServiceCmd(name).exec();
            }
            Map<String, String> labels = new HashMap<>(service.getSpec().getLabels() == null ? Map.of()
                    : service.getSpec().getLabels());
            if (!"1".equals(labels.remove(OWNER_LABEL))) {
                throw new IllegalStateException(("service %s exists and is not the scaler's state (no label %s=1):"
                        + " remove it or set STATE_SERVICE_NAME to another name").formatted(name, OWNER_LABEL));
            }
            id = service.getId();
            return new Versioned(service.getVersion().getIndex(), labels);
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
            Service service = docker.inspectServiceCmd(id).exec();
            Map<String, String> now = service.getSpec().getLabels();
            Map<String, String> expected = new HashMap<>(labels);
            expected.put(OWNER_LABEL, "1");
            if (!expected.equals(now)) {
                throw new StaleVersionException("service %s changed right after our write".formatted(name));
            }
            return service.getVersion().getIndex();
        });
    }

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
