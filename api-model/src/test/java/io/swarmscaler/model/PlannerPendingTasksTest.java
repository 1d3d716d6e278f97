package io.swarmscaler.model;

import static io.swarmscaler.model.PlannerScaleDownTest.QUIET;
import static io.swarmscaler.model.PlannerScaleDownTest.at;
import static io.swarmscaler.model.PlannerScaleDownTest.cluster;
import static io.swarmscaler.model.PlannerScaleDownTest.down;
import static io.swarmscaler.model.PlannerTest.ID2;
import static io.swarmscaler.model.PlannerTest.T0;
import static io.swarmscaler.model.PlannerTest.decides;
import static io.swarmscaler.model.PlannerTest.noNotify;
import static io.swarmscaler.model.PlannerTest.noScale;
import static io.swarmscaler.model.PlannerTest.notifies;
import static io.swarmscaler.model.PlannerTest.scales;
import static io.swarmscaler.model.PlannerTest.scenario;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Action.DrainNode;
import io.swarmscaler.model.Notification.Status;
import io.swarmscaler.model.Observation.PendingTasks;
import io.swarmscaler.model.PlannerScaleDownTest.Cluster;
import io.swarmscaler.model.PlannerTest.Expect;
import io.swarmscaler.model.PlannerTest.Scenario;
import io.swarmscaler.model.Refusal.Cooldown;
import io.swarmscaler.model.Refusal.Joining;
import io.swarmscaler.model.Refusal.NoNewNodeAllowed;
import io.swarmscaler.model.Refusal.NoShape;
import io.swarmscaler.model.Refusal.NotForLackOfNodes;
import io.swarmscaler.model.Refusal.TooBigForNewNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pending tasks bring the nodes they need in one step, as {@link PlannerTest}'s multi-cycle scenarios: the bin-packing
 * estimate over mixed sizes, constraints, the maximum, nodes on their way, and the tasks no new node would cure.
 * {@link PlannerScaleDownTest.Cluster}'s nodes offer 2 CPUs and 4 GiB; the delay is 10 s; the worker maximum 5.
 */
class PlannerPendingTasksTest {
    static final String ROOM = "no suitable node (insufficient resources on 1 node)";
    static final String CONSTRAINTS = "no suitable node (scheduling constraints not satisfied on 1 node)";
    /** A task pending for a minute: past the delay. */
    static final Instant LONG_AGO = T0.minusSeconds(60);
    static final NodeShape WORKER_SHAPE = new NodeShape(2_000_000_000L, 4L << 30);
    static final Duration DELAY = Duration.ofSeconds(10);

    static PendingTasks seen(NodeRole role, int tasks, int nodes) {
        return new PendingTasks(role, tasks, DELAY, nodes, WORKER_SHAPE);
    }

    static Expect estimates(NodeRole role, int nodes) {
        return plan -> assertThat(plan.capacity().nodesEstimated()).as("nodes estimated").containsEntry(role, nodes);
    }

    static Expect counts(String cause, int tasks) {
        return plan -> assertThat(plan.capacity().pendingTasks()).as("pending tasks by cause").containsEntry(cause, tasks);
    }

    static Expect wakesAt(Instant at) {
        return plan -> assertThat(plan.wakeAt()).as("next pass").contains(at);
    }

    /** A worker group asked for {@code desired} nodes, {@code ready} of them Ready. */
    static Cluster workers(int desired, int ready) {
        return cluster().group(NodeRole.WORKER, desired, ready, 0, Optional.empty());
    }

    /** Pending for lack of room for a minute. */
    static Cluster roomy(Cluster cluster, String service, int count, double cpus, long memoryMiB) {
        for (int i = 0; i < count; i++) {
            cluster.pending(service, cpus, memoryMiB, ROOM, LONG_AGO);
        }
        return cluster;
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(
                scenario("mixed sizes: three 3 GiB and two 1 GiB tasks pack onto three new nodes")
                        .at(0, roomy(roomy(cluster().workers(1), "web", 3, 0.5, 3072), "api", 2, 1, 1024).state(),
                                scales(NodeRole.WORKER, 1, 4), estimates(NodeRole.WORKER, 3),
                                counts(PendingTaskRule.COUNTED, 5), decides(seen(NodeRole.WORKER, 5, 3))),
                scenario("CPU bound: four tasks of 1.5 CPU need four nodes, whatever their memory")
                        .at(0, roomy(cluster().workers(1), "cpu", 4, 1.5, 64).state(), scales(NodeRole.WORKER, 1, 5),
                                estimates(NodeRole.WORKER, 4)),
                scenario("small tasks share: eight tasks of 0.25 CPU and 512 MiB fit on one new node")
                        .at(0, roomy(cluster().workers(2), "small", 8, 0.25, 512).state(),
                                scales(NodeRole.WORKER, 2, 3), estimates(NodeRole.WORKER, 1)),
                scenario("max bound: six nodes needed, the group stops at its maximum of 5")
                        .at(0, roomy(cluster().workers(2), "web", 6, 0.5, 3072).state(), scales(NodeRole.WORKER, 2, 5),
                                estimates(NodeRole.WORKER, 6)),
                scenario("at max: the want is refused with the maximum")
                        .at(0, roomy(cluster().workers(5), "web", 1, 0.5, 3072).state(), noScale(),
                                decides(new Refusal.AtMax(NodeRole.WORKER, "aws", 5))),
                scenario("constraints: a label every worker carries counts for the worker group")
                        .at(0, cluster().workers(2).label("worker-0", "zone", "b").label("worker-1", "zone", "b")
                                        .service("zoned", 1, "node.labels.zone==b")
                                        .pending("zoned", 0, 0, CONSTRAINTS, LONG_AGO).state(),
                                scales(NodeRole.WORKER, 2, 3)),
                scenario("constraints: a label only one worker carries, set by hand, no new node has")
                        .at(0, cluster().workers(2).label("worker-0", "zone", "b").service("zoned", 1,
                                        "node.labels.zone==b").pending("zoned", 0, 0, CONSTRAINTS, LONG_AGO).state(),
                                noScale(), decides(new NoNewNodeAllowed("zoned", List.of("node.labels.zone==b")))),
                scenario("constraints: node.role==manager counts for the manager group")
                        .at(0, cluster().workers(1).managers(3).service("ctl", 1, "node.role==manager")
                                        .pending("ctl", 1, 1024, ROOM, LONG_AGO).state(),
                                scales(NodeRole.MANAGER, 3, 4), noScaleOf(NodeRole.WORKER)),
                scenario("hostname pinned: no new node has that hostname; told once, no scale-up")
                        .at(0, cluster().workers(2).service("pinned", 1, "node.hostname==worker-0")
                                        .pending("pinned", 0.5, 512, CONSTRAINTS, LONG_AGO).state(), noScale(),
                                decides(new NoNewNodeAllowed("pinned", List.of("node.hostname==worker-0"))),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "node.hostname==worker-0"),
                                counts("no_new_node_allowed", 1))
                        .at(30, cluster().workers(2).service("pinned", 1, "node.hostname==worker-0")
                                        .pending("pinned", 0.5, 512, CONSTRAINTS, LONG_AGO).state(), noScale(),
                                noNotify(), decides(new NoNewNodeAllowed("pinned",
                                        List.of("node.hostname==worker-0")))),
                scenario("too big: 8 GiB fits no new 4 GiB node; told once, no scale-up")
                        .at(0, roomy(cluster().workers(2), "huge", 1, 1, 8192).state(), noScale(),
                                decides(new TooBigForNewNode("huge", 1_000_000_000L, 8L << 30)),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "8192 MiB"),
                                counts("too_big_for_new_node", 1))
                        .at(30, roomy(cluster().workers(2), "huge", 1, 1, 8192).state(), noNotify()),
                scenario("too big beside fitting tasks: only the fitting ones count")
                        .at(0, roomy(roomy(cluster().workers(1), "huge", 1, 1, 8192), "web", 2, 0.5, 3072).state(),
                                scales(NodeRole.WORKER, 1, 3), estimates(NodeRole.WORKER, 2),
                                decides(new TooBigForNewNode("huge", 1_000_000_000L, 8L << 30))),
                scenario("another cause: max replicas per node is no reason to scale")
                        .at(0, cluster().workers(2).pending("web", 0, 0,
                                        "no suitable node (max replicas per node limit exceed)", LONG_AGO).state(),
                                noScale(), decides(new NotForLackOfNodes("web",
                                        "no suitable node (max replicas per node limit exceed)"))),
                scenario("within the delay: a task pending 5 s waits, and the pass comes back when the delay ends")
                        .at(0, cluster().workers(1).pending("web", 0.5, 3072, ROOM, T0.minusSeconds(5)).state(),
                                noScale(), counts(PendingTaskRule.NOT_YET, 1), wakesAt(T0.plusSeconds(5))),
                scenario("a node joined 5 s ago: the scheduler gets the delay to use it first")
                        .at(0, roomy(cluster().workers(2), "web", 2, 0.5, 3072).created("worker-1",
                                T0.minusSeconds(5)).state(), noScale(), wakesAt(T0.plusSeconds(5))),
                scenario("nodes on their way: the tasks wait for them, not counted again")
                        .at(0, roomy(workers(3, 2), "web", 2,
                                0.5, 3072).state(), noScale(), decides(new Joining(NodeRole.WORKER, 1))),
                scenario("one step: after the scale-up, the same tasks are not counted again")
                        .at(0, roomy(cluster().workers(1), "web", 2, 0.5, 3072).state(), scales(NodeRole.WORKER, 1, 3))
                        .at(20, roomy(workers(3, 1), "web", 2,
                                0.5, 3072).state(), noScale(), decides(new Joining(NodeRole.WORKER, 2)))
                        // Ready now, with the tasks not yet placed: the scheduler's delay, then the cooldown.
                        .at(40, roomy(cluster().workers(3), "web", 2, 0.5, 3072).created("worker-2", at(38))
                                .state(), noScale())
                        .at(60, roomy(cluster().workers(3), "web", 2, 0.5, 3072).created("worker-2", at(38))
                                .state(), noScale(), decides(Cooldown.class, c -> true)),
                scenario("empty group, no shape: nothing to size new nodes by")
                        .at(0, roomy(workers(0, 0), "web", 1,
                                0.5, 1024).state(), noScale(), decides(new NoShape(NodeRole.WORKER))),
                scenario("empty group with a node shape label: sized by it")
                        .nodeShape(NodeRole.WORKER, WORKER_SHAPE)
                        .at(0, roomy(workers(0, 0), "web", 3,
                                0.5, 3072).state(), scales(NodeRole.WORKER, 0, 3),
                                decides(seen(NodeRole.WORKER, 3, 3))),
                scenario("global services' tasks never ask for nodes")
                        .at(0, cluster().workers(1).global("agent").pending("agent", 0.5, 512, ROOM, LONG_AGO).state(),
                                noScale(), noNotify()),
                scenario("scale-down: a pending task too big for any node does not hold it", down())
                        .at(0, roomy(cluster().workers(3), "huge", 1, 1, 8192).result(ID2, QUIET).state(),
                                drainsSome()),
                scenario("scale-down: pending tasks that new nodes would cure scale up instead", down())
                        .at(0, roomy(cluster().workers(3), "web", 1, 0.5, 3072).result(ID2, QUIET).state(),
                                scales(NodeRole.WORKER, 3, 4), noDrain()));
    }

    static Expect noScaleOf(NodeRole role) {
        return plan -> assertThat(PlannerTest.actions(plan, Action.ScaleGroup.class)).noneMatch(a -> a.role() == role);
    }

    static Expect noDrain() {
        return plan -> assertThat(PlannerTest.actions(plan, DrainNode.class)).as("drains").isEmpty();
    }

    static Expect drainsSome() {
        return plan -> assertThat(PlannerTest.actions(plan, DrainNode.class)).as("drains").isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void planner(Scenario scenario) {
        PlannerScaleDownTest.run(scenario);
    }
}
