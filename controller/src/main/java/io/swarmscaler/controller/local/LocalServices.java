package io.swarmscaler.controller.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerSpec;
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
    private static final Duration STOP_GRACE = Duration.ofSeconds(1);

    private LocalServices() {}

    /** @param replicas the number of tasks, or -1 for a global service (one task per eligible node) */
    public static String create(DockerClient docker, String name, Map<String, String> labels,
            List<String> constraints, int replicas) {
        TaskSpec task = new TaskSpec()
                .withContainerSpec(new ContainerSpec()
                        .withImage(LocalCluster.IMAGE)
                        .withCommand(List.of("sleep", "100000000"))
                        .withStopGracePeriod(STOP_GRACE.toNanos()))
                .withPlacement(new ServicePlacement().withConstraints(constraints));
        ServiceModeConfig mode = replicas < 0
                ? new ServiceModeConfig().withGlobal(new ServiceGlobalModeOptions())
                : new ServiceModeConfig().withReplicated(new ServiceReplicatedModeOptions().withReplicas(replicas));
        ServiceSpec spec = new ServiceSpec().withName(name).withLabels(labels).withTaskTemplate(task).withMode(mode);
        return docker.createServiceCmd(spec).exec().getId();
    }
}
