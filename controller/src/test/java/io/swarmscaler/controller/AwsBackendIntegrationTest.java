package io.swarmscaler.controller;

import static io.swarmscaler.controller.local.LocalLab.WORKER_EXPORTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swarmscaler.controller.aws.AwsNodeGroups;
import io.swarmscaler.controller.aws.LocalAutoScalingEndpoint;
import io.swarmscaler.controller.aws.LocalAutoScalingEndpoint.Call;
import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.local.LocalCluster;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.SwarmNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end with {@code NODE_SCALER_BACKEND=aws}: the real SDK clients talk to a local Auto Scaling endpoint
 * whose instances are real {@code dockerd} nodes joining a real local Swarm, with a real Prometheus. Policies in
 * the seed's labels scale the worker Auto Scaling group; AWS's own limits, throttling, launches that never join
 * and failed scaling activities are handled as a person on AWS would want.
 */
@LocalSwarmTest(workers = 0) // no local worker group: the Auto Scaling group brings the workers
// The manager-group test changes the Swarm's Raft membership: it runs last, so that if it leaves the Swarm
// without a leader the other tests of the class are not lost with it (the next class gets a fresh lab).
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AwsBackendIntegrationTest {
    private static final List<String> ON_WORKERS = List.of("node.role == worker");
    private static final String WORKER_ASG = "ssaws-NodeAsg-1TESTWORKERS";
    private static final String MANAGER_ASG = "ssaws-ManagerAsg-1TESTMANAGERS";
    private static final String KEY_ID = "AKIAINTEGRATIONTEST1";
    private static final String SECRET = "integration/Test+Secret0Key0Never0Printed";
    private static TestLab lab;
    private LocalAutoScalingEndpoint endpoint;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    /** A fresh pair of groups like the seed's CloudFormation stack makes: one manager, one worker, max 5. */
    @BeforeEach
    void startEndpoint() {
        LocalCluster cluster = lab.lab.cluster();
        endpoint = LocalAutoScalingEndpoint.start(LocalAutoScalingEndpoint.swarmWorkers(cluster));
        endpoint.requireAccessKeyId(KEY_ID); // only the credentials from the secret file get in
        endpoint.addGroup(WORKER_ASG, 0, 5);
        endpoint.addGroup(MANAGER_ASG, 1, 1);
        endpoint.adoptInstance(MANAGER_ASG, cluster.managerNode(), cluster.managerAddress());
        endpoint.setCapacity(WORKER_ASG, 1);
        endpoint.awaitInService(WORKER_ASG, 1, Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 1);
    }

    @AfterEach
    void stopEndpoint() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
        endpoint.close();
        // Terminated instances leave Down nodes behind, as on AWS; the next test starts from a clean node list.
        for (SwarmNode node : lab.lab.swarm().nodes()) {
            if (node.role() == NodeRole.WORKER) {
                lab.lab.swarm().removeNode(node.id());
            }
        }
    }

    private Map<String, String> awsEnvironment(Map<String, String> extra) throws IOException {
        Path secret = lab.stateDir().resolve("aws-secret");
        // As the seed's `docker secret create aws` makes it: a blank line, then export lines.
        Files.writeString(secret, "\nexport AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n"
                .formatted(KEY_ID, SECRET));
        Map<String, String> env = new HashMap<>(Map.of(
                "NODE_SCALER_BACKEND", "aws",
                "AWS_WORKER_ASG", WORKER_ASG,
                "AWS_MANAGER_ASG", MANAGER_ASG,
                "AWS_DEFAULT_REGION", "us-east-1",
                "AWS_ENV_FILE", secret.toString(),
                "AWS_ENDPOINT_URL", endpoint.address().toString(),
                "PROMETHEUS_ADDRESS", lab.lab.prometheus().address().toString(),
                "DOCKER_HOST", lab.lab.cluster().dockerHost()));
        env.putAll(extra);
        return env;
    }

    /** The AWS node groups as the daemon wires them ({@code AwsNodeGroups.connect}, production retry settings). */
    private AwsNodeGroups connect(Map<String, String> env) {
        AwsNodeGroups groups = AwsNodeGroups.connect(ScalerConfig.fromEnvironment(env).aws());
        toClose.add(groups);
        return groups;
    }

    private ScalerRuntime startScaler(Map<String, String> extra) throws IOException {
        Map<String, String> env = awsEnvironment(extra);
        ScalerRuntime runtime = lab.startScaler(env, connect(env).groups());
        toClose.add(0, runtime);
        return runtime;
    }

    private static Map<String, String> workerPolicy(Map<String, String> extra) {
        Map<String, String> labels = new HashMap<>(Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8",
                "com.df.alertFor.1", "2s"));
        labels.putAll(extra);
        return labels;
    }

    private int desired() {
        return endpoint.view(WORKER_ASG).desired();
    }

    private static SwarmNode newWorker(Set<String> before) {
        return lab.readyNodes(NodeRole.WORKER).stream().filter(n -> !before.contains(n.id())).findFirst()
                .orElse(null);
    }

    private static Set<String> readyWorkerIds() {
        return lab.readyNodes(NodeRole.WORKER).stream().map(SwarmNode::id).collect(Collectors.toSet());
    }

    private static List<String> summaries() {
        return lab.notifications.stream().map(Notification::summary).toList();
    }

    @Test
    void breachSetsTheDesiredCapacityTheInstanceJoinsAndLabelledServicesMoveOntoIt() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(Map.of()), ON_WORKERS, -1);
        LocalServices.create(lab.docker, "rescheduled", Map.of("com.df.reschedule", "true"), List.of(), 4);
        LocalServices.create(lab.docker, "untouched", Map.of(), List.of(), 2);
        lab.awaitRunning("rescheduled", 4);
        lab.awaitRunning("untouched", 2);
        Map<String, String> untouchedBefore = lab.runningTasks("untouched");
        Set<String> nodesBefore = readyWorkerIds();
        Map<String, String> env = awsEnvironment(Map.of());
        NodeGroup workers = connect(env).group(NodeRole.WORKER).orElseThrow();

        try (ScalerRuntime scaler = startScaler(Map.of())) {
            TestLab.awaitPasses(scaler, 3); // a few quiet passes: memory at 0.2 must not scale
            assertThat(endpoint.calls("SetDesiredCapacity")).isEmpty();

            long breach = System.nanoTime();
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);

            await().atMost(Duration.ofSeconds(30)).until(() -> desired() == 2);
            await().atMost(Duration.ofSeconds(90)).until(() -> newWorker(nodesBefore) != null);
            long breachToJoinMillis = Duration.ofNanos(System.nanoTime() - breach).toMillis();
            SwarmNode newNode = newWorker(nodesBefore);
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9); // the breach goes on: the cooldown holds

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> lab.runningTasks("rescheduled").containsValue(newNode.id()));
            long breachToTaskMillis = Duration.ofNanos(System.nanoTime() - breach).toMillis();
            System.out.printf("MEASURED aws backend: breach to new node Ready %d ms, to first rescheduled task on it"
                    + " %d ms (alertFor 2s, loop 1s, scrape 1s, node boot included)%n", breachToJoinMillis,
                    breachToTaskMillis);

            TestLab.awaitPasses(scaler, 3);
            assertThat(endpoint.accepted("SetDesiredCapacity")).as("one SetDesiredCapacity for one breach")
                    .singleElement().satisfies(call -> assertThat(call.parameters())
                            .containsEntry("AutoScalingGroupName", WORKER_ASG).containsEntry("DesiredCapacity", "2"));
            assertThat(endpoint.calls()).extracting(Call::action).doesNotContain("UpdateAutoScalingGroup")
                    .contains("DescribeAutoScalingGroups", "DescribeInstances");
            assertThat(desired()).isEqualTo(2);
            String newInstance = endpoint.view(WORKER_ASG).machineById().entrySet().stream()
                    .filter(e -> e.getValue().equals(newNode.hostname())).map(Map.Entry::getKey).findFirst()
                    .orElseThrow();
            assertThat(endpoint.view(WORKER_ASG).lifecycleById()).containsEntry(newInstance, "InService");
            workers.capacity(); // as every pass reads the group before it maps nodes
            assertThat(workers.instanceIdOf(newNode)).as("the node is found as its instance").contains(newInstance);
            assertThat(lab.runningTasks("untouched")).as("a service without the label keeps its tasks")
                    .isEqualTo(untouchedBefore);
            assertThat(summaries()).contains("Changing the number of worker nodes on aws from 1 to 2");
            assertThat(lab.notifications).anyMatch(n -> n.alertName().equals("reschedule_service")
                    && n.status() == Notification.Status.SUCCESS
                    && n.summary().startsWith("Rescheduled services rescheduled"));
            assertThat(lab.notifications).noneMatch(n -> n.status() == Notification.Status.ERROR);
        }
    }

    @Test
    void theGroupsOwnMinAndMaxAreHardLimitsAndNothingBeyondIsSent() throws Exception {
        endpoint.setLimits(WORKER_ASG, 1, 1);
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(Map.of(
                "com.df.scaleWorkerNodeMax", "5",
                "com.df.scaleWorkerNodeMin", "0",
                "com.df.alertName.2", "node_mem_limit_total_below",
                "com.df.alertIf.2", "@node_mem_limit_total_below:0.05",
                "com.df.alertFor.2", "1s")), ON_WORKERS, -1);

        try (ScalerRuntime scaler = startScaler(Map.of("SCALE_DOWN_COOLDOWN", "1s"))) {
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.95);
            await().atMost(Duration.ofSeconds(30)).until(() -> summaries().stream()
                    .anyMatch(s -> s.equals("Worker nodes on aws are at the maximum of 1; not scaling up")));

            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.02);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream()
                    .anyMatch(l -> l.contains("Worker nodes on aws are at the minimum of 1; not scaling down")));
            TestLab.awaitPasses(scaler, 3);

            assertThat(endpoint.calls("SetDesiredCapacity")).as("nothing beyond MaxSize is sent").isEmpty();
            assertThat(endpoint.calls("TerminateInstanceInAutoScalingGroup")).as("nothing below MinSize is sent")
                    .isEmpty();
            assertThat(endpoint.calls("UpdateAutoScalingGroup")).isEmpty();
            assertThat(endpoint.view(WORKER_ASG)).satisfies(group -> {
                assertThat(group.desired()).isEqualTo(1);
                assertThat(group.min()).isEqualTo(1);
                assertThat(group.max()).isEqualTo(1);
            });
        }
    }

    @Test
    void throttlingIsRetriedWithBackoffAndTheGroupGrowsExactlyOnce() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(Map.of()), ON_WORKERS, -1);
        Set<String> nodesBefore = readyWorkerIds();

        try (ScalerRuntime scaler = startScaler(Map.of())) {
            TestLab.awaitPasses(scaler, 2);
            endpoint.throttle("SetDesiredCapacity", 2);
            endpoint.throttle("DescribeAutoScalingGroups", 2);
            endpoint.failWithServerError("DescribeScalingActivities", 1);
            endpoint.throttle("DescribeInstances", 1);
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);

            await().atMost(Duration.ofSeconds(60)).until(() -> newWorker(nodesBefore) != null);
            TestLab.awaitPasses(scaler, 3);

            List<Call> setCalls = endpoint.calls("SetDesiredCapacity");
            assertThat(setCalls).extracting(Call::errorCode).containsExactly("Throttling", "Throttling", null);
            assertThat(endpoint.accepted("SetDesiredCapacity")).as("exactly one SetDesiredCapacity took effect")
                    .singleElement().satisfies(call -> assertThat(call.parameters())
                            .containsEntry("DesiredCapacity", "2"));
            assertThat(desired()).isEqualTo(2);
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(2);
            assertThat(summaries().stream().filter(s -> s.startsWith("Changing the number"))).hasSize(1);
            assertThat(lab.notifications).noneMatch(n -> n.status() == Notification.Status.ERROR);
            System.out.printf("MEASURED SDK retry delays after Throttling (full jitter, base 1s): %d ms, %d ms%n",
                    Duration.between(setCalls.get(0).at(), setCalls.get(1).at()).toMillis(),
                    Duration.between(setCalls.get(1).at(), setCalls.get(2).at()).toMillis());
        }
    }

    @Test
    void aLaunchThatNeverJoinsHitsTheProvisionTimeoutAndTheGroupBacksOff() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(Map.of()), ON_WORKERS, -1);
        endpoint.neverJoinNextLaunches(1);

        try (ScalerRuntime scaler = startScaler(Map.of("NODE_PROVISION_TIMEOUT", "8s", "SCALE_UP_COOLDOWN", "1s"))) {
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
            await().atMost(Duration.ofSeconds(30)).until(() -> desired() == 2);
            assertThat(endpoint.view(WORKER_ASG).lifecycleById().values()).containsExactly("InService", "Pending");

            await().atMost(Duration.ofSeconds(30)).until(() -> lab.notifications.stream().anyMatch(n ->
                    n.status() == Notification.Status.ERROR
                            && n.summary().startsWith("Gave up waiting for worker nodes on aws: 1 of 2 Ready 8s"
                                    + " after the scale-up from 1")
                            && n.summary().endsWith("backing off for 5m")));
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.logLines.stream()
                    .anyMatch(l -> l.contains("worker nodes are in backoff until")));
            TestLab.awaitPasses(scaler, 3);

            assertThat(endpoint.accepted("SetDesiredCapacity")).as("no second scale-up while backing off")
                    .hasSize(1);
            // The instance that never joined is terminated, so the group is not stuck waiting for it.
            assertThat(endpoint.accepted("TerminateInstanceInAutoScalingGroup")).hasSize(1);
            assertThat(desired()).isEqualTo(1);
            assertThat(lab.notifications).anyMatch(n -> n.summary().startsWith("Terminated instance i-")
                    && n.summary().endsWith("which never became a Ready worker node"));
        }
    }

    @Test
    void aFailedScalingActivityIsALaunchFailureAndTheGroupBacksOff() throws Exception {
        String reason = "We currently do not have sufficient t2.micro capacity in the Availability Zone you"
                + " requested (us-east-1a). Launching EC2 instance failed.";
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(Map.of()), ON_WORKERS, -1);
        endpoint.failNextLaunches(1, reason);

        try (ScalerRuntime scaler = startScaler(Map.of("SCALE_UP_COOLDOWN", "1s"))) {
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.notifications.stream().anyMatch(n ->
                    n.status() == Notification.Status.ERROR
                            && n.summary().startsWith("Launching worker nodes on aws failed: scaling activity")
                            && n.summary().contains("Failed: " + reason)
                            && n.summary().endsWith("backing off for 5m")));
            TestLab.awaitPasses(scaler, 3);

            assertThat(endpoint.accepted("SetDesiredCapacity")).hasSize(1);
            assertThat(endpoint.calls("DescribeScalingActivities")).isNotEmpty();
            assertThat(lab.readyNodes(NodeRole.WORKER)).hasSize(1);
        }
    }

    @Test
    void terminateDecrementsTheDesiredCapacityAndStopsThatVeryNode() throws Exception {
        endpoint.setCapacity(WORKER_ASG, 2);
        endpoint.awaitInService(WORKER_ASG, 2, Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
        NodeGroup workers = connect(awsEnvironment(Map.of())).group(NodeRole.WORKER).orElseThrow();
        List<SwarmNode> nodes = lab.readyNodes(NodeRole.WORKER);
        SwarmNode victim = nodes.get(1);
        SwarmNode survivor = nodes.get(0);
        String victimInstance = workers.instanceIdOf(victim).orElseThrow();
        assertThat(workers.instanceIdOf(survivor)).isPresent().isNotEqualTo(java.util.Optional.of(victimInstance));

        workers.terminate(victimInstance);

        assertThat(desired()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> !lab.lab.cluster().workerNodes()
                .contains(victim.hostname()));
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.lab.swarm().nodes().stream()
                .anyMatch(n -> n.id().equals(victim.id()) && !n.ready()));
        assertThat(lab.readyNodes(NodeRole.WORKER)).extracting(SwarmNode::id).containsExactly(survivor.id());
        assertThat(endpoint.view(WORKER_ASG).lifecycleById()).doesNotContainKey(victimInstance);
        assertThat(workers.capacity().desired()).isEqualTo(1);
        assertThat(endpoint.accepted("TerminateInstanceInAutoScalingGroup")).singleElement()
                .satisfies(call -> assertThat(call.parameters()).containsEntry("InstanceId", victimInstance)
                        .containsEntry("ShouldDecrementDesiredCapacity", "true"));
    }

    @Test
    void aScaleDownDrainsTheLeastLoadedWorkerThenTerminatesThatVeryInstance() throws Exception {
        endpoint.setCapacity(WORKER_ASG, 2);
        endpoint.awaitInService(WORKER_ASG, 2, Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
        List<SwarmNode> nodes = lab.readyNodes(NodeRole.WORKER);
        SwarmNode quiet = nodes.get(0);
        SwarmNode busy = nodes.get(1);
        LocalServices.create(lab.docker, "pinned", Map.of(), List.of("node.hostname == " + busy.hostname()), 3);
        LocalServices.create(lab.docker, "anywhere", Map.of(), ON_WORKERS, 2);
        lab.awaitRunning("pinned", 3);
        lab.awaitRunning("anywhere", 2);
        Map<String, String> below = new HashMap<>(workerPolicy(Map.of("com.df.alertIf.1",
                "@node_mem_limit_total_above:0.9")));
        below.putAll(Map.of("com.df.alertName.2", "node_mem_limit_total_below",
                "com.df.alertIf.2", "@node_mem_limit_total_below:0.5", "com.df.alertFor.2", "2s"));
        LocalServices.create(lab.docker, WORKER_EXPORTER, below, ON_WORKERS, -1);
        NodeGroup workers = connect(awsEnvironment(Map.of())).group(NodeRole.WORKER).orElseThrow();
        workers.capacity();
        String quietInstance = workers.instanceIdOf(quiet).orElseThrow();

        try (ScalerRuntime scaler = startScaler(Map.of())) {
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.2);
            await().atMost(Duration.ofSeconds(90)).until(() -> lab.lab.swarm().nodes().stream()
                    .noneMatch(n -> n.id().equals(quiet.id())));
            assertThat(endpoint.accepted("TerminateInstanceInAutoScalingGroup")).singleElement()
                    .satisfies(call -> assertThat(call.parameters()).containsEntry("InstanceId", quietInstance)
                            .containsEntry("ShouldDecrementDesiredCapacity", "true"));
            assertThat(endpoint.calls("SetDesiredCapacity")).as("never lower the capacity and let AWS pick")
                    .isEmpty();
            assertThat(desired()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.runningTasks("pinned").size() == 3
                    && lab.runningTasks("anywhere").size() == 2);
            assertThat(lab.runningTasks("anywhere")).as("every task runs on the worker that stays")
                    .allSatisfy((task, node) -> assertThat(node).isEqualTo(busy.id()));
            assertThat(summaries()).contains("Draining node " + quiet.hostname())
                    .anyMatch(s -> s.equals("Removed node %s and terminated its instance %s"
                            .formatted(quiet.hostname(), quietInstance)));
        }
    }

    /**
     * Three managers in the manager group (the lab's manager and two machines promoted after joining): a scale-down
     * by one would leave two, so it is refused; by two it keeps one reachable manager, so both new managers are
     * demoted, drained, removed and terminated, and the Swarm keeps working.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void theManagerGroupStaysOddAndKeepsQuorumAndManagersAreDemotedBeforeRemoval() throws Exception {
        LocalCluster cluster = lab.lab.cluster();
        endpoint.setLimits(MANAGER_ASG, 1, 5);
        List<String> machines = List.of(cluster.reserveWorker(), cluster.reserveWorker());
        Map<String, String> instanceOf = new HashMap<>();
        try {
            for (String machine : machines) {
                cluster.bootWorker(machine);
                docker("node", "promote", machine);
                // One new manager at a time: two unreachable at once would cost the Swarm its quorum.
                await().atMost(Duration.ofSeconds(60)).until(() -> lab.lab.swarm().nodes().stream()
                        .anyMatch(n -> n.hostname().equals(machine) && n.role() == NodeRole.MANAGER
                                && n.managerReachable()));
                instanceOf.put(machine, endpoint.adoptInstance(MANAGER_ASG, machine, cluster.workerAddress(machine)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.MANAGER).size() == 3
                    && lab.lab.swarm().nodes().stream().filter(n -> n.role() == NodeRole.MANAGER)
                            .allMatch(SwarmNode::managerReachable));
            Map<String, String> labels = new HashMap<>(Map.of(
                    "com.df.alertName.1", "node_mem_limit_total_below",
                    "com.df.alertIf.1", "@node_mem_limit_total_below:0.5",
                    "com.df.alertFor.1", "2s",
                    "com.df.scaleManagerNodeMin", "1"));
            String exporter = LocalServices.create(lab.docker, "exporter_node-exporter-manager", labels,
                    List.of("node.role == manager"), -1);
            lab.lab.exporter().setRatio(NodeRole.MANAGER, 0.1);

            try (ScalerRuntime scaler = startScaler(Map.of())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream().anyMatch(l -> l.contains(
                        "removing 1 would leave an even number of managers (2); managers stay odd to keep Raft"
                                + " quorum")));
                TestLab.awaitPasses(scaler, 3);
                assertThat(lab.readyNodes(NodeRole.MANAGER)).hasSize(3);
                assertThat(endpoint.calls("TerminateInstanceInAutoScalingGroup")).isEmpty();
            }

            docker("service", "update", "--label-add", "com.df.scaleManagerNodeDownBy=2", exporter);
            try (ScalerRuntime scaler = startScaler(Map.of())) {
                await().atMost(Duration.ofSeconds(120)).until(() -> lab.lab.swarm().nodes().stream()
                        .noneMatch(n -> machines.contains(n.hostname())));
                assertThat(lab.readyNodes(NodeRole.MANAGER)).extracting(SwarmNode::hostname)
                        .containsExactly(cluster.managerNode());
                assertThat(endpoint.accepted("TerminateInstanceInAutoScalingGroup"))
                        .extracting(call -> call.parameters().get("InstanceId"))
                        .containsExactlyInAnyOrderElementsOf(instanceOf.values());
                assertThat(summaries()).contains("Draining node " + machines.get(0),
                        "Draining node " + machines.get(1));
                // The remaining manager still leads a working Swarm.
                assertThat(docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}"))
                        .contains(cluster.managerNode() + " Leader");
            }
        } finally {
            for (String machine : machines) {
                if (lab.lab.swarm().nodes().stream().anyMatch(n -> n.hostname().equals(machine))) {
                    tryDocker("node", "demote", machine);
                }
                cluster.removeNode(machine);
                lab.lab.swarm().nodes().stream().filter(n -> n.hostname().equals(machine))
                        .forEach(n -> lab.lab.swarm().removeNode(n.id()));
            }
        }
    }

    /** The docker CLI against the lab's manager. */
    private static String docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker", "-H", lab.lab.cluster().dockerHost()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static void tryDocker(String... args) {
        try {
            docker(args);
        } catch (Exception e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    @Test
    void secretsNeverAppearInLogsOrNotifications() throws Exception {
        LocalServices.create(lab.docker, WORKER_EXPORTER, workerPolicy(Map.of()), ON_WORKERS, -1);
        try (ScalerRuntime scaler = startScaler(Map.of())) {
            endpoint.requireAccessKeyId("AKIAROTATEDAWAY00001"); // the key was revoked while running
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.logLines.stream()
                    .anyMatch(l -> l.contains("AWS rejected the credentials from AWS_ENV_FILE")));
            TestLab.awaitPasses(scaler, 2);
        }
        String everything = String.join("\n", lab.logLines) + "\n" + String.join("\n", summaries());
        assertThat(everything).doesNotContain(KEY_ID).doesNotContain(SECRET);
        assertThat(desired()).isEqualTo(1);
    }
}
