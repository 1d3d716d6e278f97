package io.swarmscaler.controller.local;

import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.model.Instance;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.SwarmNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The worker group of a {@link LocalCluster}: its desired capacity is the number of worker nodes present, booting
 * or joined; raising it boots new {@code dockerd} nodes in the background, as a cloud group launches instances,
 * each after the boot delay it is given.
 */
final class LocalNodeGroup implements NodeGroup {
    private static final Logger LOG = Logger.getLogger(LocalNodeGroup.class.getName());

    private final LocalCluster cluster;
    private final Duration bootDelay;
    private volatile Optional<String> launchFailure = Optional.empty();
    private final ExecutorService boots = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-node-boot");
        t.setDaemon(true);
        return t;
    });

    LocalNodeGroup(LocalCluster cluster, Duration bootDelay) {
        this.cluster = cluster;
        this.bootDelay = bootDelay;
    }

    @Override
    public NodeRole role() {
        return NodeRole.WORKER;
    }

    @Override
    public String backend() {
        return "local";
    }

    @Override
    public Capacity capacity() {
        List<Instance> instances = cluster.workerNodes().stream()
                .map(n -> new Instance(n, cluster.hasJoined(n) ? Instance.Lifecycle.IN_SERVICE
                        : Instance.Lifecycle.PENDING, "", false))
                .toList();
        // A local node is this machine's size, which the nodes that join show.
        return new Capacity(instances.size(), 0, Integer.MAX_VALUE, instances, launchFailure, Optional.empty());
    }

    @Override
    public synchronized void setDesiredCapacity(int desired) {
        int present = cluster.workerNodes().size();
        if (desired < present) {
            throw new IllegalArgumentException(("the local backend lowers its capacity only by terminating a chosen"
                    + " node; asked for %d with %d present").formatted(desired, present));
        }
        for (int i = present; i < desired; i++) {
            String node = cluster.reserveWorker();
            // Reserved at once, so it counts as a launch on its way while it "boots".
            CompletableFuture.runAsync(() -> boot(node),
                    CompletableFuture.delayedExecutor(bootDelay.toMillis(), TimeUnit.MILLISECONDS, boots));
        }
    }

    private void boot(String node) {
        if (!cluster.workerNodes().contains(node)) {
            return; // terminated while it booted
        }
        try {
            cluster.bootWorker(node);
            launchFailure = Optional.empty();
        } catch (RuntimeException e) {
            // Like a failed cloud launch: the instance disappears and the group reports why.
            LOG.log(Level.WARNING, "Local node " + node + " failed to boot; removing it: " + e.getMessage(), e);
            launchFailure = Optional.of("local node " + node + " failed to boot: " + e.getMessage());
            cluster.removeNode(node);
        }
    }

    @Override
    public void terminate(String instanceId) {
        if (cluster.workerNodes().contains(instanceId)) {
            cluster.removeNode(instanceId);
            LOG.info("Local node " + instanceId + " stopped and removed");
        }
    }

    @Override
    public Optional<String> instanceIdOf(SwarmNode node) {
        return Optional.ofNullable(node.engineLabels().get(LocalCluster.INSTANCE_LABEL))
                .filter(id -> id.startsWith(cluster.name() + "-w"));
    }
}
