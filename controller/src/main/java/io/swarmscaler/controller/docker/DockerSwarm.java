package io.swarmscaler.controller.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.SwarmNodeAvailability;
import com.github.dockerjava.api.model.SwarmNodeSpec;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.SwarmNodeRole;
import com.github.dockerjava.api.model.TaskSpec;
import com.google.common.base.Suppliers;
import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.io.Closeable;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * {@link Swarm} over docker-java: reads through {@link EngineReader}, changes through docker-java's commands, and
 * translates failures into ours, naming Docker and the reason.
 */
final class DockerSwarm implements Swarm {
    private static final Logger LOG = Logger.getLogger(DockerSwarm.class.getName());
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofMinutes(2);

    private final EngineReader reader;
    private final Supplier<DockerClient> docker;
    private final Supplier<DockerClient> events;
    private final String endpoint;

    /**
     * The docker-java clients are made when first used: the passes only read, through {@code reader}, and a start
     * that made them at once would answer later.
     *
     * @param reader reads nodes, services and tasks, decoding lean
     * @param docker changes nodes and services (short timeouts)
     * @param events follows the event stream (no response timeout: the stream is quiet for as long as the Swarm is)
     */
    DockerSwarm(EngineReader reader, Supplier<DockerClient> docker, Supplier<DockerClient> events, String endpoint) {
        this.reader = reader;
        this.docker = Suppliers.memoize(docker::get);
        this.events = Suppliers.memoize(events::get);
        this.endpoint = endpoint;
    }

    @Override
    public List<SwarmNode> nodes() {
        return call("list nodes", reader::nodes);
    }

    @Override
    public List<ServiceInfo> services() {
        return call("list services", reader::services);
    }

    @Override
    public List<TaskInfo> tasks(Set<String> nodesWithHistory) {
        return call("list tasks", () -> {
            List<TaskInfo> live = reader.tasks(Map.of("desired-state", List.of("running")));
            if (nodesWithHistory.isEmpty()) {
                return live;
            }
            Map<String, TaskInfo> byId = new LinkedHashMap<>();
            live.forEach(t -> byId.put(t.id(), t));
            reader.tasks(Map.of("node", List.copyOf(nodesWithHistory))).forEach(t -> byId.putIfAbsent(t.id(), t));
            return List.copyOf(byId.values());
        });
    }

    @Override
    public List<TaskInfo> pendingTasks(Set<String> serviceIds) {
        if (serviceIds.isEmpty()) {
            return List.of();
        }
        // The Engine API filters tasks by desired state, not by state: pending ones are picked out here.
        return call("list pending tasks", () -> reader.tasks(Map.of("desired-state", List.of("running"), "service",
                List.copyOf(serviceIds))).stream().filter(TaskInfo::pending).toList());
    }

    @Override
    public void drain(String nodeId, String markLabel, String markValue) {
        updateNode(nodeId, "drain", spec -> {
            Map<String, String> labels = new HashMap<>(spec.getLabels() == null ? Map.of() : spec.getLabels());
            labels.putIfAbsent(markLabel, markValue);
            // One update: the mark, the demotion and the drain land together or not at all.
            return spec.withLabels(labels).withRole(SwarmNodeRole.WORKER)
                    .withAvailability(SwarmNodeAvailability.DRAIN);
        });
    }

    @Override
    public void undrain(String nodeId, String markLabel) {
        updateNode(nodeId, "undrain", spec -> {
            Map<String, String> labels = new HashMap<>(spec.getLabels() == null ? Map.of() : spec.getLabels());
            labels.remove(markLabel);
            return spec.withLabels(labels).withAvailability(SwarmNodeAvailability.ACTIVE);
        });
    }

    @Override
    public void changeNode(String nodeId, String availability, Map<String, String> labelsSet,
            Set<String> labelsRemoved) {
        SwarmNodeAvailability wanted = SwarmNodeAvailability.valueOf(availability.toUpperCase(Locale.ROOT));
        updateNode(nodeId, "change", spec -> {
            Map<String, String> labels = new HashMap<>(spec.getLabels() == null ? Map.of() : spec.getLabels());
            labels.putAll(labelsSet);
            labels.keySet().removeAll(labelsRemoved);
            return spec.withLabels(labels).withAvailability(wanted);
        });
    }

    @Override
    public void removeNode(String nodeId) {
        call("remove node " + nodeId, () -> {
            try {
                docker.get().removeSwarmNodeCmd(nodeId).withForce(true).exec();
            } catch (NotFoundException gone) {
                // removed already: what we wanted
            }
            return null;
        });
    }

    private void updateNode(String nodeId, String what, UnaryOperator<SwarmNodeSpec> change) {
        call(what + " node " + nodeId, () -> {
            com.github.dockerjava.api.model.SwarmNode node = docker.get().listSwarmNodesCmd()
                    .withIdFilter(List.of(nodeId)).exec().stream().filter(n -> n.getId().equals(nodeId))
                    .findFirst().orElseThrow(() -> new NotFoundException("node " + nodeId + " is not in the Swarm"));
            docker.get().updateSwarmNodeCmd().withSwarmNodeId(nodeId).withVersion(node.getVersion().getIndex())
                    .withSwarmNodeSpec(change.apply(node.getSpec())).exec();
            return null;
        });
    }

    @Override
    public void scaleService(String serviceId, int replicas) {
        call("scale service " + serviceId, () -> {
            Service service = docker.get().inspectServiceCmd(serviceId).exec();
            ServiceSpec spec = service.getSpec();
            if (spec.getMode() == null || spec.getMode().getReplicated() == null) {
                throw new IllegalStateException("service " + serviceId + " is not replicated");
            }
            spec.getMode().getReplicated().withReplicas(replicas);
            docker.get().updateServiceCmd(serviceId, spec).withVersion(service.getVersion().getIndex()).exec();
            return null;
        });
    }

    @Override
    public void forceUpdate(String serviceId) {
        call("force-update service " + serviceId, () -> {
            Service service = docker.get().inspectServiceCmd(serviceId).exec();
            ServiceSpec spec = service.getSpec();
            TaskSpec task = spec.getTaskTemplate();
            int force = Optional.ofNullable(task.getForceUpdate()).orElse(0);
            task.withForceUpdate(force + 1);
            docker.get().updateServiceCmd(serviceId, spec).withVersion(service.getVersion().getIndex()).exec();
            return null;
        });
    }

    @Override
    public AutoCloseable watch(Set<String> quietServices, Runnable onChange) {
        AtomicBoolean closed = new AtomicBoolean();
        AtomicReference<Closeable> stream = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            Duration delay = FIRST_RECONNECT_DELAY;
            while (!closed.get()) {
                AtomicBoolean connected = new AtomicBoolean();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
                    @Override
                    public void onStart(Closeable closeable) {
                        super.onStart(closeable);
                        connected.set(true);
                        onChange.run(); // anything may have happened while we were not listening
                    }

                    @Override
                    public void onNext(Event event) {
                        if (!aboutOneOf(quietServices, event)) {
                            onChange.run();
                        }
                    }

                    @Override
                    public void onError(Throwable error) {
                        // Recorded and reported once below, instead of docker-java's stack trace per attempt.
                        failure.set(error);
                        try {
                            close();
                        } catch (java.io.IOException ignored) {
                            // closing a broken stream
                        }
                    }
                };
                try {
                    stream.set(callback);
                    events.get().eventsCmd().withEventTypeFilter(EventType.NODE, EventType.SERVICE).exec(callback);
                    callback.awaitCompletion();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
                if (closed.get()) {
                    return;
                }
                // A stream that was up starts the next attempt afresh; failures in a row back off, so that an
                // unreachable Docker is not asked every second (the reconcile loop backs off on its own).
                delay = connected.get() ? FIRST_RECONNECT_DELAY : delay;
                Throwable cause = failure.get();
                LOG.warning("Docker event stream from %s %s; reconnecting in %ss".formatted(endpoint,
                        cause == null ? "ended" : "broke (" + rootMessage(cause) + ")", delay.toSeconds()));
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                delay = connected.get() ? FIRST_RECONNECT_DELAY : min(delay.multipliedBy(2), MAX_RECONNECT_DELAY);
            }
        }, "docker-events");
        watcher.setDaemon(true);
        watcher.start();
        return () -> {
            closed.set(true);
            Closeable current = stream.get();
            if (current != null) {
                current.close();
            }
            watcher.interrupt();
        };
    }

    /** Whether {@code event} is about a service named in {@code services} (Docker names it in the actor). */
    private static boolean aboutOneOf(Set<String> services, Event event) {
        return event.getType() == EventType.SERVICE && event.getActor() != null
                && event.getActor().getAttributes() != null
                && services.contains(event.getActor().getAttributes().get("name"));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private <T> T call(String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (DockerException e) {
            throw new BackendUnavailableException("Docker at %s: cannot %s: %s".formatted(endpoint, what,
                    e.getMessage()), e);
        } catch (RuntimeException e) {
            // docker-java wraps socket errors in plain runtime exceptions
            throw new BackendUnavailableException("Docker at %s: cannot %s: %s".formatted(endpoint, what,
                    rootMessage(e)), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
