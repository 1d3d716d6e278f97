package io.swarmscaler.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmscaler.controller.fake.FakeClock;
import io.swarmscaler.controller.fake.FakeMetrics;
import io.swarmscaler.controller.fake.FakeNodeGroup;
import io.swarmscaler.controller.fake.FakeStateStore;
import io.swarmscaler.controller.fake.FakeSwarm;
import io.swarmscaler.controller.observe.Observer;
import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.state.SwarmLeadership;
import io.swarmscaler.controller.fake.RecordingNotifier;
import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.model.Action;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.Plan;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ScalerMemory;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import io.swarmscaler.model.WarmPool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The reconcile tier over stateful fakes of its ports: what a pass does to the node group and the Swarm, what it
 * tells the operator, and what it remembers, including when it must not act (dry run) or its action fails.
 */
class ReconcilerTest {
    /** Above the seed's worker scale-up threshold of 0.8. */
    private static final double BUSY = 0.9;
    /** Below the seed's worker scale-down threshold of 0.05. */
    private static final double IDLE = 0.01;
    /** Between the two: no policy wants anything. */
    private static final double STEADY = 0.5;
    private static final Duration A_PASS_LATER = Duration.ofSeconds(10);

    private final FakeSwarm swarm = new FakeSwarm();
    private final FakeMetrics prometheus = new FakeMetrics(STEADY);
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScaleRequestInbox inbox = new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock);
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final ReconcileListener listener = new ReconcileListener() {
        @Override
        public void scaleAction(String group, String direction, String result) {
            reported.add("scale %s %s %s".formatted(group, direction, result));
        }

        @Override
        public void drainStep(String step, String result) {
            reported.add("step %s %s".formatted(step, result));
        }

        @Override
        public void reschedule(String result, int services) {
            reported.add("reschedule %s %d".formatted(result, services));
        }
    };

    ReconcilerTest() {
        // The seed's worker exporter: memory above 0.8 adds a worker, below 0.05 removes one.
        swarm.addService(new ServiceInfo("svc-exporter", "exporter_node-exporter-worker", Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8",
                "com.df.alertName.2", "node_mem_limit_total_below",
                "com.df.alertIf.2", "@node_mem_limit_total_below:0.05"),
                List.of("node.role == worker"), ServiceInfo.GLOBAL));
        swarm.addService(new ServiceInfo("svc-demo", "demo", Map.of("com.df.reschedule", "true"), List.of(), 2));
    }

    private Reconciler reconciler(FakeNodeGroup workers, boolean dryRun) {
        return new Reconciler(swarm, prometheus, List.of(workers), notifier,
                new PolicyParser(PolicyParser.Settings.defaults()), new Planner(Planner.Settings.defaults()), clock,
                inbox, listener, dryRun);
    }

    private Plan nextPass(Reconciler reconciler) {
        clock.advance(A_PASS_LATER);
        return reconciler.reconcile();
    }

    @Test
    void aScaleUpGrowsTheGroupAndSaysSoInTheSeedsWords() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, false);
        prometheus.set(BUSY);

        reconciler.reconcile();

        assertThat(workers.desiredCapacities()).containsExactly(2);
        assertThat(notifier.sent()).containsExactly(new Notification(Planner.SCALE_NODES_ALERT, "worker",
                Notification.Status.SUCCESS, "Changing the number of worker nodes on fake from 1 to 2",
                notifier.sent().get(0).request()));
        assertThat(reconciler.memory().pending()).containsKey(NodeRole.WORKER);

        prometheus.set(STEADY);
        nextPass(reconciler);

        assertThat(swarm.forceUpdated()).as("the demo service is spread over the new node").containsExactly("svc-demo");
        assertThat(reconciler.memory().pending()).isEmpty();
    }

    @Test
    void aWarmPoolFillsStandsByAndItsNodeIsActivatedByABreachWithItsReplacementAskedFor() {
        swarm.addService(new ServiceInfo("svc-pool", "pool", Map.of("com.df.scaleWorkerNodeWarm", "1"), List.of(), 1));
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, false);

        reconciler.reconcile();
        assertThat(workers.desiredCapacities()).as("the pool refills").containsExactly(2);
        nextPass(reconciler);
        List<SwarmNode> standby = swarm.nodes().stream().filter(WarmPool::isStandby).toList();
        assertThat(standby).as("the node the refill brought stands by").hasSize(1);
        assertThat(standby.get(0).availability()).isEqualTo("drain");
        assertThat(swarm.forceUpdated()).as("nothing to spread over a standby node").isEmpty();

        prometheus.set(BUSY);
        nextPass(reconciler);

        SwarmNode activated = swarm.nodes().stream().filter(n -> n.id().equals(standby.get(0).id())).findFirst()
                .orElseThrow();
        assertThat(activated.active()).isTrue();
        assertThat(activated.labels()).doesNotContainKey(WarmPool.LABEL);
        assertThat(swarm.forceUpdated()).containsExactly("svc-demo");
        assertThat(workers.desiredCapacities()).as("its replacement, in the same pass").containsExactly(2, 3);
        assertThat(reconciler.memory().pending().get(NodeRole.WORKER).standby()).isEqualTo(1);
    }

    @Test
    void pendingTasksGrowTheGroupByTheNodesTheyNeedInOnePassReadingOnlyTheServicesShortOfTasks() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, false);
        reconciler.reconcile();
        assertThat(swarm.taskReads()).as("a steady pass reads no task").isEmpty();
        for (int i = 0; i < 3; i++) {
            // 3 GiB each on nodes of 4 GiB: one new node per task
            swarm.addTask(new TaskInfo("t" + i, "svc-demo", "", true, false, 0, 3L << 30,
                    "no suitable node (insufficient resources on 1 node)", clock.instant()));
        }

        nextPass(reconciler);

        assertThat(workers.desiredCapacities()).containsExactly(4);
        assertThat(swarm.taskReads()).containsExactly("pending of [svc-demo]");
        // what the status and the metrics show of it
        ScalerMetrics metrics = new ScalerMetrics();
        Observer observer = new Observer(reconciler, metrics, clock, new Observer.Settings("fake", false,
                Duration.ofMinutes(2), Planner.Settings.defaults(), Map.of()));
        observer.passEnded(0, null);
        assertThat(statusOf(observer)).containsEntry("pendingTasks", Map.of("for_lack_of_nodes", 3));
        assertThat(statusOf(observer).get("groups")).asList().singleElement().asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("nodesEstimated", 3);
        assertThat(metrics.scrape()).contains("swarm_scaler_pending_tasks{cause=\"for_lack_of_nodes\",} 3.0")
                .contains("swarm_scaler_group_nodes{group=\"worker\",backend=\"fake\",kind=\"estimated\",} 3.0");
    }

    @Test
    void theStatusHistoryCarriesATrendPolicysPredictionBesideItsValue() {
        swarm.addService(new ServiceInfo("svc-trend", "trend", Map.of(
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.scaler.predict.1", "10m"),
                List.of("node.role == worker"), ServiceInfo.GLOBAL));
        prometheus.set(0.5);
        prometheus.setFor("count_over_time", 10_000); // every sample of the lookback: a good fit
        prometheus.setFor("predict_linear", 0.7);
        prometheus.setFor("deriv", 0.9); // the fitted line's R²: a ramp
        Reconciler reconciler = reconciler(new FakeNodeGroup(NodeRole.WORKER, swarm, 1), false);
        reconciler.reconcile();
        Observer observer = new Observer(reconciler, new ScalerMetrics(), clock, new Observer.Settings("fake", false,
                Duration.ofMinutes(2), Planner.Settings.defaults(), Map.of()));
        observer.passEnded(0, null);

        assertThat(statusOf(observer).get("history")).asList().singleElement()
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("values", Map.of("trend#1", 0.5, "exporter_node-exporter-worker#1", 0.5,
                        "exporter_node-exporter-worker#2", 0.5))
                .containsEntry("predicted", Map.of("trend#1", 0.7));
    }

    @Test
    void aBadLabelIsShownInTheStatusWithWhatIsExpected() {
        swarm.addService(new ServiceInfo("svc-bad", "bad", Map.of("com.df.scaleWorkerNodeMax", "many"), List.of(), 1));
        Reconciler reconciler = reconciler(new FakeNodeGroup(NodeRole.WORKER, swarm, 1), false);
        reconciler.reconcile();
        Observer observer = new Observer(reconciler, new ScalerMetrics(), clock, new Observer.Settings("fake", false,
                Duration.ofMinutes(2), Planner.Settings.defaults(), Map.of()));
        observer.passEnded(0, null);

        assertThat(statusOf(observer).get("labelErrors")).asList().singleElement()
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("service", "bad").containsEntry("label", "com.df.scaleWorkerNodeMax")
                .containsEntry("value", "many").containsKeys("expected")
                .hasEntrySatisfying("message", m -> assertThat((String) m).contains("is not valid: expected"));
    }

    @Test
    void aDryRunScaleUpChangesNothingAndLeavesNothingToWaitFor() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, true);
        prometheus.set(BUSY);

        Plan first = reconciler.reconcile();
        ScalerMemory afterFirst = reconciler.memory();
        Plan second = nextPass(reconciler);

        assertThat(scaleUps(first)).containsExactly(new Action.ScaleGroup(NodeRole.WORKER, 1, 2,
                scaleUps(first).get(0).reason()));
        assertThat(scaleUps(second)).as("no cooldown and no wait follow a scale-up that was not done").hasSize(1);
        assertThat(workers.desiredCapacities()).isEmpty();
        assertThat(swarm.nodes()).hasSize(1);
        assertThat(notifier.sent()).as("nobody is paged for a dry run").isEmpty();
        assertThat(reported).containsExactly("scale worker up dry_run", "scale worker up dry_run");
        assertThat(afterFirst.lastScaleUp()).isEmpty();
        assertThat(afterFirst.pending()).isEmpty();
        assertThat(afterFirst.trueSince()).as("what the planner observed is kept").hasSize(1);
    }

    @Test
    void aDryRunDrainLeavesNoScaleDownCooldownSoTheNextPassWantsToDrainAgain() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 2);
        Reconciler reconciler = reconciler(workers, true);
        prometheus.set(IDLE);

        Plan first = reconciler.reconcile();
        ScalerMemory afterFirst = reconciler.memory();
        Plan second = nextPass(reconciler);

        assertThat(drains(first)).hasSize(1);
        assertThat(drains(second)).as("the memory was not advanced by the drain that was not done")
                .isEqualTo(drains(first));
        assertThat(swarm.drained()).isEmpty();
        assertThat(workers.terminated()).isEmpty();
        assertThat(notifier.sent()).isEmpty();
        assertThat(afterFirst.lastScaleDown()).isEmpty();
        assertThat(reconciler.memory().lastScaleDown()).isEmpty();
        assertThat(reconciler.memory().trueSince()).as("the condition keeps holding since the first pass")
                .isEqualTo(afterFirst.trueSince()).hasSize(1);
    }

    @Test
    void aDrainThatFailedLeavesNoScaleDownCooldownSoTheNextPassDrainsAgain() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 2);
        Reconciler reconciler = reconciler(workers, false);
        prometheus.set(IDLE);
        swarm.failNextDrains(1);

        Plan first = reconciler.reconcile();

        assertThat(drains(first)).hasSize(1);
        assertThat(swarm.drained()).isEmpty();
        assertThat(reconciler.memory().lastScaleDown()).as("nothing was drained, so no cooldown").isEmpty();
        assertThat(notifier.sent()).anySatisfy(n -> assertThat(n.status()).isEqualTo(Notification.Status.ERROR));

        Plan second = nextPass(reconciler);

        assertThat(drains(second)).isEqualTo(drains(first));
        assertThat(swarm.drained()).hasSize(1);
        assertThat(reconciler.memory().lastScaleDown()).isNotEmpty();
    }

    @Test
    void aDryRunRequestIsNotRememberedAsHandledSoItsRepeatIsDecidedAgain() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, true);
        prometheus.set(STEADY);

        inbox.submit(upRequest("r1"), "r1");
        reconciler.reconcile();
        inbox.submit(upRequest("r2"), "r2");
        nextPass(reconciler);

        assertThat(reconciler.memory().handledRequests()).isEmpty();
        assertThat(workers.desiredCapacities()).isEmpty();
        assertThat(reported).containsExactly("scale worker up dry_run", "scale worker up dry_run");
    }

    @Test
    void aRefusedScaleUpIsReportedUndoneAndRetriedByTheNextPass() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, false);
        prometheus.set(BUSY);
        workers.failNextChanges(1);

        reconciler.reconcile();

        assertThat(workers.desiredCapacities()).isEmpty();
        assertThat(notifier.sent()).singleElement().satisfies(n -> {
            assertThat(n.status()).isEqualTo(Notification.Status.ERROR);
            assertThat(n.service()).isEqualTo("worker");
            assertThat(n.alertName()).isEqualTo(Planner.SCALE_NODES_ALERT);
        });
        assertThat(reported).containsExactly("scale worker up error");
        assertThat(reconciler.memory().lastScaleUp()).isEmpty();
        assertThat(reconciler.memory().pending()).isEmpty();

        notifier.clear();
        nextPass(reconciler);

        assertThat(workers.desiredCapacities()).containsExactly(2);
        assertThat(swarm.nodes()).hasSize(2);
        assertThat(notifier.sent()).extracting(Notification::status).containsExactly(Notification.Status.SUCCESS);
        assertThat(reported).containsExactly("scale worker up error", "scale worker up success");
    }

    /** A request as Alertmanager repeats it: same key, new id. */
    private ScaleRequest upRequest(String id) {
        return new ScaleRequest(id, "key-1", new ScaleRequest.Nodes(NodeRole.WORKER, 1,
                GroupBounds.defaultsFor(NodeRole.WORKER)), ScaleDirection.UP, clock.instant(), "test request");
    }

    @Test
    void aScaleRequestTakenByAFailedPassIsDecidedByTheNextOne() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, false);
        CompletableFuture<RequestOutcome> outcome = inbox.submit(new ScaleRequest("r1", "key-1", new ScaleRequest.Nodes(
                NodeRole.WORKER, 1, GroupBounds.defaultsFor(NodeRole.WORKER)), ScaleDirection.UP, clock.instant(), "test request"), "r1")
                .orElseThrow().outcome();
        swarm.failNextReads(1);

        assertThatThrownBy(reconciler::reconcile).isInstanceOf(BackendUnavailableException.class);
        assertThat(outcome).isNotDone();
        assertThat(workers.desiredCapacities()).isEmpty();

        nextPass(reconciler);

        assertThat(outcome).isCompleted();
        assertThat(outcome.join().accepted()).isTrue();
        assertThat(workers.desiredCapacities()).containsExactly(2);
    }

    @Test
    void aScaleDownsStepsAreNotifiedUnderTheGroupLikeItsScaleUp() {
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        Reconciler reconciler = reconciler(workers, false);
        prometheus.set(BUSY);
        reconciler.reconcile();
        prometheus.set(STEADY);
        nextPass(reconciler);
        assertThat(swarm.nodes()).hasSize(2);

        clock.advance(Duration.ofMinutes(11)); // past the scale-down cooldown after the scale-up
        prometheus.set(IDLE);
        reconciler.reconcile();
        assertThat(swarm.drained()).hasSize(1);
        String victim = swarm.drained().get(0).id();
        prometheus.set(STEADY);
        nextPass(reconciler);

        assertThat(swarm.removed()).containsExactly(victim);
        assertThat(workers.terminated()).hasSize(1);
        assertThat(reported).contains("step drain success", "step remove success");
        List<Notification> scaling = notifier.sent().stream()
                .filter(n -> n.alertName().equals(Planner.SCALE_NODES_ALERT)).toList();
        assertThat(scaling).hasSizeGreaterThanOrEqualTo(3) // the scale-up, the drain, the removal
                .extracting(Notification::service).containsOnly("worker");
    }

    private static List<Action.ScaleGroup> scaleUps(Plan plan) {
        return plan.actions().stream().filter(Action.ScaleGroup.class::isInstance).map(Action.ScaleGroup.class::cast)
                .toList();
    }

    /** The ids of the nodes a plan drains. */
    private static List<String> drains(Plan plan) {
        return plan.actions().stream().filter(Action.DrainNode.class::isInstance).map(Action.DrainNode.class::cast)
                .map(d -> d.node().id()).toList();
    }

    private SwarmLeadership replica(String id, FakeStateStore store) {
        SwarmLeadership state = new SwarmLeadership(store, new SwarmLeadership.Settings(id, Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofSeconds(2)), clock, System::nanoTime, new ScalerMetrics());
        state.tick();
        return state;
    }

    @Test
    void aRequestSentToAFollowerIsCarriedOutOnceByTheLeaderAndItsRepeatIsNot() {
        FakeStateStore store = new FakeStateStore();
        SwarmLeadership leaderState = replica("leader", store);
        SwarmLeadership followerState = replica("follower", store);
        FakeNodeGroup workers = new FakeNodeGroup(NodeRole.WORKER, swarm, 1);
        ScaleRequestInbox followerInbox = new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock);
        PolicyParser parser = new PolicyParser(PolicyParser.Settings.defaults());
        Planner planner = new Planner(Planner.Settings.defaults());
        Reconciler leader = new Reconciler(swarm, prometheus, List.of(workers), notifier, parser, planner, clock,
                inbox, listener, false, leaderState);
        Reconciler follower = new Reconciler(swarm, prometheus, List.of(workers), notifier, parser, planner, clock,
                followerInbox, listener, false, followerState);
        Runnable roundTrip = () -> {
            follower.reconcile(); // hands it over
            leaderState.tick();
            leader.reconcile(); // plans it, acts, stores the outcome
            followerState.tick();
            follower.reconcile(); // answers from the stored outcome
        };

        var first = followerInbox.submit(upRequest("r1"), "r1").orElseThrow();
        roundTrip.run();

        assertThat(first.outcome()).isCompleted();
        assertThat(first.outcome().join().accepted()).isTrue();
        assertThat(workers.desiredCapacities()).containsExactly(2);
        assertThat(inbox.find("r1")).as("the leader answers GET for it too").get()
                .satisfies(t -> assertThat(t.outcome().join()).isEqualTo(first.outcome().join()));

        clock.advance(Duration.ofMinutes(1)); // Alertmanager's repeat, to the follower again
        var repeat = followerInbox.submit(upRequest("r2"), "r2").orElseThrow();
        roundTrip.run();

        assertThat(repeat.outcome()).isCompleted();
        assertThat(repeat.outcome().join().message()).startsWith("Already handled");
        assertThat(workers.desiredCapacities()).as("one capacity change in all").containsExactly(2);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> statusOf(io.swarmscaler.controller.observe.Observer observer) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(observer.statusJson(), Map.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
