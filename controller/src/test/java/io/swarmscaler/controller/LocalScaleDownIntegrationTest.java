package io.swarmscaler.controller;

import static io.swarmscaler.controller.local.LocalLab.WORKER_EXPORTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.SwarmNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Safe scale-down end to end on a real local Swarm of a manager and three workers: the least loaded worker is
 * drained, its tasks move, then it is removed and its dockerd stopped; refusals when tasks would not fit or
 * memory would rise too far; a drain survives the daemon being killed.
 */
@LocalSwarmTest(workers = LocalScaleDownIntegrationTest.WORKERS)
class LocalScaleDownIntegrationTest {
    static final int WORKERS = 3;
    private static final List<String> ON_WORKERS = List.of("node.role == worker");
    private static TestLab lab;

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    /** Every test starts from three quiet, unprotected, active workers and no services. */
    @BeforeEach
    void threeWorkers() {
        lab.resetNodes(WORKERS);
    }

    private static Map<String, String> belowPolicy(double below, double above) {
        return Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:" + above,
                "com.df.alertFor.1", "2s",
                "com.df.alertName.2", "node_mem_limit_total_below",
                "com.df.alertIf.2", "@node_mem_limit_total_below:" + below,
                "com.df.alertFor.2", "2s");
    }

    /** The seed's flow at ratio 0.02: workers go down, but never to zero, where nothing could bring them back. */
    @Test
    void aPolicyNeverRemovesTheLastWorker() throws Exception {
        Map<String, String> labels = new java.util.HashMap<>(belowPolicy(0.05, 0.95));
        labels.put("com.df.scaleWorkerNodeDownBy", Integer.toString(WORKERS));
        LocalServices.create(lab.docker, WORKER_EXPORTER, labels, ON_WORKERS, -1);
        lab.setRatio(NodeRole.WORKER, 0.02);
        try (ScalerRuntime scaler = lab.startScaler(Map.of("SCALE_DOWN_COOLDOWN", "1s"))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 1
                    && lab.desiredWorkers() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream()
                    .anyMatch(l -> l.contains("not removing the last worker node on local")));
            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.desiredWorkers()).isEqualTo(1);
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(1).allMatch(SwarmNode::active);
        }
    }

    @Test
    void removesExactlyTheLeastLoadedWorkerAndLosesNoTask() throws Exception {
        List<SwarmNode> workers = lab.readyNodes(NodeRole.WORKER);
        SwarmNode quiet = workers.get(0); // the oldest: "fewest tasks" must win over "newest"
        LocalServices.create(lab.docker, "busy", Map.of(), List.of("node.hostname != " + quiet.hostname()), 6);
        LocalServices.create(lab.docker, "anywhere", Map.of(), List.of(), 3);
        lab.awaitRunning("busy", 6);
        lab.awaitRunning("anywhere", 3);
        LocalServices.create(lab.docker, WORKER_EXPORTER, belowPolicy(0.5, 0.9), ON_WORKERS, -1);
        lab.setRatio(NodeRole.WORKER, 0.2);

        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> node(quiet.id()).isEmpty());
            assertThat(lab.desiredWorkers()).as("the group shrank by one").isEqualTo(WORKERS - 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.runningTasks("busy").size() == 6
                    && lab.runningTasks("anywhere").size() == 3);
            assertThat(lab.runningTasks("busy")).doesNotContainValue(quiet.id());
            // The condition still holds past its alertFor: the scale-down cooldown keeps it at one node.
            TestLab.awaitPasses(scaler, 3, Duration.ofSeconds(2));
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(WORKERS - 1);
            assertThat(lab.notifications).extracting(Notification::summary)
                    .contains("Draining node " + quiet.hostname())
                    .anyMatch(s -> s.startsWith("Removed node " + quiet.hostname() + " and terminated its instance"));
        }
    }

    @Test
    void aProtectedNodeIsNeverChosen() throws Exception {
        List<SwarmNode> workers = lab.readyNodes(NodeRole.WORKER);
        SwarmNode quiet = workers.get(0);
        LocalServices.create(lab.docker, "busy", Map.of(), List.of("node.hostname != " + quiet.hostname()), 6);
        lab.awaitRunning("busy", 6);
        lab.updateNode(quiet.id(), spec -> spec.withLabels(Map.of(Planner.PROTECT_LABEL, "true")));
        LocalServices.create(lab.docker, WORKER_EXPORTER, belowPolicy(0.5, 0.9), ON_WORKERS, -1);
        lab.setRatio(NodeRole.WORKER, 0.2);

        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == WORKERS - 1);
            assertThat(node(quiet.id())).as("the protected node stays").isPresent()
                    .get().matches(SwarmNode::active, "active");
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.runningTasks("busy").size() == 6);
        }
    }

    @Test
    void refusesWhenMemoryWouldRiseAboveTheScaleUpThreshold() throws Exception {
        // 0.55 on three workers is 0.825 on two: above 0.8 minus the 0.05 margin.
        LocalServices.create(lab.docker, WORKER_EXPORTER, belowPolicy(0.6, 0.8), ON_WORKERS, -1);
        lab.setRatio(NodeRole.WORKER, 0.55);
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream()
                    .anyMatch(l -> l.contains("memory would rise from 0.55 to 0.825")));
            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(WORKERS).allMatch(SwarmNode::active);
        }
    }

    @Test
    void aReservationThatFitsNowhereElseBlocks() throws Exception {
        long nodeMemory = lab.readyNodes(NodeRole.WORKER).get(0).memoryBytes();
        LocalServices.create(lab.docker, new LocalServices.Spec("big", Map.of(), ON_WORKERS, WORKERS,
                nodeMemory * 6 / 10, 0));
        lab.awaitRunning("big", WORKERS);
        LocalServices.create(lab.docker, WORKER_EXPORTER, belowPolicy(0.5, 0.9), ON_WORKERS, -1);
        lab.setRatio(NodeRole.WORKER, 0.2);
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream()
                    .anyMatch(l -> l.contains("a task of service big reserves") && l.contains("no remaining node has room")));
            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(WORKERS).allMatch(SwarmNode::active);
            assertThat(lab.runningTasks("big")).hasSize(WORKERS);
        }
    }

    @Test
    void aDrainInterruptedBySigkillIsCompletedAfterRestart() throws Exception {
        // Slow starters: replacements are "starting" for 8 s, so the drain is still under way when we kill.
        LocalServices.create(lab.docker, new LocalServices.Spec("slow", Map.of(), List.of(), 4, 0, 8));
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.runningTasks("slow").size() == 4);
        LocalServices.create(lab.docker, WORKER_EXPORTER, belowPolicy(0.5, 0.9), ON_WORKERS, -1);
        lab.setRatio(NodeRole.WORKER, 0.2);

        Path log = Files.createTempFile("scaler-process", ".log");
        Process daemon = startScalerProcess(log);
        SwarmNode victim;
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> drainingNode().isPresent());
        } finally {
            daemon.destroyForcibly().waitFor(); // SIGKILL
        }
        victim = drainingNode().orElseThrow();
        assertThat(victim.availability()).isEqualTo("drain");
        assertThat(lab.runningTasks("slow")).as("the drain was under way when the daemon died").hasSizeLessThan(4);
        lab.setRatio(NodeRole.WORKER, 0.55); // the scale-down condition is over

        try (ScalerRuntime restarted = lab.startScaler(Map.of())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> node(victim.id()).isEmpty());
            assertThat(lab.runningTasks("slow")).hasSize(4).doesNotContainValue(victim.id());
            assertThat(lab.desiredWorkers()).isEqualTo(WORKERS - 1);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void aStaleDrainWhoseTasksCannotMoveIsUndoneAfterRestart() throws Exception {
        SwarmNode pinnedNode = lab.readyNodes(NodeRole.WORKER).get(1);
        LocalServices.create(lab.docker, "pinned", Map.of(), List.of("node.hostname == " + pinnedNode.hostname()), 1);
        lab.awaitRunning("pinned", 1);
        // What a daemon killed an hour ago, in the middle of a drain, left behind.
        lab.lab.swarm().drain(pinnedNode.id(), Planner.DRAINING_LABEL, Instant.now().minusSeconds(3600).toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.runningTasks("pinned").isEmpty());

        try (ScalerRuntime restarted = lab.startScaler(Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> node(pinnedNode.id())
                    .map(n -> n.active() && !n.labels().containsKey(Planner.DRAINING_LABEL)).orElse(false));
            lab.awaitRunning("pinned", 1);
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(WORKERS);
            assertThat(lab.notifications).anyMatch(n -> n.status() == Notification.Status.ERROR
                    && n.summary().contains("did not finish within 10m") && n.summary().contains("backing off"));
        }
    }

    private static Optional<SwarmNode> node(String id) {
        return lab.lab.swarm().nodes().stream().filter(n -> n.id().equals(id)).findFirst();
    }

    private static Optional<SwarmNode> drainingNode() {
        return lab.lab.swarm().nodes().stream().filter(n -> n.labels().containsKey(Planner.DRAINING_LABEL))
                .findFirst();
    }

    private static Process startScalerProcess(Path log) throws Exception {
        // The restarted process is the same replica: it resumes its lease instead of waiting it out.
        return lab.startScalerProcess(log, Map.of("LISTEN_PORT", "0", "REPLICA_ID", "scaler"));
    }
}
