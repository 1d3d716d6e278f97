package io.swarmscaler.controller;

import static io.swarmscaler.controller.local.LocalLab.WORKER_EXPORTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.aws.AwsNodeGroups;
import io.swarmscaler.controller.aws.LocalAutoScalingEndpoint;
import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.local.LocalServices;
import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.state.MemoryCodec;
import io.swarmscaler.controller.state.StateStore;
import io.swarmscaler.controller.state.SwarmLeadership;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.ScalerMemory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scaler's memory and lease in the Swarm's Raft store, on a real local Swarm. */
@LocalSwarmTest(workers = 1)
class SwarmStateIntegrationTest {
    private static final List<String> ON_WORKERS = List.of("node.role == worker");
    /** The action's own log line; every replica's decision log says the same after "policy ...: ". */
    private static final Pattern SCALED = Pattern.compile("INFO:?\\s+Changing the number of worker nodes on local from");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestLab lab;
    private final List<Replica> replicas = new ArrayList<>();

    @BeforeAll
    static void useLab(TestLab shared) {
        lab = shared;
    }

    @AfterEach
    void reset() throws IOException {
        for (Replica replica : replicas) {
            replica.kill();
            System.out.println("--- replica " + replica.id + " log (tail) ---");
            String log = replica.log();
            System.out.println(log.substring(Math.max(0, log.length() - 4000)));
            Files.deleteIfExists(replica.log);
        }
        replicas.clear();
        lab.reset();
        // leave one worker, as the lab started
        while (lab.desiredWorkers() > 1) {
            var extra = lab.readyNodes(NodeRole.WORKER).get(0);
            lab.lab.workers().terminate(lab.lab.workers().instanceIdOf(extra).orElseThrow());
            lab.lab.swarm().removeNode(extra.id());
        }
    }

    /** (f) Thousands of writes change the state service's labels and nothing else in the Swarm. */
    @Test
    void thousandsOfStateWritesChangeNothingElseInTheSwarm() throws Exception {
        LocalServices.create(lab.docker, "bystander", Map.of("com.df.reschedule", "true", "team", "a"), List.of(), 2);
        lab.awaitRunning("bystander", 2);
        String before = everythingButTheState();
        StateStore store = StateStore.swarmService(lab.lab.cluster().dockerHost(), "swarm-scaler-state");
        SwarmLeadership leadership = new SwarmLeadership(store, new SwarmLeadership.Settings("writer",
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)), Clock.systemUTC(),
                System::nanoTime, new ScalerMetrics());
        leadership.tick();
        int writes = 2000;
        ScalerMemory memory = ScalerMemory.empty();
        long started = System.nanoTime();
        for (int i = 0; i < writes; i++) {
            if (i % 2 == 0) {
                memory = typicalMemory(Instant.now());
                leadership.save(memory);
            } else {
                leadership.fence();
            }
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.printf("MEASURED state writes: %d compare-and-swap writes in %d ms (%.1f ms each)%n", writes,
                millis, (double) millis / writes);
        var service = lab.docker.inspectServiceCmd("swarm-scaler-state").exec();
        String stored = service.getSpec().getLabels().get("io.swarmscaler.memory");
        System.out.printf("MEASURED state size: memory label %d bytes, all labels %d bytes (typical memory)%n",
                stored.length(), service.getSpec().getLabels().entrySet().stream()
                        .mapToInt(e -> e.getKey().length() + e.getValue().length()).sum());
        assertThat(MemoryCodec.decode(stored)).isEqualTo(MemoryCodec.decode(MemoryCodec.encode(memory)));
        assertThat(service.getSpec().getMode().getReplicated().getReplicas()).isZero();
        assertThat(lab.docker.listTasksCmd().withServiceFilter("swarm-scaler-state").exec()).isEmpty();
        assertThat(everythingButTheState()).isEqualTo(before);
    }

    /**
     * The lease writes the state service every LEASE_RETRY_PERIOD, and Docker tells of each write as a service
     * event: those are the scaler's own and wake no pass, so a quiet Swarm sees a pass per RECONCILE_INTERVAL.
     */
    @Test
    void theLeasesOwnWritesWakeNoPass() throws Exception {
        Replica replica = Replica.start("quiet", Map.of("RECONCILE_INTERVAL", "10s", "LEASE_RETRY_PERIOD", "1s"));
        replicas.add(replica);
        await().atMost(Duration.ofSeconds(60)).until(replica::leading);
        awaitPasses(List.of(replica), 1);
        long passesBefore = replica.passes();
        double renewalsBefore = replica.renewals();
        await().atMost(Duration.ofSeconds(60)).until(() -> replica.renewals() >= renewalsBefore + 12);
        long passes = replica.passes() - passesBefore;
        System.out.printf("MEASURED passes over 12 lease renewals (interval 10s, renewing every 1s): %d%n", passes);
        // About 12 s at a 10 s interval: one or two timer passes; a pass per renewal would make about 12.
        assertThat(passes).isBetween(1L, 3L);
    }

    /** (a) A restarted daemon still waits out the scale-down cooldown that began before the restart. */
    @Test
    void aRestartedScalerWaitsOutTheCooldownFromBeforeTheRestart() throws Exception {
        Duration cooldown = Duration.ofSeconds(45);
        LocalServices.create(lab.docker, WORKER_EXPORTER, Map.of(
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.alertFor.1", "2s",
                "com.df.alertIf.2", "@node_mem_limit_total_below:0.3", "com.df.alertFor.2", "2s",
                "com.df.scaleWorkerNodeMax", "2"), ON_WORKERS, -1);
        Map<String, String> env = Map.of("SCALE_DOWN_COOLDOWN", cooldown.toSeconds() + "s");
        Instant scaledUp;
        try (ScalerRuntime first = lab.startScalerWithSwarmState(with(env, "REPLICA_ID", "first"))) {
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.desiredWorkers() == 2);
            scaledUp = Instant.now();
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.5);
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
        }
        try (ScalerRuntime second = lab.startScalerWithSwarmState(with(env, "REPLICA_ID", "second"))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> second.reconciler().memory().lastScaleUp().containsKey(NodeRole.WORKER));
            lab.lab.exporter().setRatio(NodeRole.WORKER, 0.1);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> lab.lab.swarm().nodes().stream()
                            .anyMatch(n -> n.labels().containsKey(Planner.DRAINING_LABEL)));
            Duration waited = Duration.between(scaledUp, Instant.now());
            System.out.printf("MEASURED restart: scale-down began %d s after the scale-up (cooldown %d s)%n",
                    waited.toSeconds(), cooldown.toSeconds());
            assertThat(waited).isGreaterThanOrEqualTo(cooldown.minusSeconds(1));
        }
    }

    /**
     * (a) A backoff that began before a restart is still waited out after it. The worker group is an Auto Scaling
     * group of the local endpoint whose instances never become Swarm nodes (a local node boots in about a second, so
     * it cannot miss a provision timeout): the first scale-up times out and the group backs off; the restarted daemon
     * asks for capacity again only once that backoff is over, though its policy holds and its cooldown is long past.
     */
    @Test
    void aRestartedScalerWaitsOutTheBackoffFromBeforeTheRestart() throws Exception {
        Duration backoff = Duration.ofSeconds(40);
        deployUpPolicy(3);
        try (LocalAutoScalingEndpoint endpoint = LocalAutoScalingEndpoint.start(
                LocalAutoScalingEndpoint.paperMachines())) {
            endpoint.addGroup("ssaws-NodeAsg-RESTART", 0, 5);
            Path secret = lab.stateDir().resolve("aws-secret");
            Files.writeString(secret, "export AWS_ACCESS_KEY_ID=AKIARESTARTTEST\nexport AWS_SECRET_ACCESS_KEY=x\n");
            Map<String, String> env = Map.of("NODE_SCALER_BACKEND", "aws", "AWS_WORKER_ASG", "ssaws-NodeAsg-RESTART",
                    "AWS_ENV_FILE", secret.toString(), "AWS_ENDPOINT_URL", endpoint.address().toString(),
                    "PROMETHEUS_ADDRESS", lab.lab.prometheus().address().toString(),
                    "NODE_PROVISION_TIMEOUT", "3s", "SCALE_UP_COOLDOWN", "2s",
                    "FAILED_GROUP_BACKOFF", backoff.toSeconds() + "s");
            Instant backedOff;
            try (AwsNodeGroups groups = AwsNodeGroups.connect(ScalerConfig.fromEnvironment(env).aws());
                    ScalerRuntime first = lab.startScalerWithSwarmState(with(env, "REPLICA_ID", "first"),
                            groups.groups())) {
                lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> first.reconciler().memory().backoff().containsKey(NodeRole.WORKER));
                backedOff = Instant.now();
                // and the instance that never became a node is gone, as the provision timeout wants
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> endpoint.accepted("TerminateInstanceInAutoScalingGroup").size() == 1);
            }
            assertThat(endpoint.accepted("SetDesiredCapacity")).hasSize(1);
            try (AwsNodeGroups groups = AwsNodeGroups.connect(ScalerConfig.fromEnvironment(env).aws());
                    ScalerRuntime second = lab.startScalerWithSwarmState(with(env, "REPLICA_ID", "second"),
                            groups.groups())) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> second.reconciler().memory().backoff().containsKey(NodeRole.WORKER));
                TestLab.awaitPasses(second, 3);
                assertThat(endpoint.accepted("SetDesiredCapacity")).as("within the backoff").hasSize(1);
                await().atMost(backoff.plusSeconds(30))
                        .until(() -> endpoint.accepted("SetDesiredCapacity").size() == 2);
                Duration waited = Duration.between(backedOff, endpoint.accepted("SetDesiredCapacity").get(1).at());
                System.out.printf("MEASURED restart: the next SetDesiredCapacity came %d s after the backoff began"
                        + " before the restart (backoff %d s, scale-up cooldown 2 s)%n", waited.toSeconds(),
                        backoff.toSeconds());
                assertThat(waited).isGreaterThanOrEqualTo(backoff.minusSeconds(1));
            }
        }
    }

    /**
     * (a) Alertmanager's repeat of a request handled before a restart (same group key, alert fingerprint and
     * startsAt) is not acted on again after it, though the scale-up cooldown is over.
     */
    @Test
    void aRestartedScalerDoesNotActOnAnAlertmanagerRepeatHandledBeforeTheRestart() throws Exception {
        String alert = """
                {"version":"4","groupKey":"{}:{alertname=\\"node_mem_limit_total_above\\"}","status":"firing",
                 "receiver":"scaler","groupLabels":{"alertname":"node_mem_limit_total_above","scale":"up"},
                 "commonLabels":{"alertname":"node_mem_limit_total_above","scale":"up","type":"node"},
                 "alerts":[{"status":"firing","fingerprint":"5a1f0c3e9b7d2468","startsAt":"2026-12-01T08:00:00Z",
                  "labels":{"alertname":"node_mem_limit_total_above","scale":"up","type":"node"}}]}""";
        Map<String, String> env = Map.of("SCALE_UP_COOLDOWN", "2s");
        try (ScalerRuntime first = lab.startScalerWithSwarmState(with(env, "REPLICA_ID", "first"))) {
            HttpResponse<String> handled = post(first, alert);
            assertThat(handled.statusCode()).as(handled.body()).isEqualTo(200);
            assertThat(handled.body()).contains("from 1 to 2");
            await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
        }
        try (ScalerRuntime second = lab.startScalerWithSwarmState(with(env, "REPLICA_ID", "second"))) {
            TestLab.awaitPasses(second, 3);
            HttpResponse<String> repeat = post(second, alert);
            System.out.printf("MEASURED restart: Alertmanager's repeat after the restart got %d %s%n",
                    repeat.statusCode(), repeat.body());
            assertThat(repeat.statusCode()).as(repeat.body()).isEqualTo(200);
            assertThat(repeat.body()).contains("Already handled");
            TestLab.awaitPasses(second, 3);
            assertThat(lab.desiredWorkers()).isEqualTo(2);
            assertThat(scaleUpsFrom(2)).isZero();
        }
    }

    /** The worker exporter, with a policy that scales workers up after 1 s over 0.8, to {@code max} workers. */
    private static void deployUpPolicy(int max) {
        LocalServices.create(lab.docker, WORKER_EXPORTER, Map.of(
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.alertFor.1", "1s",
                "com.df.scaleWorkerNodeMax", Integer.toString(max)), ON_WORKERS, -1);
    }

    /** Scale-ups from {@code workers} worker nodes that daemons of this JVM logged. */
    private static long scaleUpsFrom(int workers) {
        return lab.logLines.stream()
                .filter(l -> l.startsWith("Changing the number of worker nodes on local from " + workers + " to"))
                .count();
    }

    private static HttpResponse<String> post(ScalerRuntime scaler, String alertmanagerBody) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scaler.httpPort()
                    + "/v1/scale-nodes?by=1&type=worker")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(alertmanagerBody)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * (b) three replicas, one acts; (c) the leader SIGKILLed, another takes over and acts, honouring the cooldown
     * its predecessor started; (d) that one SIGSTOPped until the third took over and acted, then woken: it does
     * nothing.
     */
    @Test
    void oneOfThreeReplicasActsAndAnotherTakesOverWhenItDiesOrSleeps() throws Exception {
        Duration cooldown = Duration.ofSeconds(25);
        deployUpPolicy(5);
        for (String id : List.of("r1", "r2", "r3")) {
            replicas.add(Replica.start(id, Map.of("SCALE_UP_COOLDOWN", cooldown.toSeconds() + "s")));
        }
        Replica first = awaitLeader(replicas);

        // (b)
        lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.desiredWorkers() == 2);
        Instant firstScaleUp = Instant.now();
        awaitPasses(replicas, 5);
        assertThat(scaleUps(replicas)).as("scale-ups per replica").isEqualTo(only(first, 1));

        // (c)
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
        lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
        long killed = System.nanoTime();
        first.kill();
        List<Replica> survivors = replicas.stream().filter(r -> r != first).toList();
        Replica second = awaitLeader(survivors);
        long takeover = Duration.ofNanos(System.nanoTime() - killed).toMillis();
        await().atMost(Duration.ofSeconds(40)).until(() -> lab.desiredWorkers() == 3);
        Instant secondScaleUp = Instant.now();
        System.out.printf("MEASURED takeover: a replica leads %d ms after the leader was SIGKILLed (lease 15 s,"
                + " retry 2 s); its scale-up came %d s after the first (cooldown %d s)%n", takeover,
                Duration.between(firstScaleUp, secondScaleUp).toSeconds(), cooldown.toSeconds());
        assertThat(takeover).isLessThanOrEqualTo(Duration.ofSeconds(15 + 2 + 1 + 2).toMillis());
        assertThat(Duration.between(firstScaleUp, secondScaleUp)).isGreaterThanOrEqualTo(cooldown.minusSeconds(1));
        assertThat(scaleUps(survivors)).isEqualTo(only(second, 1));

        // (d)
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 3);
        lab.lab.exporter().setFreshNodeRatio(0.9); // the policy goes on holding with a 4th node
        lab.lab.exporter().setRatio(NodeRole.WORKER, 0.9);
        second.signal("STOP");
        Replica third = survivors.stream().filter(r -> r != second).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.desiredWorkers() == 4);
        assertThat(third.leading()).isTrue();
        second.signal("CONT");
        // The sleeper's memory says its cooldown is over and the policy still holds: unfenced, it would add a 5th.
        awaitPasses(List.of(second, third), 10);
        assertThat(lab.desiredWorkers()).isEqualTo(4);
        assertThat(scaleUps(survivors)).isEqualTo(Map.of(second.id, 1, third.id, 1));
        assertThat(second.log()).contains(second.id + " stops acting");
    }

    /** (e) The seed's scale request sent to a follower: handed to the leader through the store, done once. */
    @Test
    void aScaleRequestSentToAFollowerIsCarriedOutOnce() throws Exception {
        for (String id : List.of("f1", "f2")) {
            replicas.add(Replica.start(id, Map.of()));
        }
        Replica leader = awaitLeader(replicas);
        Replica follower = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
        // The follower may not listen yet: until it does, it is not ready.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> follower.send("GET", "/readyz", null).statusCode() == 200);
        assertThat(lab.desiredWorkers()).isEqualTo(1);

        HttpResponse<String> sent = follower.send("POST", "/v1/scale-nodes?by=1&type=worker",
                "{\"groupLabels\":{\"scale\":\"up\"}}");
        assertThat(sent.statusCode()).as(sent.body()).isIn(200, 202);
        // A round trip through the store takes a lease round or two: the answer is usually 202 with the id.
        String id = JSON.readTree(sent.body()).path("id").asText();
        if (sent.statusCode() == 202) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> follower.send("GET", "/v1/requests/" + id, null).statusCode() != 202);
        } else {
            assertThat(sent.body()).contains("from 1 to 2");
        }
        for (Replica replica : id.isEmpty() ? List.<Replica>of() : replicas) {
            HttpResponse<String> outcome = replica.send("GET", "/v1/requests/" + id, null);
            assertThat(outcome.statusCode()).as(replica.id + ": " + outcome.body()).isEqualTo(200);
            assertThat(outcome.body()).contains("from 1 to 2");
        }
        assertThat(lab.desiredWorkers()).isEqualTo(2);
        awaitPasses(replicas, 5);
        assertThat(lab.desiredWorkers()).isEqualTo(2);
        assertThat(scaleUps(replicas)).as("scale-ups per replica").isEqualTo(only(leader, 1));
        assertThat(follower.log()).contains("handed to the leader (" + leader.id + ")");
        // A node left booting at the reset is cleaned up by the next test's replicas at their start, all at once.
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
    }

    /**
     * (g) With the Swarm's only manager unreachable (its dockerd SIGSTOPped) while a policy holds, no replica acts,
     * though both keep running passes and lease rounds; the probes answer all along; once the manager is back, one
     * replica leads again and scales once.
     */
    @Test
    void noReplicaActsWhileTheManagersAreUnreachable() throws Exception {
        deployUpPolicy(3);
        for (String id : List.of("u1", "u2")) {
            replicas.add(Replica.start(id, Map.of()));
        }
        Replica leader = awaitLeader(replicas);
        Replica follower = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
        awaitPasses(replicas, 1); // both started: the follower, too, runs its loop before the managers go away
        Map<Replica, Long> passesBefore = new HashMap<>();
        replicas.forEach(r -> passesBefore.put(r, r.passes()));
        AtomicLong slowestProbe = new AtomicLong();
        long outage;
        long resumed;
        List<String> workers = lab.readyNodes(NodeRole.WORKER).stream().map(n -> n.hostname()).toList();
        try (TestLab.Paused managers = TestLab.pause(lab.lab.cluster().managerDaemonPid())) {
            long stopped = System.nanoTime();
            // By hostname: the exporter cannot list the nodes now (nor can Prometheus scrape it until they are back).
            workers.forEach(host -> lab.lab.exporter().setNodeRatio(host, 0.9));
            // Until the lease is older than its duration for the follower (it would take over now, could it write),
            // the leader has given up, and both ran passes; the probes answer all along.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
                for (Replica r : replicas) {
                    slowestProbe.accumulateAndGet(r.probeMillis("/readyz", 200, 503), Math::max);
                    slowestProbe.accumulateAndGet(r.probeMillis("/v1/ping", 200), Math::max);
                }
                return follower.leaseAgeSeconds() >= 15 && leader.log().contains(leader.id + " stops acting")
                        && replicas.stream().allMatch(r -> r.passes() >= passesBefore.get(r) + 2);
            });
            outage = System.nanoTime() - stopped;
            assertThat(lab.desiredWorkers()).isEqualTo(1);
            assertThat(scaleUps(replicas)).as("scale-ups per replica").isEmpty();
            for (Replica r : replicas) {
                assertThat(r.actions()).as(r.id + "'s scale actions and drain steps").isZero();
                assertThat(r.log()).contains("Cannot reach the scaler's state");
                assertThat(r.send("GET", "/readyz", null).body()).contains("cannot read the scaler's state");
            }
            resumed = System.nanoTime();
        }
        Replica next = awaitLeader(replicas);
        long led = System.nanoTime();
        await().atMost(Duration.ofSeconds(40)).until(() -> lab.desiredWorkers() == 2);
        long scaled = System.nanoTime();
        System.out.printf("MEASURED managers unreachable: %d s with the manager's dockerd stopped, passes %s,"
                + " 0 capacity calls and 0 drains; /readyz and /v1/ping answered within %d ms all along; after"
                + " SIGCONT %s led again in %d ms and scaled once %d ms later%n", outage / 1_000_000_000L,
                replicas.stream().map(r -> r.id + " " + (r.passes() - passesBefore.get(r))).toList(),
                slowestProbe.get(), next.id, (led - resumed) / 1_000_000, (scaled - led) / 1_000_000);
        assertThat(slowestProbe.get()).isLessThan(1000);
        awaitPasses(replicas, 5);
        assertThat(lab.desiredWorkers()).isEqualTo(2);
        assertThat(scaleUps(replicas)).isEqualTo(only(next, 1));
        await().atMost(Duration.ofSeconds(60)).until(() -> lab.readyNodes(NodeRole.WORKER).size() == 2);
    }

    private static Map<String, Integer> only(Replica replica, int count) {
        return Map.of(replica.id, count);
    }

    private static Map<String, Integer> scaleUps(List<Replica> replicas) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (Replica r : replicas) {
            int n = (int) r.log().lines().filter(l -> SCALED.matcher(l).find()).count();
            if (n > 0) {
                counts.put(r.id, n);
            }
        }
        return counts;
    }

    private static Replica awaitLeader(List<Replica> candidates) {
        return await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> candidates.stream().filter(Replica::leading).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    /** Proves each replica ran {@code passes} more reconcile passes. */
    private static void awaitPasses(List<Replica> replicas, int passes) {
        Map<Replica, Long> start = new HashMap<>();
        replicas.forEach(r -> start.put(r, r.passes()));
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas.stream()
                .allMatch(r -> r.passes() >= start.get(r) + passes));
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> all = new HashMap<>(env);
        all.put(key, value);
        return all;
    }

    private static ScalerMemory typicalMemory(Instant now) {
        PolicyId up = new PolicyId(WORKER_EXPORTER, "1");
        PolicyId down = new PolicyId(WORKER_EXPORTER, "2");
        return new ScalerMemory(Map.of(up, now), Map.of(NodeRole.WORKER, now), Map.of(NodeRole.WORKER, now),
                Map.of(NodeRole.WORKER, new ScalerMemory.PendingScaleUp(3, 4, now)), Set.of(up, down),
                Map.of(NodeRole.MANAGER, new ScalerMemory.Backoff(now, Duration.ofMinutes(5), "launch failed")),
                Map.of("scale-nodes/worker/up/alertmanager", now));
    }

    /** Every service but the state, every node and the Swarm's own settings, with their versions. */
    private static String everythingButTheState() throws IOException {
        Map<String, Object> all = new TreeMap<>();
        for (var s : lab.docker.listServicesCmd().exec()) {
            if (!s.getSpec().getName().equals("swarm-scaler-state")) {
                all.put("service " + s.getSpec().getName(), List.of(s.getVersion().getIndex(), s.getSpec()));
            }
        }
        for (var n : lab.docker.listSwarmNodesCmd().exec()) {
            all.put("node " + n.getId(), List.of(n.getVersion().getIndex(), n.getSpec()));
        }
        var swarm = lab.docker.inspectSwarmCmd().exec();
        all.put("swarm", List.of(swarm.getVersion().getIndex(), swarm.getSpec()));
        return JSON.writeValueAsString(all);
    }

    /** A scaler process (ScalerProcessMain) on the lab's cluster. */
    private static final class Replica {
        final String id;
        final Process process;
        final Path log;
        final int port;

        private Replica(String id, Process process, Path log, int port) {
            this.id = id;
            this.process = process;
            this.log = log;
            this.port = port;
        }

        static Replica start(String id, Map<String, String> extra) throws IOException {
            Path log = Files.createTempFile("replica-" + id, ".log");
            int port = TestLab.freePort();
            Map<String, String> env = new java.util.HashMap<>(Map.of("NODE_PROVISION_TIMEOUT", "2m",
                    "LISTEN_PORT", Integer.toString(port), "REPLICA_ID", id));
            env.putAll(extra);
            return new Replica(id, lab.startScalerProcess(log, env), log, port);
        }

        String log() throws IOException {
            return Files.readString(log);
        }

        boolean leading() {
            try {
                JsonNode status = JSON.readTree(get("/status"));
                return status.path("leadership").path("leading").asBoolean();
            } catch (RuntimeException | IOException e) {
                return false;
            }
        }

        /** Passes ended, whatever their outcome; -1 while the replica does not answer. */
        long passes() {
            try {
                return TestLab.passesRun(URI.create("http://127.0.0.1:" + port));
            } catch (Exception e) {
                return -1;
            }
        }

        /** The lease renewals this replica wrote; -1 while it does not answer. */
        double renewals() {
            try {
                return TestLab.metricSum(URI.create("http://127.0.0.1:" + port),
                        "swarm_scaler_state_writes_total{kind=\"renew\"");
            } catch (Exception e) {
                return -1;
            }
        }

        /** How old the lease is as this replica has seen it; -1 when unknown. */
        double leaseAgeSeconds() {
            try {
                return JSON.readTree(get("/status")).path("leadership").path("leaseAgeSeconds").asDouble(-1);
            } catch (RuntimeException | IOException e) {
                return -1;
            }
        }

        /** Scale actions and drain steps this replica took, by its metrics. */
        double actions() throws IOException {
            return get("/metrics").lines().filter(l -> l.startsWith("swarm_scaler_scale_actions_total{")
                            || l.startsWith("swarm_scaler_drain_steps_total{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        }

        /** Milliseconds a GET took; fails unless it answered with one of {@code statuses} within its timeout. */
        long probeMillis(String path, Integer... statuses) throws IOException {
            long started = System.nanoTime();
            HttpResponse<String> reply = send("GET", path, null);
            assertThat(reply.statusCode()).as(id + " " + path + ": " + reply.body()).isIn((Object[]) statuses);
            return (System.nanoTime() - started) / 1_000_000;
        }

        HttpResponse<String> send(String method, String path, String body) throws IOException {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).method(method, body == null
                                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        private String get(String path) throws IOException {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        void signal(String name) {
            TestLab.signal(process.pid(), name);
        }

        void kill() {
            try {
                signal("CONT");
            } catch (RuntimeException ignored) {
                // it may be gone
            }
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
