package io.swarmscaler.controller.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.ResourceRequirements;
import com.github.dockerjava.api.model.ResourceSpecs;
import com.github.dockerjava.api.model.ServiceGlobalModeOptions;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServicePlacement;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Creates services on the local cluster through the API (the CLI would try to resolve the image on a registry).
 * Tasks run {@code sleep} from the busybox image with a short stop grace period, since busybox ignores SIGTERM.
 */
public final class LocalServices {
    private LocalServices() {}

    /**
     * A service to create.
     *
     * @param replicas the number of tasks, or -1 for a global service (one task per eligible node)
     * @param reservedMemoryBytes memory each task reserves, 0 for none
     * @param secondsUntilHealthy when above 0, tasks get a health check that passes only after this long, so Swarm
     *     reports them {@code starting}, not {@code running}, until then (a slow-starting application)
     */
    public record Spec(String name, Map<String, String> labels, List<String> constraints, int replicas,
            long reservedMemoryBytes, int secondsUntilHealthy) {

        public Spec(String name, Map<String, String> labels, List<String> constraints, int replicas) {
            this(name, labels, constraints, replicas, 0, 0);
        }
    }

    /** @param replicas the number of tasks, or -1 for a global service (one task per eligible node) */
    public static String create(DockerClient docker, String name, Map<String, String> labels,
            List<String> constraints, int replicas) {
        return create(docker, new Spec(name, labels, constraints, replicas));
    }

    public static String create(DockerClient docker, Spec spec) {
        ContainerSpec container = new ContainerSpec()
                .withImage(LocalCluster.IMAGE)
                .withStopGracePeriod(Duration.ofSeconds(1).toNanos());
        if (spec.secondsUntilHealthy() > 0) {
            container.withCommand(List.of("sh", "-c",
                    "sleep %d; touch /tmp/healthy; exec sleep 100000000".formatted(spec.secondsUntilHealthy())))
                    .withHealthCheck(new HealthCheck()
                            .withTest(List.of("CMD", "sh", "-c", "test -f /tmp/healthy"))
                            .withInterval(Duration.ofSeconds(1).toNanos())
                            .withTimeout(Duration.ofSeconds(1).toNanos())
                            .withRetries(1000));
        } else {
            container.withCommand(List.of("sleep", "100000000"));
        }
        TaskSpec task = new TaskSpec()
                .withContainerSpec(container)
                .withPlacement(new ServicePlacement().withConstraints(spec.constraints()));
        if (spec.reservedMemoryBytes() > 0) {
            task.withResources(new ResourceRequirements()
                    .withReservations(new ResourceSpecs().withMemoryBytes(spec.reservedMemoryBytes())));
        }
        ServiceModeConfig mode = spec.replicas() < 0
                ? new ServiceModeConfig().withGlobal(new ServiceGlobalModeOptions())
                : new ServiceModeConfig().withReplicated(
                        new ServiceReplicatedModeOptions().withReplicas(spec.replicas()));
        ServiceSpec service = new ServiceSpec().withName(spec.name()).withLabels(spec.labels())
                .withTaskTemplate(task).withMode(mode);
        return docker.createServiceCmd(service).exec().getId();
    }
}
