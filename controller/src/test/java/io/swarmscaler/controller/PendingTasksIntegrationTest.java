package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.SwarmNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scale on demand, end to end on a real local Swarm: a service scaled through {@code POST /v1/scale-service} beyond
 * what the workers can hold has pending tasks, which bring the exact number of nodes they need in one step; tasks
 * no new node would cure bring none. The local nodes report this machine's memory, so reservations are sized from
 * it.
 */
@LocalSwarmTest(workers = 1)
class PendingTasksIntegrationTest {
    private static final List<String> ON_WORKERS = List.of("node.role == worker");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestLab lab;

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    @AfterEach
    void backToOneWorker() {
        lab.resetNodes(1);
    }

    private static long workerMemory() {
        return lab.readyNodes(NodeRole.WORKER).stream().mapToLong(SwarmNode::memoryBytes).min().orElseThrow();
    }

    private static HttpResponse<String> scaleService(ScalerRuntime scaler, String service, String direction, int by)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:%d/v1/scale-service?service=%s&by=%d"
                        .formatted(scaler.httpPort(), service, by)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"groupLabels\": {\"scale\": \"" + direction + "\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String message(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("message").asText();
    }

    @Test
    void aServiceScaledBeyondTheWorkersBringsTheNodesItsPendingTasksNeedInOneStep() throws Exception {
        int before = lab.desiredWorkers();
        // 60 % of a node: one task per node, so two more tasks need exactly two new nodes
        long reservation = workerMemory() * 6 / 10;
        LocalServices.create(lab.docker, new LocalServices.Spec("hungry", Map.of("com.df.scaleMax", "3"), ON_WORKERS,
                1, reservation, 0));
        lab.awaitRunning("hungry", 1);

        try (ScalerRuntime scaler = lab.startScaler(Map.of("PENDING_TASK_DELAY", "2s"))) {
            TestLab.awaitPasses(scaler, 2);
            assertThat(lab.desiredWorkers()).as("nothing pending, nothing to add").isEqualTo(before);

            Instant scaled = Instant.now();
            HttpResponse<String> up = scaleService(scaler, "hungry", "up", 2);
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(message(up)).isEqualTo("Scaling hungry from 1 to 3 replicas (max: 3)");

            // Swarm's own creation time of the tasks it could not place: they are pending since then.
            List<Instant> since = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> lab.pendingSince("hungry"), s -> s.size() == 2);
            Instant pending = since.stream().min(Instant::compareTo).orElseThrow();
            // The local group counts a node from when it is reserved, one after the other: wait for both. That they
            // came in one step (one call, 1 to 3) the notifications show below.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> lab.desiredWorkers() == before + 2);
            Instant decided = Instant.now();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> lab.runningTasks("hungry").size() == 3);
            Instant running = Instant.now();
            System.out.printf("MEASURED pending to the scale-up decision: %d ms; pending to all 3 tasks running (2 new"
                    + " nodes joined): %d ms; scale-service call to tasks pending: %d ms (PENDING_TASK_DELAY 2s,"
                    + " loop 1s)%n", Duration.between(pending, decided).toMillis(),
                    Duration.between(pending, running).toMillis(), Duration.between(scaled, pending).toMillis());

            TestLab.awaitPasses(scaler, 3);
            assertThat(lab.desiredWorkers()).as("the tasks placed, nothing more").isEqualTo(before + 2);
            assertThat(lab.notifications).filteredOn(n -> n.alertName().equals("scale_service"))
                    .extracting(Notification::summary).containsExactly("Scaling hungry from 1 to 3 replicas (max: 3)");
            assertThat(lab.notifications).extracting(Notification::summary)
                    .contains(
                            "Changing the number of worker nodes on local from %d to %d".formatted(before, before + 2))
                    .noneMatch(s -> s.equals("Changing the number of worker nodes on local from %d to %d"
                            .formatted(before, before + 1)));
            HttpResponse<String> atMax = scaleService(scaler, "hungry", "up", 1);
            assertThat(atMax.statusCode()).isEqualTo(409);
            assertThat(message(atMax)).isEqualTo("hungry is already scaled to the maximum number of 3 replicas");
            HttpResponse<String> down = scaleService(scaler, "hungry", "down", 1);
            assertThat(message(down)).isEqualTo("Scaling hungry from 3 to 2 replicas (min: 1)");
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.runningTasks("hungry").size() == 2);
            HttpResponse<String> toMin = scaleService(scaler, "hungry", "down", 5);
            assertThat(message(toMin)).as("a step past the bound stops at it")
                    .isEqualTo("Scaling hungry from 2 to 1 replicas (min: 1)");
            // by 2: the same call as the one before within 10 s would be a client's retry, answered as the first
            HttpResponse<String> atMin = scaleService(scaler, "hungry", "down", 2);
            assertThat(atMin.statusCode()).isEqualTo(409);
            assertThat(message(atMin)).isEqualTo("hungry is already descaled to the minimum number of 1 replicas");
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.runningTasks("hungry").size() == 1);
        }
    }

    @Test
    void tasksNoNewNodeWouldCureBringNoNodeAndAreToldOnce() throws Exception {
        int before = lab.desiredWorkers();
        LocalServices.create(lab.docker, "pinned", Map.of(), List.of("node.hostname == nowhere"), 1);
        LocalServices.create(lab.docker, new LocalServices.Spec("huge", Map.of(), ON_WORKERS, 1,
                workerMemory() * 2, 0));

        try (ScalerRuntime scaler = lab.startScaler(Map.of("PENDING_TASK_DELAY", "1s"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.notifications.stream()
                    .filter(n -> n.summary().endsWith("no reason to scale")).count() == 2);
            TestLab.awaitPasses(scaler, 5);

            assertThat(lab.desiredWorkers()).isEqualTo(before);
            assertThat(lab.notifications).as("each told once, not every pass").hasSize(2)
                    .extracting(Notification::summary).anyMatch(s -> s.contains("constraints (node.hostname =="
                            + " nowhere) allow no new node"))
                    .anyMatch(s -> s.contains("more than a new node of any group offers"));
            Map<String, Object> status = status(scaler);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> decisions = (List<Map<String, Object>>) status.get("decisions");
            assertThat(decisions).extracting(d -> d.get("subject"))
                    .contains("pending tasks of service pinned", "pending tasks of service huge");
            assertThat(status.get("pendingTasks")).isEqualTo(Map.of(
                    "no_new_node_allowed", 1, "too_big_for_new_node", 1));
        }
    }

    /** {@code GET /status}, as an operator reads it. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(ScalerRuntime scaler) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:%d/status"
                .formatted(scaler.httpPort()))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readValue(response.body(), Map.class);
    }
}
