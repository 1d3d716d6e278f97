package io.swarmscaler.controller;

import static io.swarmscaler.controller.local.LocalLab.MANAGER_EXPORTER;
import static io.swarmscaler.controller.local.LocalLab.WORKER_EXPORTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.SwarmNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on a real local Swarm with a real Prometheus: policies in the seed's labels scale the worker group,
 * and labelled services are rescheduled onto the new nodes.
 */
@LocalSwarmTest(workers = 1)
class LocalScaleUpIntegrationTest {
    private static final List<String> ON_WORKERS = List.of("node.role == worker");
    private static TestLab lab;

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    private static Map<String, String> workerPolicy(String extraKey, String extraValue) {
        Map<String, String> labels = new HashMap<>(Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8",
                "com.df.alertFor.1", "2s"));
        if (extraKey != null) {
            labels.put(extraKey, extraValue);
        }
        return labels;
    }

    @Test
    void breachAddsOneWorkerAndReschedulesOnlyLabelledServicesOntoIt() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(null, null), ON_WORKERS, -1);
        LocalServices.create(lab.docker, "rescheduled", Map.of("com.df.reschedule", "true"), List.of(), 4);
        LocalServices.create(lab.docker, "untouched", Map.of(), List.of(), 2);
        lab.awaitRunning("rescheduled", 4);
        lab.awaitRunning("untouched", 2);
        Map<String, String> untouchedBefore = lab.runningTasks("untouched");
        int before = lab.desiredWorkers();
        Set<String> nodesBefore = lab.readyNodes(NodeRole.WORKER).stream().map(SwarmNode::id)
                .collect(Collectors.toSet());

        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            TestLab.awaitPasses(scaler, 3); // a few quiet passes: memory at 0.2 must not scale
            assertThat(lab.desiredWorkers()).isEqualTo(before);

            long breach = System.nanoTime();
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);

            await().atMost(Duration.ofSeconds(30)).until(() -> lab.desiredWorkers() == before + 1);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> newWorker(nodesBefore) != null);
            long ready = System.nanoTime();
            String newNode = newWorker(nodesBefore).id();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> lab.notifications
                    .stream().anyMatch(n -> n.alertName().equals("reschedule_service")));
            System.out.printf("MEASURED node Ready to reschedule: %d ms (goal under 1000 ms)%n",
                    Duration.ofNanos(System.nanoTime() - ready).toMillis());
            // The new node reports high memory too: the breach goes on, yet the scaler waits out its cooldown.
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);

            await().atMost(Duration.ofSeconds(60)).until(() -> lab.runningTasks("rescheduled").containsValue(newNode));
            long breachToTaskMillis = Duration.ofNanos(System.nanoTime() - breach).toMillis();
            System.out.printf("MEASURED breach to first rescheduled task running on the new node: %d ms"
                    + " (alertFor 2s, loop 1s, scrape 1s)%n", breachToTaskMillis);

            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.desiredWorkers()).as("one worker for one breach, not two").isEqualTo(before + 1);
            assertThat(lab.runningTasks("untouched")).as("a service without the label keeps its tasks")
                    .isEqualTo(untouchedBefore);
            assertThat(lab.notifications).extracting(Notification::summary).contains(
                    "Changing the number of worker nodes on local from %d to %d".formatted(before, before + 1));
            assertThat(lab.notifications).anyMatch(n -> n.alertName().equals("reschedule_service")
                    && n.status() == Notification.Status.SUCCESS && n.summary().startsWith("Rescheduled services rescheduled"));
            assertThat(lab.logLines).anyMatch(l -> l.contains("policy " + WORKER_EXPORTER + "#1")
                    && l.contains("value 0.9 > 0.8"));
        }
    }

    /**
     * With the default 10 s interval, a breach is acted on when its {@code alertFor} ends, counted from the breach
     * Prometheus saw: the goal is at most one scrape interval + {@code alertFor} + 1 s, both ways.
     */
    @Test
    void withTheDefaultIntervalABreachIsActedOnWhenItsAlertForEnds() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, Map.of(
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.alertFor.1", "5s",
                "com.df.alertIf.2", "@node_mem_limit_total_below:0.5", "com.df.alertFor.2", "5s"), ON_WORKERS, -1);
        int before = lab.desiredWorkers();
        lab.setRatio(NodeRole.WORKER, 0.6);
        try (ScalerRuntime scaler = lab.startScaler(Map.of("RECONCILE_INTERVAL", "10s",
                "SCALE_DOWN_COOLDOWN", "1s"))) {
            TestLab.awaitPasses(scaler, 1);

            long breach = System.nanoTime();
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.desiredWorkers() == before + 1);
            long upMillis = Duration.ofNanos(System.nanoTime() - breach).toMillis();
            System.out.printf("MEASURED breach to SetDesiredCapacity: %d ms (alertFor 5s, scrape 1s, interval 10s;"
                    + " goal at most 7000 ms)%n", upMillis);

            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == before + 1);
            TestLab.awaitPasses(scaler, 1); // the scale-up is seen through: nothing is joining any more
            long quiet = System.nanoTime();
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.1);
            String down = "Changing the number of worker nodes on local from %d to %d".formatted(before + 1, before);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.notifications.stream()
                    .anyMatch(n -> n.summary().equals(down)));
            long downMillis = Duration.ofNanos(System.nanoTime() - quiet).toMillis();
            System.out.printf("MEASURED ratio under the down threshold to the scale-down decision: %d ms (alertFor 5s,"
                    + " scrape 1s, interval 10s; goal at most 7000 ms)%n", downMillis);

            // At most one scrape interval + alertFor + 1 s, not the next 10 s tick.
            assertThat(upMillis).isLessThanOrEqualTo(7_000);
            assertThat(downMillis).isLessThanOrEqualTo(7_000);
            // The lab as it was for the next test: the drained node removed.
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.desiredWorkers() == before
                    && lab.readyNodes(NodeRole.WORKER).size() == before);
        }
    }

    @Test
    void maxBoundHolds() throws Exception {
        int before = lab.desiredWorkers();
        LocalServices.create(lab.docker, WORKER_EXPORTER,
                workerPolicy("com.df.scaleWorkerNodeMax", Integer.toString(before)), ON_WORKERS, -1);
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.95);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.notifications.stream()
                    .anyMatch(n -> n.summary().contains("at the maximum of " + before)));
            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.desiredWorkers()).isEqualTo(before);
            assertThat(lab.notifications).noneMatch(n -> n.summary().startsWith("Changing the number"));
            assertThat(lab.notifications.stream().filter(n -> n.summary().contains("at the maximum")))
                    .as("told once per breach, not every cycle").hasSize(1);
        }
    }

    @Test
    void scaleNoOnlyNotifies() throws Exception {
        int before = lab.desiredWorkers();
        LocalServices.create(lab.docker, MANAGER_EXPORTER, Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.95",
                "com.df.alertLabels.1", "receiver=system,scale=no,service=" + MANAGER_EXPORTER + ",type=node",
                "com.df.alertFor.1", "1s"), List.of("node.role == manager"), -1);
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            lab.lab.exporter().setRatio(NodeRole.MANAGER, 0.99);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.notifications.stream()
                    .anyMatch(n -> n.summary().equals("Total memory of the nodes is over 0.95")));
            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.desiredWorkers()).isEqualTo(before);
            assertThat(lab.notifications).hasSize(1);
        }
    }

    @Test
    void prometheusDownMeansNoActionAndAClearLineThenRecovery() throws Exception {
        int before = lab.desiredWorkers();
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(null, null), ON_WORKERS, -1);
        try (ScalerRuntime scaler = lab.startScaler(Map.of())) {
            TestLab.awaitPasses(scaler, 2);
            lab.lab.prometheus().stop();
            try {
                lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
                await().atMost(Duration.ofSeconds(20)).until(() -> lab.logLines.stream()
                        .anyMatch(l -> l.contains("policy " + WORKER_EXPORTER + "#1: no data (Prometheus at")
                                && l.contains("is unreachable")));
                // Well past alertFor (2s) with the value high: still nothing may happen.
                TestLab.awaitPasses(scaler, 3, Duration.ofSeconds(2));
                assertThat(lab.desiredWorkers()).isEqualTo(before);
            } finally {
                lab.lab.prometheus().restart();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.desiredWorkers() == before + 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == before + 1);
        }
    }

    private static SwarmNode newWorker(Set<String> before) {
        return lab.readyNodes(NodeRole.WORKER).stream().filter(n -> !before.contains(n.id())).findFirst()
                .orElse(null);
    }
}
