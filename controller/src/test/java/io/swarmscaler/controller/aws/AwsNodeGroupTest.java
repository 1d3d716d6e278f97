package io.swarmscaler.controller.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.fake.FakeClock;
import io.swarmscaler.controller.fake.FakeMetrics;
import io.swarmscaler.controller.fake.FakeSwarm;
import io.swarmscaler.controller.fake.SilentListener;
import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.reconcile.Reconciler;
import io.swarmscaler.controller.reconcile.ScaleRequestInbox;
import io.swarmscaler.model.Instance;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.NodeShape;
import io.swarmscaler.model.Plan;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.TaskInfo;
import io.swarmscaler.model.SwarmNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;

/**
 * The adapter through the real SDK clients against the local Auto Scaling endpoint, its instances paper machines
 * (the integration test gives them real Swarm nodes): what it reads, what it sends, and how it reports failures.
 */
class AwsNodeGroupTest {
    private static final String WORKERS = "unit-NodeAsg-1A2B3C";
    private static final String MANAGERS = "unit-ManagerAsg-4D5E6F";
    /** A worker group with no instance, whose new nodes' size only its launch template tells. */
    private static final String EMPTY = "unit-EmptyAsg-7A8B9C";
    private static final String KEY_ID = "AKIAUNITTEST0KEY0ID1";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYUNITSECRET";
    /** Short delays keep the retry tests fast; the integration test runs the defaults. */
    private static final AwsNodeGroups.RetrySettings FAST = new AwsNodeGroups.RetrySettings(4, Duration.ofMillis(5),
            Duration.ofMillis(20), Duration.ofMillis(200));

    @TempDir
    Path dir;
    /** The groups' clock: the tests move it past the refresh periods. */
    private final FakeClock clock = new FakeClock(Instant.now());
    private LocalAutoScalingEndpoint endpoint;
    private AwsNodeGroups backend;
    private String managerInstance;
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logs.add(record.getMessage() + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void start() {
        Logger.getLogger("").addHandler(logCapture);
        Logger.getLogger("").setLevel(Level.INFO);
        endpoint = LocalAutoScalingEndpoint.start(LocalAutoScalingEndpoint.paperMachines());
        endpoint.addGroup(WORKERS, 0, 3);
        endpoint.addGroup(MANAGERS, 1, 1);
        managerInstance = endpoint.adoptInstance(MANAGERS, "manager1", "198.51.100.2");
        endpoint.setCapacity(WORKERS, 1);
        endpoint.awaitInService(WORKERS, 1, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        Logger.getLogger("").removeHandler(logCapture);
        if (backend != null) {
            backend.close();
        }
        endpoint.close();
    }

    private Path credentialsFile(String keyId, String secret) throws IOException {
        Path file = dir.resolve("aws");
        Files.writeString(file, "\nexport AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n".formatted(keyId,
                secret));
        return file;
    }

    private ScalerConfig.Aws settings(Path envFile, String workerGroup) {
        return new ScalerConfig.Aws(Optional.of(workerGroup), Optional.of(MANAGERS), "us-east-1", envFile,
                Optional.of(endpoint.address()));
    }

    /** Connects as the daemon does, except that the SDK's default chain is one that finds nothing here. */
    private AwsNodeGroups connect(ScalerConfig.Aws settings) {
        backend = AwsNodeGroups.connect(settings, SystemPropertyCredentialsProvider::create, FAST, clock);
        return backend;
    }

    private NodeGroup workers() throws IOException {
        return connect(settings(credentialsFile(KEY_ID, SECRET), WORKERS)).group(NodeRole.WORKER).orElseThrow();
    }

    private static SwarmNode node(String hostname, String address, NodeRole role) {
        return new SwarmNode("node-" + hostname, hostname, address, role, true, "active", role == NodeRole.MANAGER,
                Map.of(), Map.of(), 1_000_000_000L, 1L << 30, Instant.now());
    }

    @Test
    void readsDesiredMinMaxAndInstancesOfBothGroups() throws IOException {
        NodeGroup workers = workers();
        NodeGroup managers = backend.group(NodeRole.MANAGER).orElseThrow();

        NodeGroup.Capacity capacity = workers.capacity();
        assertThat(workers.backend()).isEqualTo("aws");
        assertThat(capacity.desired()).isEqualTo(1);
        assertThat(capacity.min()).isEqualTo(0);
        assertThat(capacity.max()).isEqualTo(3);
        assertThat(capacity.instances()).extracting(Instance::lifecycle).containsExactly(Instance.Lifecycle.IN_SERVICE);
        assertThat(capacity.instances().get(0).id()).matches("i-0[0-9a-f]{16}");
        assertThat(capacity.launchFailure()).isEmpty();
        NodeGroup.Capacity managerCapacity = managers.capacity();
        assertThat(List.of(managerCapacity.desired(), managerCapacity.min(), managerCapacity.max()))
                .containsExactly(1, 1, 1);
        assertThat(managerCapacity.instances()).extracting(Instance::id).containsExactly(managerInstance);
    }

    @Test
    void mapsSwarmNodesToInstancesByPrivateIpOrPrivateDnsName() throws IOException {
        NodeGroup workers = workers();
        NodeGroup managers = backend.group(NodeRole.MANAGER).orElseThrow();
        String workerInstance = workers.capacity().instances().get(0).id();
        String machine = endpoint.view(WORKERS).machineById().get(workerInstance);
        String address = "198.51.100." + machine.substring("paper".length());

        assertThat(workers.instanceIdOf(node(machine, address, NodeRole.WORKER))).contains(workerInstance);
        assertThat(workers.instanceIdOf(node(machine, "0.0.0.0", NodeRole.WORKER))).as("by hostname")
                .contains(workerInstance);
        assertThat(workers.instanceIdOf(node("elsewhere", address, NodeRole.WORKER))).as("by address")
                .contains(workerInstance);
        assertThat(workers.instanceIdOf(node("manager1", "198.51.100.2", NodeRole.MANAGER))).isEmpty();
        assertThat(managers.instanceIdOf(node("manager1", "198.51.100.2", NodeRole.MANAGER))).contains(managerInstance);
        assertThat(workers.instanceIdOf(node("stranger", "198.51.100.99", NodeRole.WORKER))).isEmpty();
        assertThat(workers.instanceIdOf(node(null, null, NodeRole.WORKER))).as("a node still joining").isEmpty();
    }

    @Test
    void aLargeGroupsAddressesAreReadByItsTagInOneCallNotOnePer100Instances() throws IOException {
        endpoint.addGroup("big", 0, 300);
        Map<String, String> addressById = new HashMap<>();
        for (int i = 0; i < 250; i++) {
            String address = "10.0.%d.%d".formatted(i / 200, i % 200 + 1);
            addressById.put(endpoint.adoptInstance("big", "big" + i, address), address);
        }
        String untagged = addressById.keySet().iterator().next();
        endpoint.untag(untagged); // its tag not written yet: found by its id
        endpoint.adoptInstance("big", "big-launching", ""); // tagged, no address yet: not asked for again by id

        NodeGroup big = connect(settings(credentialsFile(KEY_ID, SECRET), "big")).group(NodeRole.WORKER).orElseThrow();

        addressById.forEach((id, address) -> assertThat(big.instanceIdOf(node("x", address, NodeRole.WORKER)))
                .as(address).contains(id));
        assertThat(endpoint.calls("DescribeInstances")).extracting(c -> c.parameters().get("Filter.1.Name"))
                .as("the big group by its tag, then its untagged instance by id, then the manager by id")
                .containsExactly("tag:aws:autoscaling:groupName", "instance-id", "instance-id");
        assertThat(endpoint.calls("DescribeInstances").get(1).parameters()).containsEntry("Filter.1.Value.1",
                untagged).doesNotContainKey("Filter.1.Value.2");
    }

    @Test
    void aNodeOfAnInstanceNeverSeenLaunchingIsFoundOnALaterLook() throws IOException {
        NodeGroup workers = workers();
        endpoint.setCapacity(WORKERS, 2); // launched behind our back, e.g. AWS replacing an unhealthy instance
        endpoint.awaitInService(WORKERS, 2, Duration.ofSeconds(5));
        String newInstance = List.copyOf(endpoint.view(WORKERS).machineById().keySet()).get(1);
        String machine = endpoint.view(WORKERS).machineById().get(newInstance);
        SwarmNode newNode = node(machine, "198.51.100." + machine.substring("paper".length()), NodeRole.WORKER);

        assertThat(workers.instanceIdOf(newNode)).as("looked at the group just now").isEmpty();
        clock.advance(Duration.ofSeconds(16));
        assertThat(workers.instanceIdOf(newNode)).contains(newInstance);
        int reads = endpoint.calls("DescribeAutoScalingGroups").size();
        clock.advance(Duration.ofSeconds(16));
        workers.instanceIdOf(node("manager1", "198.51.100.2", NodeRole.MANAGER));
        assertThat(endpoint.calls("DescribeAutoScalingGroups")).as("a node of the other role is no reason to look")
                .hasSize(reads);
    }

    /** DescribeAutoScalingGroups calls served so far: with the instances, and without them. */
    private record Reads(int full, int light) {
        Reads since(Reads before) {
            return new Reads(full - before.full, light - before.light);
        }
    }

    private Reads reads() {
        return new Reads(endpoint.groupReads(true).size(), endpoint.groupReads(false).size());
    }

    /** A step of a test, on the workers group of two instances in service, read in full on connecting. */
    @FunctionalInterface
    interface Step {
        void run(AwsNodeGroupTest test, NodeGroup workers);
    }

    private static Arguments row(String name, Step change, Step look, int full, int light) {
        return Arguments.of(name, change, look, new Reads(full, light));
    }

    static Stream<Arguments> readsAfterAChange() {
        Step capacity = (t, workers) -> workers.capacity();
        Step strangerNode = (t, workers) -> workers.instanceIdOf(node("stranger", "198.51.100.99", NodeRole.WORKER));
        return Stream.of(
                row("nothing", (t, w) -> {}, capacity, 0, 1),
                row("the desired capacity raised outside the scaler", (t, w) -> {
                    t.endpoint.setCapacity(WORKERS, 3);
                    t.endpoint.awaitInService(WORKERS, 3, Duration.ofSeconds(5));
                }, capacity, 1, 1),
                row("the max changed outside the scaler", (t, w) -> t.endpoint.setLimits(WORKERS, 0, 5), capacity, 1, 1),
                row("the min changed outside the scaler", (t, w) -> t.endpoint.setLimits(WORKERS, 1, 3), capacity, 1, 1),
                row("setDesiredCapacity", (t, w) -> {
                    w.setDesiredCapacity(3);
                    t.endpoint.awaitInService(WORKERS, 3, Duration.ofSeconds(5));
                }, capacity, 1, 0),
                row("terminate", (t, w) -> w.terminate(t.endpoint.view(WORKERS).lifecycleById().keySet().iterator()
                        .next()), capacity, 1, 0),
                row("29 s", (t, w) -> t.clock.advance(Duration.ofSeconds(29)), capacity, 0, 1),
                row("the refresh period, 30 s", (t, w) -> t.clock.advance(Duration.ofSeconds(30)), capacity, 1, 0),
                row("14 s, then a node that matches no instance", (t, w) -> t.clock.advance(Duration.ofSeconds(14)),
                        strangerNode, 0, 0),
                row("16 s, then a node that matches no instance", (t, w) -> t.clock.advance(Duration.ofSeconds(16)),
                        strangerNode, 1, 0));
    }

    @ParameterizedTest(name = "after {0}")
    @MethodSource("readsAfterAChange")
    void aSettledGroupIsReadWithoutItsInstancesUntilSomethingMayHaveChangedThem(String change, Step changeIt,
            Step look, Reads expected) throws IOException {
        endpoint.setCapacity(WORKERS, 2);
        endpoint.awaitInService(WORKERS, 2, Duration.ofSeconds(5));
        NodeGroup workers = workers();
        changeIt.run(this, workers);
        Reads before = reads();

        look.run(this, workers);

        assertThat(reads().since(before)).isEqualTo(expected);
    }

    @Test
    void aLightReadAnswersWithTheInstancesOfTheLastFullReading() throws IOException {
        NodeGroup workers = workers();
        Reads before = reads();

        NodeGroup.Capacity capacity = workers.capacity();

        assertThat(reads().since(before)).as("read lightly").isEqualTo(new Reads(0, 1));
        assertThat(capacity.instances()).extracting(Instance::id)
                .containsExactlyElementsOf(endpoint.view(WORKERS).lifecycleById().keySet());
        assertThat(capacity.instances()).extracting(Instance::lifecycle).containsOnly(Instance.Lifecycle.IN_SERVICE);
        assertThat(List.of(capacity.desired(), capacity.min(), capacity.max())).containsExactly(1, 0, 3);
        assertThat(capacity.launchFailure()).isEmpty();
    }

    @Test
    void aCapacityChangedOutsideTheScalerIsReadInFullInTheSameCall() throws IOException {
        NodeGroup workers = workers();
        endpoint.setCapacity(WORKERS, 2);
        endpoint.awaitInService(WORKERS, 2, Duration.ofSeconds(5));

        NodeGroup.Capacity capacity = workers.capacity();

        assertThat(capacity.desired()).isEqualTo(2);
        assertThat(capacity.instances()).extracting(Instance::id)
                .containsExactlyElementsOf(endpoint.view(WORKERS).lifecycleById().keySet()).hasSize(2);
    }

    @Test
    void aPendingInstanceIsReadInFullUntilItIsInService() throws IOException {
        NodeGroup workers = workers();
        endpoint.neverJoinNextLaunches(1);
        endpoint.setCapacity(WORKERS, 2);
        workers.capacity();

        for (int pass = 0; pass < 2; pass++) {
            Reads before = reads();
            assertThat(workers.capacity().instances()).extracting(Instance::lifecycle)
                    .containsExactly(Instance.Lifecycle.IN_SERVICE, Instance.Lifecycle.PENDING);
            assertThat(reads().since(before)).as("pass %d", pass).isEqualTo(new Reads(1, 0));
        }
        endpoint.releaseHeldLaunches();
        endpoint.awaitInService(WORKERS, 2, Duration.ofSeconds(5));
        Reads before = reads();
        assertThat(workers.capacity().instances()).extracting(Instance::lifecycle)
                .containsOnly(Instance.Lifecycle.IN_SERVICE).hasSize(2);
        assertThat(reads().since(before)).as("the last reading was not settled").isEqualTo(new Reads(1, 0));
        workers.capacity();
        assertThat(reads().since(before)).as("settled now").isEqualTo(new Reads(1, 1));
    }

    @Test
    void scalesUpWithSetDesiredCapacityOnlyAndNeverTouchesMinOrMax() throws IOException {
        NodeGroup workers = workers();
        workers.setDesiredCapacity(2);

        endpoint.awaitInService(WORKERS, 2, Duration.ofSeconds(5));
        assertThat(endpoint.accepted("SetDesiredCapacity")).singleElement().satisfies(call -> assertThat(
                call.parameters()).containsEntry("AutoScalingGroupName", WORKERS).containsEntry("DesiredCapacity", "2")
                .containsEntry("HonorCooldown", "false"));
        assertThat(endpoint.calls()).extracting(LocalAutoScalingEndpoint.Call::action)
                .doesNotContain("UpdateAutoScalingGroup");
        assertThat(workers.capacity().instances()).hasSize(2);
        assertThat(endpoint.view(WORKERS).min()).isEqualTo(0);
        assertThat(endpoint.view(WORKERS).max()).isEqualTo(3);
    }

    @Test
    void instancesLaunchingArePendingAndInstancesLeavingAreNotCapacity() throws IOException {
        NodeGroup workers = workers();
        endpoint.neverJoinNextLaunches(1);
        workers.setDesiredCapacity(2);

        List<Instance> instances = workers.capacity().instances();
        assertThat(instances).extracting(Instance::lifecycle)
                .containsExactly(Instance.Lifecycle.IN_SERVICE, Instance.Lifecycle.PENDING);
        assertThat(workers.capacity().launchFailure()).as("a slow launch has not failed").isEmpty();

        workers.terminate(instances.get(1).id());
        NodeGroup.Capacity after = workers.capacity();
        assertThat(after.desired()).isEqualTo(1);
        assertThat(after.instances().stream().filter(Instance::countsAsCapacity)).extracting(Instance::id)
                .containsExactly(instances.get(0).id());
    }

    static Stream<Arguments> lifecycles() {
        return Stream.of(
                Arguments.of("Pending", Instance.Lifecycle.PENDING),
                Arguments.of("Pending:Wait", Instance.Lifecycle.PENDING),
                Arguments.of("Pending:Proceed", Instance.Lifecycle.PENDING),
                Arguments.of("Quarantined", Instance.Lifecycle.PENDING),
                Arguments.of("InService", Instance.Lifecycle.IN_SERVICE),
                Arguments.of("Terminating", Instance.Lifecycle.TERMINATING),
                Arguments.of("Terminating:Wait", Instance.Lifecycle.TERMINATING),
                Arguments.of("Terminating:Proceed", Instance.Lifecycle.TERMINATING),
                Arguments.of("Terminated", Instance.Lifecycle.TERMINATING),
                Arguments.of("Detaching", Instance.Lifecycle.TERMINATING),
                Arguments.of("Standby", Instance.Lifecycle.TERMINATING));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @MethodSource("lifecycles")
    void lifecycleStates(String awsState, Instance.Lifecycle expected) {
        assertThat(AwsNodeGroup.lifecycle(awsState)).isEqualTo(expected);
    }

    @Test
    void aCapacityBeyondMaxIsRefusedByAwsWithItsReason() throws IOException {
        NodeGroup workers = workers();
        assertThatThrownBy(() -> workers.setDesiredCapacity(4))
                .isInstanceOf(AwsRequestRejectedException.class)
                .hasMessageContaining("autoscaling:SetDesiredCapacity on Auto Scaling group " + WORKERS)
                .hasMessageContaining("ValidationError New SetDesiredCapacity value 4 is above max value 3");
        assertThat(endpoint.view(WORKERS).desired()).isEqualTo(1);
    }

    @Test
    void neverLowersTheDesiredCapacityLettingAwsPickTheVictim() throws IOException {
        NodeGroup workers = workers();
        assertThatThrownBy(() -> workers.setDesiredCapacity(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only by terminating a drained instance");
        assertThat(endpoint.calls("SetDesiredCapacity")).isEmpty();
    }

    @Test
    void throttlingAndServerErrorsAreRetriedAndTheChangeHappensOnce() throws IOException {
        NodeGroup workers = workers();
        endpoint.throttle("SetDesiredCapacity", 2);
        endpoint.failWithServerError("DescribeAutoScalingGroups", 1);
        endpoint.throttle("DescribeInstances", 1);

        workers.setDesiredCapacity(2);
        endpoint.awaitInService(WORKERS, 2, Duration.ofSeconds(5));
        NodeGroup.Capacity capacity = workers.capacity();

        assertThat(endpoint.calls("SetDesiredCapacity")).extracting(LocalAutoScalingEndpoint.Call::errorCode)
                .containsExactly("Throttling", "Throttling", null);
        assertThat(endpoint.accepted("SetDesiredCapacity")).hasSize(1);
        assertThat(capacity.desired()).isEqualTo(2);
        assertThat(capacity.instances()).hasSize(2);
        assertThat(endpoint.calls("DescribeInstances")).extracting(LocalAutoScalingEndpoint.Call::errorCode)
                .contains("RequestLimitExceeded");
    }

    @Test
    void retriesThatRunOutGiveATypedUnavailableError() throws IOException {
        NodeGroup workers = workers();
        endpoint.throttle("DescribeAutoScalingGroups", 4);
        int before = endpoint.calls("DescribeAutoScalingGroups").size();

        assertThatThrownBy(workers::capacity)
                .isInstanceOf(AwsUnavailableException.class)
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("autoscaling:DescribeAutoScalingGroups on Auto Scaling group " + WORKERS)
                .hasMessageContaining("did not succeed after 4 attempts: Throttling Rate exceeded (HTTP 400");
        assertThat(endpoint.calls("DescribeAutoScalingGroups")).hasSize(before + 4);

        endpoint.failWithServerError("SetDesiredCapacity", 4);
        assertThatThrownBy(() -> workers.setDesiredCapacity(2))
                .isInstanceOf(AwsUnavailableException.class)
                .hasMessageContaining("InternalFailure").hasMessageContaining("HTTP 500");
    }

    @Test
    void anUnreachableEndpointIsUnavailableNotFatal() throws IOException {
        NodeGroup workers = workers();
        endpoint.close();
        assertThatThrownBy(workers::capacity)
                .isInstanceOf(AwsUnavailableException.class)
                .hasMessageContaining("cannot reach AWS for autoscaling:DescribeAutoScalingGroups");
    }

    @Test
    void aFailedScalingActivityIsTheLaunchFailure() throws IOException {
        NodeGroup workers = workers();
        String reason = "We currently do not have sufficient t2.micro capacity in the Availability Zone you"
                + " requested (us-east-1a).";
        endpoint.failNextLaunches(1, reason);

        workers.setDesiredCapacity(2);
        NodeGroup.Capacity capacity = workers.capacity();

        assertThat(capacity.desired()).isEqualTo(2);
        assertThat(capacity.instances()).hasSize(1);
        assertThat(capacity.launchFailure()).hasValueSatisfying(text -> assertThat(text)
                .startsWith("scaling activity ").contains("Failed: " + reason));
    }

    @Test
    void terminateDecrementsTheDesiredCapacityAndAnInstanceAlreadyGoneIsFine() throws IOException {
        endpoint.setCapacity(WORKERS, 2);
        endpoint.awaitInService(WORKERS, 2, Duration.ofSeconds(5));
        NodeGroup workers = workers();
        String victim = workers.capacity().instances().get(1).id();

        workers.terminate(victim);
        assertThat(endpoint.accepted("TerminateInstanceInAutoScalingGroup")).singleElement()
                .satisfies(call -> assertThat(call.parameters()).containsEntry("InstanceId", victim)
                        .containsEntry("ShouldDecrementDesiredCapacity", "true"));
        assertThat(workers.capacity().desired()).isEqualTo(1);

        workers.terminate(victim); // a retry after a lost reply
        workers.terminate("i-0000000000000dead");
        assertThat(workers.capacity().desired()).as("never decremented twice").isEqualTo(1);
    }

    @Test
    void rejectedCredentialsStopStartUpNamingWhatToSetWithoutEchoingThem() throws IOException {
        endpoint.requireAccessKeyId("AKIAANOTHERKEY000001");
        Path file = credentialsFile(KEY_ID, SECRET);

        assertThatThrownBy(() -> connect(settings(file, WORKERS)))
                .isInstanceOf(AwsConfigurationException.class)
                .hasMessageContaining("AWS rejected the credentials from AWS_ENV_FILE " + file)
                .hasMessageContaining("InvalidClientTokenId")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_ID).doesNotContain(SECRET));
        assertThat(String.join("\n", logs)).doesNotContain(KEY_ID).doesNotContain(SECRET);
    }

    @Test
    void rejectedCredentialsLaterAreAConfigurationErrorToo() throws IOException {
        NodeGroup workers = workers();
        endpoint.requireAccessKeyId("AKIAANOTHERKEY000001");
        assertThatThrownBy(() -> workers.setDesiredCapacity(2))
                .isInstanceOf(AwsConfigurationException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_ID).doesNotContain(SECRET));
    }

    @Test
    void missingCredentialsNameTheSecretFileAndTheSdkChain() {
        Path absent = dir.resolve("no-such-secret");
        assertThatThrownBy(() -> connect(settings(absent, WORKERS)))
                .isInstanceOf(AwsConfigurationException.class)
                .hasMessageContaining("no AWS credentials: AWS_ENV_FILE " + absent + " does not exist")
                .hasMessageContaining("Docker secret aws")
                .hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasNoCause();
    }

    @Test
    void credentialsFromTheSdkChainThatAwsRejectsSayWhereTheyCameFrom() {
        String chainKeyId = "AKIAFROMTHESDKCHAIN1";
        String chainSecret = "chain/Secret+Value0From0System0Properties";
        endpoint.requireAccessKeyId(KEY_ID);
        System.setProperty("aws.accessKeyId", chainKeyId);
        System.setProperty("aws.secretAccessKey", chainSecret);
        try {
            Path absent = dir.resolve("no-such-secret");
            assertThatThrownBy(() -> connect(settings(absent, WORKERS)))
                    .isInstanceOf(AwsConfigurationException.class)
                    .hasMessageContaining("AWS rejected the credentials from the SDK's default credentials chain"
                            + " (AWS_ENV_FILE " + absent + " does not exist)")
                    .hasMessageContaining("InvalidClientTokenId")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(chainKeyId).doesNotContain(chainSecret));
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void aSecretFileWithoutTheSecretKeyOrWithABadLineIsRejectedBeforeAnyCall() throws IOException {
        Path file = dir.resolve("aws");
        Files.writeString(file, "export AWS_ACCESS_KEY_ID=" + KEY_ID + "\n");
        assertThatThrownBy(() -> connect(settings(file, WORKERS)))
                .isInstanceOf(AwsConfigurationException.class)
                .hasMessageContaining("AWS_ENV_FILE " + file + " sets no AWS_SECRET_ACCESS_KEY")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_ID));

        Files.writeString(file, "export AWS_ACCESS_KEY_ID=" + KEY_ID + "\r\nexport AWS_SECRET_ACCESS_KEY='" + SECRET
                + "\r\n");
        assertThatThrownBy(() -> connect(settings(file, WORKERS)))
                .isInstanceOf(AwsConfigurationException.class)
                .hasMessageContaining("line 2 (AWS_SECRET_ACCESS_KEY): the single quote is not closed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_ID).doesNotContain(SECRET));
        assertThat(endpoint.calls()).isEmpty();
    }

    @Test
    void anUnknownGroupNamesItsVariable() throws IOException {
        Path file = credentialsFile(KEY_ID, SECRET);
        assertThatThrownBy(() -> connect(settings(file, "no-such-group")))
                .isInstanceOf(AwsConfigurationException.class)
                .hasMessageContaining("AWS_WORKER_ASG=no-such-group: there is no Auto Scaling group of that name in"
                        + " us-east-1");
    }

    @Test
    void aMissingPermissionNamesTheIamAction() throws IOException {
        NodeGroup workers = workers();
        endpoint.deny("SetDesiredCapacity", 1);
        assertThatThrownBy(() -> workers.setDesiredCapacity(2))
                .isInstanceOf(AwsConfigurationException.class)
                .hasMessageContaining("AWS denied autoscaling:SetDesiredCapacity on Auto Scaling group " + WORKERS)
                .hasMessageContaining("grant the IAM permission autoscaling:SetDesiredCapacity");
    }

    @Test
    void endpointOverrideIsUsedForBothServices() throws IOException {
        workers().capacity();
        assertThat(endpoint.calls()).extracting(LocalAutoScalingEndpoint.Call::action)
                .contains("DescribeAutoScalingGroups", "DescribeInstances");
        assertThat(URI.create(endpoint.address().toString()).getHost()).isEqualTo("127.0.0.1");
    }

    /** The {@link #EMPTY} group, launching {@code instanceType} from its launch template. */
    private NodeGroup emptyGroupLaunching(String instanceType) throws IOException {
        endpoint.addGroup(EMPTY, 0, 3);
        endpoint.useLaunchTemplate(EMPTY, "swarm-workers", instanceType);
        return connect(settings(credentialsFile(KEY_ID, SECRET), EMPTY)).group(NodeRole.WORKER).orElseThrow();
    }

    @Test
    void anEmptyGroupsNewNodeHasTheSizeOfItsLaunchTemplatesInstanceTypeAskedOncePerType() throws IOException {
        NodeGroup empty = emptyGroupLaunching("m5.large");

        int templateReads = endpoint.accepted("DescribeLaunchTemplateVersions").size();

        assertThat(empty.capacity().launchShape()).as("the group's last full reading")
                .contains(new NodeShape(2_000_000_000L, 8192L << 20));
        assertThat(endpoint.accepted("DescribeLaunchTemplateVersions")).hasSize(templateReads);
        clock.advance(Duration.ofSeconds(30));
        assertThat(empty.capacity().launchShape()).as("the instance type from the cache").isPresent();

        assertThat(endpoint.accepted("DescribeInstanceTypes")).as("once per instance type").hasSize(1);
        assertThat(endpoint.accepted("DescribeLaunchTemplateVersions")).as("the template's default may change")
                .hasSize(templateReads + 1);
    }

    @Test
    void anEmptyGroupWithALaunchConfigurationHasTheSizeOfItsInstanceType() throws IOException {
        endpoint.addGroup(EMPTY, 0, 3);
        endpoint.setLaunchConfigurationType(EMPTY, "r5.large");
        NodeGroup empty = connect(settings(credentialsFile(KEY_ID, SECRET), EMPTY)).group(NodeRole.WORKER)
                .orElseThrow();

        assertThat(empty.capacity().launchShape()).contains(new NodeShape(2_000_000_000L, 16384L << 20));
        assertThat(endpoint.accepted("DescribeLaunchConfigurations")).isNotEmpty();
    }

    @Test
    void aGroupWithANodeInServiceAsksNothingOfItsInstanceType() throws IOException {
        assertThat(workers().capacity().launchShape()).isEmpty();
        assertThat(endpoint.calls()).extracting(LocalAutoScalingEndpoint.Call::action)
                .doesNotContain("DescribeInstanceTypes", "DescribeLaunchConfigurations");
    }

    @Test
    void withoutThePermissionTheShapeIsUnknownOnceSaidAndTheLabelDecides() throws IOException {
        endpoint.deny("DescribeInstanceTypes", 3); // its first look at the group, on connecting, is denied too
        NodeGroup empty = emptyGroupLaunching("m5.large");

        assertThat(empty.capacity().launchShape()).isEmpty();
        assertThat(empty.capacity().launchShape()).isEmpty();
        assertThat(logs.stream().filter(l -> l.contains("Cannot tell the size of a new node"))).singleElement()
                .asString().contains("ec2:DescribeInstanceTypes");
        assertThat(empty.capacity().launchShape()).as("granted since").isPresent();
    }

    @Test
    void aGroupWhoseShapeIsUnknownIsToldOnceWhileAnotherGroupsShapeIsKnown() throws IOException {
        String unknownType = "unit-EmptyManagers-1D2E3F";
        endpoint.addGroup(EMPTY, 0, 3);
        endpoint.useLaunchTemplate(EMPTY, "swarm-workers", "m5.large");
        endpoint.addGroup(unknownType, 0, 3);
        endpoint.useLaunchTemplate(unknownType, "swarm-managers", "x9.nonexistent");
        AwsNodeGroups both = connect(new ScalerConfig.Aws(Optional.of(EMPTY), Optional.of(unknownType), "us-east-1",
                credentialsFile(KEY_ID, SECRET), Optional.of(endpoint.address())));

        for (int pass = 0; pass < 3; pass++) {
            assertThat(both.group(NodeRole.WORKER).orElseThrow().capacity().launchShape()).isPresent();
            assertThat(both.group(NodeRole.MANAGER).orElseThrow().capacity().launchShape()).isEmpty();
        }

        assertThat(logs.stream().filter(l -> l.contains("Cannot tell the size of a new node"))).singleElement()
                .asString().contains(unknownType).contains("x9.nonexistent");
    }

    /**
     * The whole way: tasks pending on an empty aws group are sized against its instance type. 5 GiB each on
     * m5.large nodes of 8 GiB: one node per task, so three; on the t2.micro of its launch configuration before,
     * none would fit, and nothing would be asked.
     */
    @Test
    void pendingTasksOnAnEmptyGroupAreEstimatedWithTheInstanceTypesMemory() throws IOException {
        NodeGroup empty = emptyGroupLaunching("m5.large");
        FakeSwarm swarm = new FakeSwarm();
        swarm.addService(new ServiceInfo("svc-big", "big", Map.of(), List.of(), 3));
        for (int i = 0; i < 3; i++) {
            swarm.addTask(new TaskInfo("t" + i, "svc-big", "", true, false, 0, 5L << 30,
                    "no suitable node (insufficient resources on 1 node)", clock.instant()));
        }
        Reconciler reconciler = new Reconciler(swarm, new FakeMetrics(0.5), List.of(empty), message -> {},
                new PolicyParser(PolicyParser.Settings.defaults()), new Planner(Planner.Settings.defaults()), clock,
                new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock), new SilentListener(), false);
        clock.advance(Planner.Settings.defaults().pendingTaskDelay().plusSeconds(1));

        Plan plan = reconciler.reconcile();

        assertThat(plan.capacity().nodesEstimated()).containsEntry(NodeRole.WORKER, 3);
        assertThat(endpoint.view(EMPTY).desired()).isEqualTo(3);
    }
}
