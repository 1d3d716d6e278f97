package io.swarmscaler.model;

import static io.swarmscaler.model.PlannerTest.HIGH;
import static io.swarmscaler.model.PlannerTest.ID1;
import static io.swarmscaler.model.PlannerTest.ID2;
import static io.swarmscaler.model.PlannerTest.M;
import static io.swarmscaler.model.PlannerTest.NO_DATA;
import static io.swarmscaler.model.PlannerTest.PLANNER;
import static io.swarmscaler.model.PlannerTest.T0;
import static io.swarmscaler.model.PlannerTest.W;
import static io.swarmscaler.model.PlannerTest.actions;
import static io.swarmscaler.model.PlannerTest.decides;
import static io.swarmscaler.model.PlannerTest.neverDecides;
import static io.swarmscaler.model.PlannerTest.noActions;
import static io.swarmscaler.model.PlannerTest.noNotify;
import static io.swarmscaler.model.PlannerTest.noScale;
import static io.swarmscaler.model.PlannerTest.notifies;
import static io.swarmscaler.model.PlannerTest.policy;
import static io.swarmscaler.model.PlannerTest.remembers;
import static io.swarmscaler.model.PlannerTest.scales;
import static io.swarmscaler.model.PlannerTest.scenario;
import static io.swarmscaler.model.PlannerTest.seconds;
import static io.swarmscaler.model.PlannerTest.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Action.DrainNode;
import io.swarmscaler.model.Action.RemoveNode;
import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Action.TerminateInstances;
import io.swarmscaler.model.Action.UndrainNode;
import io.swarmscaler.model.Condition.Threshold;
import io.swarmscaler.model.Instance.Lifecycle;
import io.swarmscaler.model.Notification.Status;
import io.swarmscaler.model.Observation.Holding;
import io.swarmscaler.model.Observation.Measured;
import io.swarmscaler.model.Observation.Wanted;
import io.swarmscaler.model.PlannerTest.Expect;
import io.swarmscaler.model.PlannerTest.Scenario;
import io.swarmscaler.model.PlannerTest.Step;
import io.swarmscaler.model.Progress.BackedOff;
import io.swarmscaler.model.Progress.DrainTimedOut;
import io.swarmscaler.model.Progress.Drained;
import io.swarmscaler.model.Progress.Draining;
import io.swarmscaler.model.Progress.LaunchFailed;
import io.swarmscaler.model.Progress.ProvisionTimedOut;
import io.swarmscaler.model.Progress.ScalingDown;
import io.swarmscaler.model.Progress.ServiceShort;
import io.swarmscaler.model.Progress.TasksLeft;
import io.swarmscaler.model.Refusal.AtMin;
import io.swarmscaler.model.Refusal.BackingOff;
import io.swarmscaler.model.Refusal.ChangedThisPass;
import io.swarmscaler.model.Refusal.Cooldown;
import io.swarmscaler.model.Refusal.DrainInProgress;
import io.swarmscaler.model.Refusal.Joining;
import io.swarmscaler.model.Refusal.LastNode;
import io.swarmscaler.model.Refusal.ManagersStayOdd;
import io.swarmscaler.model.Refusal.NoCandidate;
import io.swarmscaler.model.Refusal.NoEligibleNode;
import io.swarmscaler.model.Refusal.NoRoom;
import io.swarmscaler.model.Refusal.NodeKept;
import io.swarmscaler.model.Refusal.QuorumLoss;
import io.swarmscaler.model.Refusal.UncheckableConstraint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scale-down and the safety rules around it, as multi-cycle scenarios in {@link PlannerTest}'s style: victim choice,
 * the fit check, the memory prediction, hysteresis and cooldowns, managers and Raft quorum, drains in progress,
 * scale requests, and the backoff of a failing group.
 *
 * <p>Settings are {@link PlannerTest#PLANNER}'s: scale-up cooldown 5m, provision timeout 10m, scale-down cooldown
 * 10m, drain timeout 10m, margin 0.05, backoff 5m doubling up to 30m.
 */
class PlannerScaleDownTest {

    static final PolicyId MDOWN = new PolicyId(M, "2");
    static final PolicyId ID3 = new PolicyId(W, "3");
    static final Threshold UNDER_05 = new Threshold("node_mem_ratio", Comparison.LESS, 0.5);
    static final QueryResult QUIET = value(0.1);
    static final GroupBounds MANAGER_BOUNDS = new GroupBounds(3, 7, 1, 1);
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;
    static final Duration SCALE_DOWN_COOLDOWN = Duration.ofMinutes(10);
    static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);
    /** What the worker down policy sees in {@link #QUIET}. */
    static final Measured SEEN_QUIET = new Measured(0.1, Comparison.LESS, 0.5, true);

    // ---------------------------------------------------------------- policies

    /** Worker scale-down when memory is under 0.5, acting at once, bounds 0..5, one node at a time. */
    static Policy down() {
        return down(new GroupBounds(0, 5, 1, 1), Duration.ZERO);
    }

    static Policy down(GroupBounds bounds) {
        return down(bounds, Duration.ZERO);
    }

    static Policy down(GroupBounds bounds, Duration holdFor) {
        return policy(ID2, ScaleDirection.DOWN, NodeRole.WORKER, holdFor, bounds, UNDER_05);
    }

    /** Worker scale-up over {@code threshold}. */
    static Policy upOver(PolicyId id, double threshold) {
        return policy(id, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO, new GroupBounds(0, 5, 1, 1),
                new Threshold("node_mem_ratio", Comparison.GREATER, threshold));
    }

    static Policy upWorkers() {
        return upOver(ID1, 0.8);
    }

    static Policy managerDown(GroupBounds bounds) {
        return policy(MDOWN, ScaleDirection.DOWN, NodeRole.MANAGER, Duration.ZERO, bounds, UNDER_05);
    }

    static ScaleRequest request(String id, String key, NodeRole role, ScaleDirection direction, int by,
            GroupBounds bounds) {
        return new ScaleRequest(id, key, new ScaleRequest.Nodes(role, by, bounds), direction, T0, "alertmanager");
    }

    static ScaleRequest downRequest(String id, String key, int by, GroupBounds bounds) {
        return request(id, key, NodeRole.WORKER, ScaleDirection.DOWN, by, bounds);
    }

    static ScaleRequest upRequest(String id, String key, GroupBounds bounds) {
        return request(id, key, NodeRole.WORKER, ScaleDirection.UP, 1, bounds);
    }

    // ---------------------------------------------------------------- the world

    /**
     * A Swarm and its node groups. Node {@code worker-i} has id {@code node-worker-i} and is the group's instance
     * {@code worker-i} (as {@link PlannerTest#group} names them); higher {@code i} is newer. Nodes offer 2 CPUs and
     * 4 GiB. Services named in {@link #run} that were not declared are replicated with one replica.
     */
    static final class Cluster {
        private final Map<NodeRole, NodeGroupState> groups = new EnumMap<>(NodeRole.class);
        private final Map<String, SwarmNode> nodes = new LinkedHashMap<>();
        private final Map<String, ServiceInfo> services = new LinkedHashMap<>();
        private final List<TaskInfo> tasks = new ArrayList<>();
        private final Map<PolicyId, QueryResult> results = new HashMap<>();
        private final List<ScaleRequest> requests = new ArrayList<>();

        Cluster workers(int n) {
            return group(NodeRole.WORKER, n, n, 0, Optional.empty());
        }

        Cluster managers(int n) {
            return group(NodeRole.MANAGER, n, n, 0, Optional.empty());
        }

        /** {@code ready} of {@code desired} instances have Ready nodes; the rest are pending, without a node. */
        Cluster group(NodeRole role, int desired, int ready, int providerMin, Optional<String> launchFailure) {
            List<Instance> instances = PlannerTest.group(role, desired, ready, Integer.MAX_VALUE).instances();
            groups.put(role, new NodeGroupState(role, "aws", desired, providerMin, Integer.MAX_VALUE, instances,
                    launchFailure, Optional.empty()));
            for (int i = 0; i < ready; i++) {
                String host = role.word() + "-" + i;
                nodes.put(host, new SwarmNode("node-" + host, host, "10.0.%d.%d".formatted(role.ordinal(), i), role,
                        true, "active", role == NodeRole.MANAGER, Map.of(), Map.of(), 2_000_000_000L, 4 * GIB,
                        T0.minus(Duration.ofDays(30 - i))));
            }
            return this;
        }

        /** A group whose instances are exactly these (for instances without a node, or nodes gone). */
        Cluster groupOf(NodeRole role, int desired, Instance... instances) {
            groups.put(role, new NodeGroupState(role, "aws", desired, 0, Integer.MAX_VALUE, List.of(instances)));
            return this;
        }

        /** A Ready, active node that is no instance of any group (joined by hand). */
        Cluster stray(String host, NodeRole role) {
            nodes.put(host, new SwarmNode("node-" + host, host, "10.0.9.9", role, true, "active",
                    role == NodeRole.MANAGER, Map.of(), Map.of(), 2_000_000_000L, 4 * GIB, T0.minusSeconds(60)));
            return this;
        }

        Cluster without(String host) {
            nodes.remove(host);
            return this;
        }

        private Cluster change(String host, UnaryOperator<SwarmNode> change) {
            SwarmNode node = nodes.get(host);
            if (node == null) {
                throw new IllegalArgumentException("no node " + host);
            }
            nodes.put(host, change.apply(node));
            return this;
        }

        Cluster label(String host, String key, String value) {
            return change(host, n -> {
                Map<String, String> labels = new HashMap<>(n.labels());
                labels.put(key, value);
                return new SwarmNode(n.id(), n.hostname(), n.address(), n.role(), n.ready(), n.availability(),
                        n.managerReachable(), n.engineLabels(), labels, n.nanoCpus(), n.memoryBytes(), n.createdAt());
            });
        }

        Cluster protect(String host) {
            return label(host, Planner.PROTECT_LABEL, "true");
        }

        Cluster drainingSince(String host, String since) {
            return label(host, Planner.DRAINING_LABEL, since);
        }

        Cluster drainingSince(String host, Instant since) {
            return drainingSince(host, since.toString());
        }

        Cluster availability(String host, String availability) {
            return change(host, n -> new SwarmNode(n.id(), n.hostname(), n.address(), n.role(), n.ready(),
                    availability, n.managerReachable(), n.engineLabels(), n.labels(), n.nanoCpus(), n.memoryBytes(),
                    n.createdAt()));
        }

        /** A manager Raft cannot reach; its node is Down. */
        Cluster unreachable(String host) {
            return change(host, n -> new SwarmNode(n.id(), n.hostname(), n.address(), n.role(), false,
                    n.availability(), false, n.engineLabels(), n.labels(), n.nanoCpus(), n.memoryBytes(),
                    n.createdAt()));
        }

        Cluster notReady(String host) {
            return change(host, n -> new SwarmNode(n.id(), n.hostname(), n.address(), n.role(), false,
                    n.availability(), n.managerReachable(), n.engineLabels(), n.labels(), n.nanoCpus(),
                    n.memoryBytes(), n.createdAt()));
        }

        /** The node's Swarm role changed (a worker promoted, or a manager demoted before its drain). */
        Cluster role(String host, NodeRole role) {
            return change(host, n -> new SwarmNode(n.id(), n.hostname(), n.address(), role, n.ready(),
                    n.availability(), role == NodeRole.MANAGER, n.engineLabels(), n.labels(), n.nanoCpus(),
                    n.memoryBytes(), n.createdAt()));
        }

        Cluster created(String host, Instant createdAt) {
            return change(host, n -> new SwarmNode(n.id(), n.hostname(), n.address(), n.role(), n.ready(),
                    n.availability(), n.managerReachable(), n.engineLabels(), n.labels(), n.nanoCpus(),
                    n.memoryBytes(), createdAt));
        }

        Cluster service(String name, int replicas, String... constraints) {
            services.put(name, new ServiceInfo("id-" + name, name, Map.of(), Arrays.asList(constraints), replicas));
            return this;
        }

        Cluster global(String name) {
            return service(name, ServiceInfo.GLOBAL);
        }

        private String serviceId(String name) {
            services.computeIfAbsent(name, s -> new ServiceInfo("id-" + s, s, Map.of(), List.of(), 1));
            return "id-" + name;
        }

        /** A running task of {@code service} on {@code host}, reserving nothing. */
        Cluster run(String service, String host) {
            return run(service, host, 0);
        }

        Cluster run(String service, String host, long memoryMiB) {
            tasks.add(new TaskInfo("task-" + tasks.size(), serviceId(service), "node-" + host, true, true, 0,
                    memoryMiB * MIB));
            return this;
        }

        /** Several running tasks of {@code service} on {@code host}. */
        Cluster runs(String service, String host, int count) {
            for (int i = 0; i < count; i++) {
                run(service, host);
            }
            return this;
        }

        /** A task Swarm wants running but could not place anywhere yet. */
        Cluster pending(String service) {
            tasks.add(new TaskInfo("task-" + tasks.size(), serviceId(service), "", true, false, 0, 0));
            return this;
        }

        /** A task pending since {@code since}, reserving this much, held back for the scheduler's reason. */
        Cluster pending(String service, double cpus, long memoryMiB, String schedulerError, Instant since) {
            tasks.add(new TaskInfo("task-" + tasks.size(), serviceId(service), "", true, false,
                    Math.round(cpus * 1e9), memoryMiB * MIB, schedulerError, since));
            return this;
        }

        /** A task Swarm shut down on {@code host} (moved away by a drain, or an old one). */
        Cluster stopped(String service, String host) {
            tasks.add(new TaskInfo("task-" + tasks.size(), serviceId(service), "node-" + host, false, false, 0, 0));
            return this;
        }

        Cluster result(PolicyId id, QueryResult result) {
            results.put(id, result);
            return this;
        }

        Cluster request(ScaleRequest request) {
            requests.add(request);
            return this;
        }

        ObservedState state() {
            return new ObservedState(groups, List.copyOf(nodes.values()), List.copyOf(services.values()), tasks,
                    results, requests, Map.of());
        }
    }

    static Cluster cluster() {
        return new Cluster();
    }

    /** Workers with the worker down policy's answer. */
    static Cluster workers(int n, QueryResult down) {
        return cluster().workers(n).result(ID2, down);
    }

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    /** {@link #SEEN_QUIET} held {@code held} seconds of the down policy's 1m {@code for}. */
    static Holding quietFor(long held) {
        return new Holding(SEEN_QUIET, seconds(held), Duration.ofMinutes(1));
    }

    // ---------------------------------------------------------------- expectations

    /** Exactly these nodes are drained, in this order, each with a reason; nothing is scaled or removed. */
    static Expect drains(String... hosts) {
        return plan -> {
            List<DrainNode> drains = actions(plan, DrainNode.class);
            assertThat(drains).as("DrainNode actions").extracting(d -> d.node().hostname()).containsExactly(hosts);
            assertThat(drains).allSatisfy(d -> assertThat(d.reason()).as("drain reason").isNotBlank());
            assertThat(actions(plan, ScaleGroup.class)).as("ScaleGroup actions").isEmpty();
            assertThat(actions(plan, RemoveNode.class)).as("RemoveNode actions").isEmpty();
        };
    }

    static Expect drainsRole(NodeRole role) {
        return plan -> assertThat(actions(plan, DrainNode.class)).as("drained nodes' roles")
                .isNotEmpty().allSatisfy(d -> assertThat(d.node().role()).isEqualTo(role));
    }

    static Expect noDrain() {
        return plan -> assertThat(actions(plan, DrainNode.class)).as("DrainNode actions").isEmpty();
    }

    static Expect removes(String host, NodeRole group, String instanceId) {
        return plan -> {
            assertThat(actions(plan, RemoveNode.class)).as("RemoveNode actions").singleElement().satisfies(r -> {
                assertThat(r.node().hostname()).as("removed node").isEqualTo(host);
                assertThat(r.group()).as("group").isEqualTo(group);
                assertThat(r.instanceId()).as("instance").isEqualTo(instanceId);
                assertThat(r.reason()).as("reason").contains("is drained; its tasks run elsewhere");
            });
            assertThat(actions(plan, UndrainNode.class)).as("UndrainNode actions").isEmpty();
        };
    }

    static Expect noRemove() {
        return plan -> assertThat(actions(plan, RemoveNode.class)).as("RemoveNode actions").isEmpty();
    }

    static Expect undrains(String host, String reasonMentions) {
        return plan -> {
            assertThat(actions(plan, UndrainNode.class)).as("UndrainNode actions").singleElement().satisfies(u -> {
                assertThat(u.node().hostname()).isEqualTo(host);
                assertThat(u.reason()).contains(reasonMentions);
            });
            assertThat(actions(plan, RemoveNode.class)).as("RemoveNode actions").isEmpty();
        };
    }

    static Expect terminates(NodeRole role, String... instanceIds) {
        return plan -> assertThat(actions(plan, TerminateInstances.class)).as("TerminateInstances actions")
                .singleElement().satisfies(t -> {
                    assertThat(t.role()).isEqualTo(role);
                    assertThat(t.instanceIds()).containsExactly(instanceIds);
                });
    }

    static Expect backoff(NodeRole role, long untilSeconds, Duration length, String reasonMentions) {
        return remembers(m -> assertThat(m.backoff()).as("backoff").hasEntrySatisfying(role, b -> {
            assertThat(b.until()).as("backoff until").isEqualTo(at(untilSeconds));
            assertThat(b.length()).as("backoff length").isEqualTo(length);
            assertThat(b.reason()).as("backoff reason").contains(reasonMentions);
        }));
    }

    static Expect noBackoff(NodeRole role) {
        return remembers(m -> assertThat(m.backoff()).as("backoff").doesNotContainKey(role));
    }

    static Expect lastScaleDown(NodeRole role, long seconds) {
        return remembers(m -> assertThat(m.lastScaleDown()).as("lastScaleDown").containsEntry(role, at(seconds)));
    }

    static Expect noScaleDownRemembered() {
        return remembers(m -> assertThat(m.lastScaleDown()).as("lastScaleDown").isEmpty());
    }

    static Expect outcome(String requestId, boolean accepted, String words) {
        return plan -> assertThat(plan.outcomes()).as("request outcomes").hasEntrySatisfying(requestId, o -> {
            assertThat(o.accepted()).as("accepted").isEqualTo(accepted);
            assertThat(o.message().toLowerCase(Locale.ROOT)).as("outcome message")
                    .contains(words.toLowerCase(Locale.ROOT));
        });
    }

    static Expect handled(String key, long seconds) {
        return remembers(m -> assertThat(m.handledRequests()).as("handled requests").containsEntry(key, at(seconds)));
    }

    static Expect notHandled(String key) {
        return remembers(m -> assertThat(m.handledRequests()).as("handled requests").doesNotContainKey(key));
    }

    /** A scale-down on aws that passed over no node. */
    static ScalingDown scalingDown(NodeRole role, int from, int to, String... victims) {
        return new ScalingDown(role, "aws", from, to, List.of(victims), Optional.empty());
    }

    /** A scale-down of workers on aws that passed over a node, and why. */
    static ScalingDown scalingDownPast(NodeKept passedOver, int from, int to, String... victims) {
        return new ScalingDown(NodeRole.WORKER, "aws", from, to, List.of(victims), Optional.of(passedOver));
    }

    /** {@code host} was kept by the memory prediction; its figures are computed, so compared within 1e-9. */
    static Predicate<Reason> keptForMemory(String host, double from, double to, double threshold, double margin) {
        return r -> r instanceof NodeKept k && k.hostname().equals(host)
                && k.why() instanceof Refusal.MemoryPrediction m && near(m.from(), from) && near(m.to(), to)
                && near(m.threshold(), threshold) && near(m.margin(), margin);
    }

    static boolean near(double actual, double expected) {
        return Math.abs(actual - expected) < 1e-9;
    }

    // ---------------------------------------------------------------- scenarios

    static Stream<Scenario> victims() {
        return Stream.of(
                scenario("victim: the node with the fewest tasks, even if it is not the newest", down())
                        .at(0, workers(3, QUIET).runs("web", "worker-0", 2).run("api", "worker-2").state(),
                                drains("worker-1"), drainsRole(NodeRole.WORKER),
                                decides(scalingDown(NodeRole.WORKER, 3, 2, "worker-1")),
                                lastScaleDown(NodeRole.WORKER, 0)),
                scenario("victim: among nodes with as many tasks, the newest", down())
                        .at(0, workers(3, QUIET).run("web", "worker-0").run("web", "worker-1").run("web", "worker-2")
                                        .created("worker-0", T0.minusSeconds(60)).state(),
                                drains("worker-0"), decides(scalingDown(NodeRole.WORKER, 3, 2, "worker-0"))),
                scenario("victim: global tasks and tasks Swarm shut down are not counted", down())
                        .at(0, workers(3, QUIET).global("exporter").runs("exporter", "worker-0", 3)
                                        .stopped("web", "worker-0").stopped("web", "worker-0")
                                        .run("web", "worker-1").run("api", "worker-2").state(),
                                drains("worker-0")),
                scenario("victim: never a node labelled com.df.scaler.protect=true, however idle", down())
                        .at(0, workers(3, QUIET).protect("worker-1").run("web", "worker-0")
                                        .runs("api", "worker-2", 2).state(),
                                drains("worker-0"),
                                neverDecides(ScalingDown.class, d -> d.victims().contains("worker-1"))),
                scenario("victim: protect=false does not protect", down())
                        .at(0, workers(3, QUIET).label("worker-1", Planner.PROTECT_LABEL, "false")
                                        .run("web", "worker-0").run("api", "worker-2").state(),
                                drains("worker-1")),
                scenario("victim: a large DownBy still skips protected nodes", down(new GroupBounds(0, 5, 1, 5)))
                        .at(0, workers(3, QUIET).protect("worker-0").state(),
                                drains("worker-2", "worker-1"),
                                decides(scalingDown(NodeRole.WORKER, 3, 1, "worker-2", "worker-1"))),
                scenario("victim: none when every node is protected", down())
                        .at(0, workers(2, QUIET).protect("worker-0").protect("worker-1").state(), noActions(),
                                decides(new Wanted(SEEN_QUIET, new NoCandidate(NodeRole.WORKER))),
                                noScaleDownRemembered()),
                scenario("victim: never below the policy's minimum", down(new GroupBounds(2, 5, 1, 1)))
                        .at(0, workers(2, QUIET).state(), noActions(),
                                decides(new Wanted(SEEN_QUIET, new AtMin(NodeRole.WORKER, "aws", 2)))),
                scenario("victim: never below the group's own minimum (the ASG's MinSize)", down())
                        .at(0, cluster().group(NodeRole.WORKER, 3, 3, 3, Optional.empty()).result(ID2, QUIET)
                                        .state(),
                                noActions(), decides(new Wanted(SEEN_QUIET, new AtMin(NodeRole.WORKER, "aws", 3)))),
                scenario("victim: DownBy stops at the policy's minimum", down(new GroupBounds(3, 5, 1, 2)))
                        .at(0, workers(4, QUIET).state(), drains("worker-3"),
                                decides(scalingDown(NodeRole.WORKER, 4, 3, "worker-3"))),
                scenario("victim: DownBy stops at the group's own minimum", down(new GroupBounds(0, 5, 1, 4)))
                        .at(0, cluster().group(NodeRole.WORKER, 5, 5, 3, Optional.empty()).result(ID2, QUIET)
                                        .state(),
                                drains("worker-4", "worker-3"),
                                decides(scalingDown(NodeRole.WORKER, 5, 3, "worker-4", "worker-3"))),
                scenario("victim: never a manager through the worker path", down())
                        // worker-0 is the worker group's instance but was promoted; the managers are idle too
                        .at(0, workers(3, QUIET).managers(3).role("worker-0", NodeRole.MANAGER)
                                        .run("web", "worker-1").runs("api", "worker-2", 2).run("web", "manager-0")
                                        .state(),
                                drains("worker-1"), drainsRole(NodeRole.WORKER)),
                // A request, not a policy: a policy never takes a group's last node.
                scenario("victim: none when the worker group's only idle node is a manager")
                        .at(0, cluster().workers(1).managers(3).role("worker-0", NodeRole.MANAGER)
                                        .request(downRequest("r1", "k1", 1, new GroupBounds(0, 5, 1, 1))).state(),
                                noDrain(), decides(new NoCandidate(NodeRole.WORKER))),
                scenario("victim: only Ready, active instances of the group", down())
                        .at(0, workers(4, QUIET).stray("stray", NodeRole.WORKER).notReady("worker-3")
                                        .availability("worker-2", "pause").run("web", "worker-0")
                                        .runs("web", "worker-1", 2).state(),
                                drains("worker-0")));
    }

    static Stream<Scenario> fit() {
        return Stream.of(
                scenario("fit: the victim's memory reservation has no room on the remaining nodes", down())
                        .at(0, workers(2, QUIET).run("big", "worker-0", 3072).run("small", "worker-1", 1024)
                                        .run("small", "worker-1", 1024).state(),
                                noActions(), noScaleDownRemembered(),
                                decides(new NodeKept("worker-0", new NoRoom("big", 0, 3072 * MIB)))),
                scenario("fit: a reservation that fits exactly is fine", down())
                        .at(0, workers(2, QUIET).run("big", "worker-0", 2048).run("small", "worker-1", 1024)
                                        .run("small", "worker-1", 1024).state(),
                                drains("worker-0")),
                scenario("fit: the victim's tasks may spread over several remaining nodes", down())
                        .at(0, workers(3, QUIET).run("a", "worker-0", 1536).run("b", "worker-0", 1536)
                                        .runs("c", "worker-1", 2).run("d", "worker-1", 2048)
                                        .runs("c", "worker-2", 2).run("d", "worker-2", 2048).state(),
                                drains("worker-0")),
                scenario("fit: the victim's tasks together do not fit on the one remaining node", down())
                        .at(0, workers(2, QUIET).run("a", "worker-0", 1536).run("b", "worker-0", 1536)
                                        .runs("c", "worker-1", 2).run("d", "worker-1", 2048).state(),
                                noActions(), decides(NodeKept.class, k -> k.hostname().equals("worker-0")
                                        && k.why() instanceof NoRoom r && r.memoryBytes() == 1536 * MIB)),
                scenario("fit: a paused node is no room", down())
                        .at(0, workers(3, QUIET).run("big", "worker-0", 3072).availability("worker-1", "pause")
                                        .run("small", "worker-2", 1024).run("small", "worker-2", 1024).state(),
                                noActions(), decides(new NodeKept("worker-0", new NoRoom("big", 0, 3072 * MIB)))),
                scenario("fit: a constraint only the preferred victim satisfies: the next candidate goes", down())
                        .at(0, workers(3, QUIET).label("worker-0", "disk", "ssd")
                                        .service("db", 1, "node.labels.disk==ssd").run("db", "worker-0")
                                        .runs("web", "worker-1", 2).runs("web", "worker-2", 2).state(),
                                drains("worker-2"),
                                decides(scalingDownPast(new NodeKept("worker-0",
                                        new NoEligibleNode("db", List.of("node.labels.disk==ssd"))), 3, 2,
                                        "worker-2"))),
                scenario("fit: every candidate is pinned: nothing goes, with the first refusal", down())
                        .at(0, workers(2, QUIET).service("p0", 1, "node.hostname==worker-0").run("p0", "worker-0")
                                        .service("p1", 1, "node.hostname==worker-1").run("p1", "worker-1").state(),
                                noActions(), noScaleDownRemembered(),
                                decides(new Wanted(SEEN_QUIET, new NodeKept("worker-1",
                                        new NoEligibleNode("p1", List.of("node.hostname==worker-1")))))),
                scenario("fit: a constraint another node satisfies too", down())
                        .at(0, workers(3, QUIET).label("worker-0", "disk", "ssd").label("worker-2", "disk", "ssd")
                                        .service("db", 1, "node.labels.disk==ssd").run("db", "worker-0")
                                        .runs("web", "worker-1", 2).runs("web", "worker-2", 2).state(),
                                drains("worker-0")),
                scenario("fit: a task pinned to the preferred victim's hostname: the other node goes", down())
                        .at(0, workers(2, QUIET).service("pinned", 1, "node.hostname==worker-1")
                                        .run("pinned", "worker-1").run("web", "worker-0").state(),
                                drains("worker-0"), decides(scalingDownPast(new NodeKept("worker-1",
                                        new NoEligibleNode("pinned", List.of("node.hostname==worker-1"))), 2, 1,
                                        "worker-0"))),
                scenario("fit: a constraint that cannot be checked refuses that node", down())
                        .at(0, workers(2, QUIET).service("odd", 1, "node.unknown==x").run("odd", "worker-1")
                                        .run("web", "worker-0").state(),
                                drains("worker-0"), decides(scalingDownPast(new NodeKept("worker-1",
                                        new UncheckableConstraint("odd", List.of("node.unknown==x"))), 2, 1,
                                        "worker-0"))),
                scenario("fit: DownBy 2 drains the first victim when the second's tasks would not fit",
                        down(new GroupBounds(0, 5, 1, 2)))
                        .at(0, workers(3, QUIET).run("big", "worker-1", 3072).run("small", "worker-2", 1024)
                                        .run("small", "worker-2", 1024).state(),
                                drains("worker-0"), decides(scalingDownPast(new NodeKept("worker-1",
                                        new NoRoom("big", 0, 3072 * MIB)), 3, 2, "worker-0"))),
                scenario("fit: global services' tasks stay and need no room", down())
                        .at(0, workers(2, QUIET).global("agent").run("agent", "worker-0", 3072)
                                        .run("agent", "worker-1", 3072).run("web", "worker-0").state(),
                                drains("worker-1")));
    }

    static Stream<Scenario> memory() {
        return Stream.of(
                scenario("memory: refused when R*n/(n-1) reaches the threshold minus the margin", upWorkers(), down())
                        .at(0, workers(2, value(0.45)).result(ID1, value(0.45)).state(), noActions(),
                                noScaleDownRemembered(),
                                decides(NodeKept.class, keptForMemory("worker-1", 0.45, 0.9, 0.8, 0.05))),
                scenario("memory: allowed when R*n/(n-1) stays under it", upWorkers(), down())
                        .at(0, workers(4, value(0.45)).result(ID1, value(0.45)).state(), drains("worker-3")),
                scenario("memory: the margin counts (0.78 is under 0.8 but not under 0.75)", upWorkers(), down())
                        .at(0, workers(2, value(0.39)).result(ID1, value(0.39)).state(), noActions(),
                                decides(NodeKept.class, keptForMemory("worker-1", 0.39, 0.78, 0.8, 0.05))),
                scenario("memory: the lowest scale-up threshold of the group is the limit",
                        upOver(ID1, 0.9), upOver(ID3, 0.7), down())
                        .at(0, workers(3, value(0.45)).result(ID1, value(0.45)).result(ID3, value(0.45)).state(),
                                noActions(),
                                decides(NodeKept.class, keptForMemory("worker-2", 0.45, 0.675, 0.7, 0.05))),
                scenario("memory: without the lower threshold the same removal is fine", upOver(ID1, 0.9), down())
                        .at(0, workers(3, value(0.45)).result(ID1, value(0.45)).state(), drains("worker-2")),
                scenario("memory: DownBy 3 removes only as many as the prediction allows",
                        upWorkers(), down(new GroupBounds(0, 5, 1, 3)))
                        // 0.3*4/3 = 0.4, 0.3*4/2 = 0.6, 0.3*4/1 = 1.2
                        .at(0, workers(4, value(0.3)).result(ID1, value(0.3)).state(),
                                drains("worker-3", "worker-2"),
                                decides(ScalingDown.class, d -> d.from() == 4 && d.to() == 2
                                        && d.victims().equals(List.of("worker-3", "worker-2"))
                                        && d.passedOver().filter(keptForMemory("worker-1", 0.3, 1.2, 0.8, 0.05))
                                                .isPresent())),
                // Written first, failing on the planner that guessed a policy's kind from its label text.
                scenario("memory: a PromQL scale-up threshold (node_load1 > 0.5) is not a memory threshold",
                        policy(ID1, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO, new GroupBounds(0, 5, 1, 1),
                                new Threshold("node_load1", Comparison.GREATER, 0.5), Policy.Kind.PROMQL), down())
                        // 0.46 * 2 / 1 = 0.92: above 0.5 - 0.05, but 0.5 is a load, not a memory ratio
                        .at(0, workers(2, value(0.46)).result(ID1, value(0.2)).state(), drains("worker-1")),
                scenario("memory: a per-node memory threshold limits the scale-down like a group one",
                        policy(ID1, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO, new GroupBounds(0, 5, 1, 1),
                                new Threshold("node_mem_ratio_by_instance", Comparison.GREATER, 0.5),
                                Policy.Kind.NODE_MEMORY), down())
                        .at(0, workers(2, value(0.46)).result(ID1, value(0.2)).state(), noActions(),
                                decides(NodeKept.class, keptForMemory("worker-1", 0.46, 0.92, 0.5, 0.05))),
                scenario("memory: another group's scale-up threshold does not limit workers",
                        policy(PlannerTest.MID, ScaleDirection.UP, NodeRole.MANAGER, Duration.ZERO, MANAGER_BOUNDS,
                                new Threshold("node_mem_ratio", Comparison.GREATER, 0.3)), down())
                        .at(0, workers(2, value(0.45)).state(), drains("worker-1")));
    }

    static Stream<Scenario> hysteresis() {
        return Stream.of(
                scenario("hysteresis: the down condition must hold for its for",
                        down(new GroupBounds(0, 5, 1, 1), seconds(60)))
                        .at(0, workers(3, QUIET).state(), noActions(), decides(quietFor(0)))
                        .at(30, workers(3, QUIET).state(), noActions(), decides(quietFor(30)))
                        .at(59, workers(3, QUIET).state(), noActions(), decides(quietFor(59)))
                        .at(60, workers(3, QUIET).state(), drains("worker-2")),
                scenario("hysteresis: a break in the down condition starts its for afresh",
                        down(new GroupBounds(0, 5, 1, 1), seconds(60)))
                        .at(0, workers(3, QUIET).state(), noActions())
                        .at(40, workers(3, value(0.6)).state(), noActions(),
                                decides(new Measured(0.6, Comparison.LESS, 0.5, false)))
                        .at(60, workers(3, QUIET).state(), noActions(), decides(quietFor(0)))
                        .at(100, workers(3, NO_DATA).state(), noActions(), decides(PlannerTest.UNREACHABLE))
                        .at(110, workers(3, QUIET).state(), noActions(), decides(quietFor(0)))
                        .at(170, workers(3, QUIET).state(), drains("worker-2")),
                scenario("hysteresis: no scale-down within the scale-down cooldown of a scale-up", upWorkers(), down())
                        .at(0, workers(3, value(0.6)).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 3, 4),
                                noDrain())
                        .at(60, workers(4, QUIET).result(ID1, QUIET).state(), noDrain(),
                                decides(new Cooldown(ScaleDirection.DOWN, ScaleDirection.UP, SCALE_DOWN_COOLDOWN,
                                        at(600))))
                        .at(599, workers(4, QUIET).result(ID1, QUIET).state(), noActions(),
                                decides(new Cooldown(ScaleDirection.DOWN, ScaleDirection.UP, SCALE_DOWN_COOLDOWN,
                                        at(600))))
                        .at(600, workers(4, QUIET).result(ID1, QUIET).state(), drains("worker-3")),
                scenario("hysteresis: one drain at a time, then the scale-down cooldown", down())
                        .at(0, workers(3, QUIET).state(), drains("worker-2"), lastScaleDown(NodeRole.WORKER, 0))
                        .at(30, workers(3, QUIET).drainingSince("worker-2", T0).state(),
                                removes("worker-2", NodeRole.WORKER, "worker-2"), noDrain(),
                                decides(new Wanted(SEEN_QUIET, new DrainInProgress(NodeRole.WORKER))))
                        .at(60, workers(2, QUIET).state(), noActions(),
                                decides(new Cooldown(ScaleDirection.DOWN, ScaleDirection.DOWN, SCALE_DOWN_COOLDOWN,
                                        at(600))))
                        .at(599, workers(2, QUIET).state(), noActions(), decides(new Cooldown(ScaleDirection.DOWN,
                                ScaleDirection.DOWN, SCALE_DOWN_COOLDOWN, at(600))))
                        .at(600, workers(2, QUIET).state(), drains("worker-1"), lastScaleDown(NodeRole.WORKER, 600)),
                scenario("hysteresis: a scale-down does not hold up a later scale-up", upWorkers(), down())
                        .at(0, workers(3, QUIET).result(ID1, QUIET).state(), drains("worker-2"))
                        .at(60, workers(2, value(0.6)).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3)),
                scenario("hysteresis: adding wins over removing in the same cycle", upWorkers(), down())
                        .at(0, workers(3, QUIET).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 3, 4), noDrain(),
                                decides(new Wanted(SEEN_QUIET, new ChangedThisPass(NodeRole.WORKER)))),
                scenario("hysteresis: no scale-down while nodes are joining", down())
                        .at(0, cluster().group(NodeRole.WORKER, 4, 3, 0, Optional.empty()).result(ID2, QUIET)
                                        .state(),
                                noDrain(), decides(new Wanted(SEEN_QUIET, new Joining(NodeRole.WORKER, 1)))),
                scenario("hysteresis: DownBy 2 drains two, each checked", down(new GroupBounds(0, 5, 1, 2)))
                        .at(0, workers(4, QUIET).run("web", "worker-3").state(), drains("worker-2", "worker-1"),
                                decides(scalingDown(NodeRole.WORKER, 4, 2, "worker-2", "worker-1"))));
    }

    static Stream<Scenario> managers() {
        return Stream.of(
                scenario("managers: removing one of five would leave four: refused",
                        managerDown(MANAGER_BOUNDS))
                        .at(0, cluster().managers(5).result(MDOWN, QUIET).state(), noActions(),
                                noScaleDownRemembered(),
                                decides(new Wanted(SEEN_QUIET, new ManagersStayOdd(1, 4)))),
                scenario("managers: DownBy 2 takes five to three, draining (demote first) the newest",
                        managerDown(new GroupBounds(3, 7, 1, 2)))
                        .at(0, cluster().managers(5).result(MDOWN, QUIET).state(),
                                drains("manager-4", "manager-3"), drainsRole(NodeRole.MANAGER),
                                decides(scalingDown(NodeRole.MANAGER, 5, 3, "manager-4", "manager-3")),
                                lastScaleDown(NodeRole.MANAGER, 0)),
                scenario("managers: from four, one goes", managerDown(MANAGER_BOUNDS))
                        .at(0, cluster().managers(4).result(MDOWN, QUIET).state(), drains("manager-3"),
                                decides(scalingDown(NodeRole.MANAGER, 4, 3, "manager-3"))),
                scenario("managers: DownBy 3 from five is rounded down to two to stay odd",
                        managerDown(new GroupBounds(1, 7, 1, 3)))
                        .at(0, cluster().managers(5).result(MDOWN, QUIET).state(),
                                drains("manager-4", "manager-3"),
                                decides(scalingDown(NodeRole.MANAGER, 5, 3, "manager-4", "manager-3"))),
                scenario("managers: never below the minimum", managerDown(MANAGER_BOUNDS))
                        .at(0, cluster().managers(3).result(MDOWN, QUIET).state(), noActions(),
                                decides(new Wanted(SEEN_QUIET, new AtMin(NodeRole.MANAGER, "aws", 3)))),
                scenario("managers: never lose quorum with two of five unreachable",
                        managerDown(new GroupBounds(3, 7, 1, 2)))
                        .at(0, cluster().managers(5).unreachable("manager-0").unreachable("manager-1")
                                        .result(MDOWN, QUIET).state(),
                                noActions(), decides(new NodeKept("manager-4", new QuorumLoss(2, 4)))),
                scenario("managers: never lose quorum with two of four unreachable", managerDown(MANAGER_BOUNDS))
                        .at(0, cluster().managers(4).unreachable("manager-0").unreachable("manager-1")
                                        .result(MDOWN, QUIET).state(),
                                noActions(), decides(new NodeKept("manager-3", new QuorumLoss(1, 3)))),
                scenario("managers: one of five unreachable still leaves a quorum of three",
                        managerDown(new GroupBounds(3, 7, 1, 2)))
                        .at(0, cluster().managers(5).unreachable("manager-0").result(MDOWN, QUIET).state(),
                                drains("manager-4", "manager-3")),
                scenario("managers: a worker down request never drains a manager")
                        .at(0, cluster().managers(3).workers(1).run("web", "worker-0")
                                        .request(downRequest("r1", "k1", 1, new GroupBounds(0, 5, 1, 1))).state(),
                                drains("worker-0"), drainsRole(NodeRole.WORKER)),
                scenario("pending: no scale-down while tasks the group's nodes could host are pending", down())
                        .at(0, cluster().workers(3).pending("web").pending("web").result(ID2, QUIET).state(),
                                noActions(), decides(new Refusal.TasksPending(NodeRole.WORKER, "web", 2))),
                scenario("pending: a task pinned where the group cannot host it does not hold a scale-down", down())
                        .at(0, cluster().workers(3).service("db", 1, "node.role == manager").pending("db")
                                        .result(ID2, QUIET).state(), drains("worker-2")),
                scenario("last node: a down policy never takes a group's last node", down())
                        .at(0, cluster().workers(1).result(ID2, QUIET).state(), noActions(),
                                decides(new Wanted(SEEN_QUIET, new LastNode(NodeRole.WORKER, "aws")))),
                scenario("last node: a down policy by 2 of 2 workers leaves one", down(new GroupBounds(0, 5, 1, 2)))
                        .at(0, cluster().workers(2).run("web", "worker-0").result(ID2, QUIET).state(),
                                drains("worker-1"), decides(scalingDown(NodeRole.WORKER, 2, 1, "worker-1"))),
                scenario("managers: a demoted manager's drain ends in its removal from the manager group",
                        managerDown(MANAGER_BOUNDS))
                        .at(0, cluster().managers(4).result(MDOWN, QUIET).state(), drains("manager-3"))
                        .at(30, cluster().managers(4).role("manager-3", NodeRole.WORKER)
                                        .drainingSince("manager-3", T0).stopped("web", "manager-3")
                                        .run("web", "manager-0").result(MDOWN, QUIET).state(),
                                removes("manager-3", NodeRole.MANAGER, "manager-3"), noDrain(),
                                decides(new Wanted(SEEN_QUIET, new DrainInProgress(NodeRole.MANAGER)))));
    }

    static Stream<Scenario> drains() {
        String since = "2024-05-01T10:00:00Z";
        Reason worker2TimedOut = new DrainTimedOut("worker-2", DRAIN_TIMEOUT, new TasksLeft(1));
        return Stream.of(
                scenario("drain: tasks all running elsewhere: remove the node and its instance")
                        .at(120, workers(3, QUIET).drainingSince("worker-1", since).service("web", 2)
                                        .stopped("web", "worker-1").run("web", "worker-0").run("web", "worker-2")
                                        .state(),
                                removes("worker-1", NodeRole.WORKER, "worker-1"), noNotify(),
                                decides(new Drained("worker-1"))),
                scenario("drain: a global service's task does not hold up the removal")
                        .at(120, workers(2, QUIET).drainingSince("worker-1", since).global("agent")
                                        .run("agent", "worker-1").run("agent", "worker-0").state(),
                                removes("worker-1", NodeRole.WORKER, "worker-1")),
                scenario("drain: a task still on the node: wait")
                        .at(120, workers(3, QUIET).drainingSince("worker-1", since).run("web", "worker-1").state(),
                                noActions(), decides(new Draining(T0, new TasksLeft(1)))),
                scenario("drain: a service not back to its replicas elsewhere: wait")
                        .at(120, workers(3, QUIET).drainingSince("worker-1", since).service("web", 2)
                                        .stopped("web", "worker-1").run("web", "worker-0").state(),
                                noActions(), decides(new Draining(T0, new ServiceShort("web", 1, 2)))),
                scenario("drain: the node's instance is gone already: remove the node without one")
                        .at(120, workers(3, QUIET).drainingSince("worker-1", since)
                                        .groupOf(NodeRole.WORKER, 2,
                                                new Instance("worker-0", Lifecycle.IN_SERVICE, "node-worker-0", true),
                                                new Instance("worker-2", Lifecycle.IN_SERVICE, "node-worker-2", true))
                                        .state(),
                                removes("worker-1", NodeRole.WORKER, "")),
                scenario("drain: too slow: undone, the group backs off, the operator is told", down())
                        .at(0, workers(3, QUIET).run("web", "worker-0").run("web", "worker-1").state(),
                                drains("worker-2"))
                        // Swarm could not move the task after all
                        .at(300, workers(3, QUIET).drainingSince("worker-2", since).run("web", "worker-0")
                                        .run("web", "worker-1").run("db", "worker-2").state(),
                                noActions(), decides(new Draining(T0, new TasksLeft(1))))
                        .at(599, workers(3, QUIET).drainingSince("worker-2", since).run("web", "worker-0")
                                        .run("web", "worker-1").run("db", "worker-2").state(),
                                noActions(), noBackoff(NodeRole.WORKER))
                        .at(600, workers(3, QUIET).drainingSince("worker-2", since).run("web", "worker-0")
                                        .run("web", "worker-1").run("db", "worker-2").state(),
                                undrains("worker-2", "Draining worker-2 did not finish within 10m (1 task(s) still on"
                                        + " it); putting it back to active"),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "did not finish within 10m"),
                                noDrain(), noScale(),
                                decides(new BackedOff(worker2TimedOut, Duration.ofMinutes(5))),
                                backoff(NodeRole.WORKER, 900, Duration.ofMinutes(5), "Draining worker-2 did not"
                                        + " finish"),
                                decides(new BackingOff(NodeRole.WORKER, at(900), worker2TimedOut.message())))
                        .at(660, workers(3, QUIET).run("web", "worker-0").run("web", "worker-1")
                                        .run("db", "worker-2").state(),
                                noActions(),
                                decides(new BackingOff(NodeRole.WORKER, at(900), worker2TimedOut.message())))
                        .at(900, workers(3, QUIET).run("web", "worker-0").run("web", "worker-1")
                                        .run("db", "worker-2").state(),
                                drains("worker-2")),
                scenario("drain: a mark someone edited is treated as overdue")
                        .at(60, workers(2, QUIET).drainingSince("worker-1", "yesterday").run("web", "worker-1")
                                        .state(),
                                undrains("worker-1", "did not finish within 10m"),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "worker-1"),
                                backoff(NodeRole.WORKER, 360, Duration.ofMinutes(5), "Draining worker-1")),
                scenario("drain: a second drain timeout in a row doubles the backoff")
                        .at(0, workers(2, QUIET).drainingSince("worker-1", "yesterday").run("web", "worker-1")
                                        .state(),
                                backoff(NodeRole.WORKER, 300, Duration.ofMinutes(5), "Draining worker-1"))
                        .at(400, workers(2, QUIET).drainingSince("worker-0", "yesterday").run("web", "worker-0")
                                        .state(),
                                undrains("worker-0", "did not finish"),
                                backoff(NodeRole.WORKER, 1000, Duration.ofMinutes(10), "Draining worker-0"),
                                decides(new BackedOff(new DrainTimedOut("worker-0", DRAIN_TIMEOUT, new TasksLeft(1)),
                                        Duration.ofMinutes(10)))));
    }

    /** One success notification with exactly this summary, under this service, as the seed's route reads it. */
    static PlannerTest.Expect announces(String summary, String service) {
        return plan -> assertThat(PlannerTest.actions(plan, Action.Notify.class)).as("notifications").singleElement()
                .satisfies(n -> {
                    assertThat(n.notification().summary()).isEqualTo(summary);
                    assertThat(n.notification().service()).isEqualTo(service);
                    assertThat(n.notification().alertName()).isEqualTo(Planner.SCALE_NODES_ALERT);
                    assertThat(n.notification().status()).isEqualTo(Status.SUCCESS);
                });
    }

    /** The only action is one error notification that the request was not carried out. */
    static PlannerTest.Expect refusalNotified() {
        return plan -> assertThat(plan.actions()).as("actions").singleElement()
                .isInstanceOfSatisfying(Action.Notify.class, n -> {
                    assertThat(n.notification().status()).isEqualTo(Status.ERROR);
                    assertThat(n.notification().summary()).startsWith("Not scaling ");
                });
    }

    static Stream<Scenario> requests() {
        GroupBounds workerBounds = new GroupBounds(2, 3, 1, 1);
        return Stream.of(
                scenario("request: up under the bounds")
                        .at(0, cluster().workers(2).request(upRequest("r1", "k1", workerBounds)).state(),
                                scales(NodeRole.WORKER, 2, 3), handled("k1", 0),
                                outcome("r1", true, "Changing the number of worker nodes on aws from 2 to 3")),
                scenario("request: up at the maximum is refused")
                        .at(0, cluster().workers(3).request(upRequest("r1", "k1", workerBounds)).state(),
                                refusalNotified(), notHandled("k1"),
                                outcome("r1", false, "Worker nodes on aws are at the maximum of 3; not scaling up")),
                scenario("request: down drains the best victim")
                        .at(0, cluster().workers(3).run("web", "worker-2").run("web", "worker-0")
                                        .request(downRequest("r1", "k1", 1, workerBounds)).state(),
                                drains("worker-1"), handled("k1", 0), lastScaleDown(NodeRole.WORKER, 0),
                                outcome("r1", true, "from 3 to 2: draining worker-1")),
                scenario("notification: a scale-down by a policy speaks the seed's sentence, as the scale-up does",
                        down())
                        .at(0, cluster().workers(2).result(ID2, QUIET).state(), drains("worker-1"),
                                announces("Changing the number of worker nodes on aws from 2 to 1", "worker")),
                scenario("notification: a scale-down by a request too")
                        .at(0, cluster().workers(3).request(downRequest("r1", "k1", 2, workerBounds)).state(),
                                drains("worker-2"),
                                announces("Changing the number of worker nodes on aws from 3 to 2", "worker")),
                scenario("request: down by 2 stops at the minimum")
                        .at(0, cluster().workers(3).request(downRequest("r1", "k1", 2, workerBounds)).state(),
                                drains("worker-2"), outcome("r1", true, "from 3 to 2")),
                scenario("request: down at the minimum is refused, and not remembered")
                        .at(0, cluster().workers(2).request(downRequest("r1", "k1", 1, workerBounds)).state(),
                                refusalNotified(), notHandled("k1"),
                                outcome("r1", false, "Worker nodes on aws are at the minimum of 2; not scaling down")),
                scenario("request: down never below the group's own minimum")
                        .at(0, cluster().group(NodeRole.WORKER, 3, 3, 3, Optional.empty())
                                        .request(downRequest("r1", "k1", 1, new GroupBounds(0, 5, 1, 1))).state(),
                                refusalNotified(), outcome("r1", false, "at the minimum of 3")),
                scenario("request: down is refused when memory would rise over the group's scale-up threshold",
                        upWorkers())
                        .at(0, cluster().workers(3).result(ID1, value(0.6))
                                        .request(downRequest("r1", "k1", 1, workerBounds)).state(),
                                refusalNotified(), notHandled("k1"),
                                outcome("r1", false, "memory would rise from 0.6 to 0.9, not below the scale-up"
                                        + " threshold 0.8")),
                scenario("request: down goes ahead when memory stays low", upWorkers())
                        .at(0, cluster().workers(3).result(ID1, value(0.3))
                                        .request(downRequest("r1", "k1", 1, workerBounds)).state(),
                                drains("worker-2"), outcome("r1", true, "from 3 to 2")),
                scenario("request: the same request twice in one pass is handled once")
                        .at(0, cluster().workers(2).request(upRequest("r1", "k1", workerBounds))
                                        .request(upRequest("r2", "k1", workerBounds)).state(),
                                scales(NodeRole.WORKER, 2, 3),
                                outcome("r1", true, "Changing the number of worker nodes on aws from 2 to 3"),
                                outcome("r2", true, "Same request as r1 in this pass")),
                scenario("request: down never takes a protected node")
                        .at(0, cluster().workers(3).protect("worker-2").run("web", "worker-0")
                                        .request(downRequest("r1", "k1", 1, workerBounds)).state(),
                                drains("worker-1"), outcome("r1", true, "draining worker-1")),
                scenario("request: down passes over a node the fit check refuses")
                        .at(0, cluster().workers(3).label("worker-2", "disk", "ssd")
                                        .service("db", 1, "node.labels.disk==ssd").run("db", "worker-2")
                                        .run("web", "worker-0").run("web", "worker-1")
                                        .request(downRequest("r1", "k1", 1, workerBounds)).state(),
                                drains("worker-1"), outcome("r1", true, "draining worker-1 (fewest tasks; not removing"
                                        + " worker-2: a task of service db could run on no remaining node")),
                scenario("request: down refused by the fit check on every candidate")
                        .at(0, cluster().workers(3).label("worker-2", "disk", "ssd")
                                        .service("db", 1, "node.labels.disk==ssd").run("db", "worker-2")
                                        .service("p0", 1, "node.hostname==worker-0").run("p0", "worker-0")
                                        .service("p1", 1, "node.hostname==worker-1").run("p1", "worker-1")
                                        .request(downRequest("r1", "k1", 1, workerBounds)).state(),
                                refusalNotified(), notHandled("k1"),
                                outcome("r1", false, "not removing worker-2: a task of service db could run on no"
                                        + " remaining node")),
                scenario("request: managers down by one from five is refused to stay odd")
                        .at(0, cluster().managers(5).request(request("r1", "k1", NodeRole.MANAGER,
                                        ScaleDirection.DOWN, 1, MANAGER_BOUNDS)).state(),
                                refusalNotified(), outcome("r1", false, "managers stay odd to keep Raft quorum")),
                scenario("request: the same key within the cooldown is acted on once")
                        .at(0, cluster().workers(2).request(upRequest("r1", "k1", new GroupBounds(0, 5, 1, 1)))
                                        .state(),
                                scales(NodeRole.WORKER, 2, 3), outcome("r1", true, "from 2 to 3"))
                        .at(30, cluster().group(NodeRole.WORKER, 3, 2, 0, Optional.empty())
                                        .request(upRequest("r2", "k1", new GroupBounds(0, 5, 1, 1))).state(),
                                noScale(), outcome("r2", true, "Already handled at 2024-05-01T10:00:00Z"
                                        + " (alertmanager); not scaling again within the cooldown"))
                        // past the scale-up cooldown: another key scales, the repeated one still does not
                        .at(400, cluster().workers(3)
                                        .request(upRequest("r3", "k1", new GroupBounds(0, 5, 1, 1)))
                                        .request(upRequest("r4", "k2", new GroupBounds(0, 5, 1, 1))).state(),
                                scales(NodeRole.WORKER, 3, 4), outcome("r3", true, "Already handled"),
                                outcome("r4", true, "from 3 to 4"), handled("k1", 0), handled("k2", 400)),
                scenario("request: a repeated down request drains once")
                        .at(0, cluster().workers(3).request(downRequest("r1", "d1", 1, new GroupBounds(0, 5, 1, 1)))
                                        .state(),
                                drains("worker-2"))
                        .at(60, cluster().workers(2).request(downRequest("r2", "d1", 1, new GroupBounds(0, 5, 1, 1)))
                                        .state(),
                                noActions(), outcome("r2", true, "Already handled")),
                scenario("request: another key within the scale-down cooldown is refused with the reason")
                        .at(0, cluster().workers(3).request(downRequest("r1", "d1", 1, new GroupBounds(0, 5, 1, 1)))
                                        .state(),
                                drains("worker-2"))
                        .at(60, cluster().workers(2).request(downRequest("r2", "d2", 1, new GroupBounds(0, 5, 1, 1)))
                                        .state(),
                                refusalNotified(), notHandled("d2"),
                                outcome("r2", false, "no scale-down within 10m of the last scale-down")),
                scenario("request: the key is forgotten once the cooldown is over")
                        .at(0, cluster().workers(2).request(upRequest("r1", "k1", new GroupBounds(0, 5, 1, 1)))
                                        .state(),
                                scales(NodeRole.WORKER, 2, 3))
                        .at(60, cluster().workers(3).state(), noScale(), handled("k1", 0))
                        .at(600, cluster().workers(3).state(), notHandled("k1"))
                        .at(610, cluster().workers(3).request(upRequest("r2", "k1", new GroupBounds(0, 5, 1, 1)))
                                        .state(),
                                scales(NodeRole.WORKER, 3, 4), outcome("r2", true, "from 3 to 4")),
                scenario("request: refused while the group backs off")
                        .at(0, workers(2, QUIET).drainingSince("worker-1", "yesterday").run("web", "worker-1")
                                        .request(upRequest("r1", "k1", new GroupBounds(0, 5, 1, 1))).state(),
                                noScale(), outcome("r1", false, "worker nodes are in backoff until"
                                        + " 2024-05-01T10:05:00Z")));
    }

    static Stream<Scenario> backoffs() {
        Policy up = upWorkers();
        Optional<String> failure = Optional.of("InsufficientInstanceCapacity");
        Reason launchFailed = new LaunchFailed(NodeRole.WORKER, "aws", "InsufficientInstanceCapacity", 2, 3);
        return Stream.of(
                scenario("backoff: a failed launch backs off 5m; no scale-up meanwhile, with the reason", up)
                        .at(0, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(30, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                noScale(), terminates(NodeRole.WORKER, "worker-2"),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT,
                                        "Launching worker nodes on aws failed: InsufficientInstanceCapacity"),
                                decides(new BackedOff(launchFailed, Duration.ofMinutes(5))),
                                backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "InsufficientInstanceCapacity"),
                                remembers(m -> assertThat(m.pending()).isEmpty()))
                        .at(60, cluster().workers(2).result(ID1, HIGH).state(), noActions(),
                                decides(new BackingOff(NodeRole.WORKER, at(330), launchFailed.message())))
                        .at(329, cluster().workers(2).result(ID1, HIGH).state(), noActions(),
                                decides(new BackingOff(NodeRole.WORKER, at(330), launchFailed.message())))
                        .at(330, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3)),
                scenario("backoff: failures in a row double it: 5m, 10m, 20m, then at most 30m", up)
                        .at(0, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(30, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed"))
                        .at(330, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(360, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                noScale(), decides(new BackedOff(launchFailed, Duration.ofMinutes(10))),
                                backoff(NodeRole.WORKER, 960, Duration.ofMinutes(10), "failed"))
                        .at(959, cluster().workers(2).result(ID1, HIGH).state(), noActions(),
                                decides(new BackingOff(NodeRole.WORKER, at(960), launchFailed.message())))
                        .at(960, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(990, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                backoff(NodeRole.WORKER, 2190, Duration.ofMinutes(20), "failed"))
                        .at(2190, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(2220, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                decides(new BackedOff(launchFailed, Duration.ofMinutes(30))),
                                backoff(NodeRole.WORKER, 4020, Duration.ofMinutes(30), "failed"))
                        .at(4020, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(4050, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                backoff(NodeRole.WORKER, 5850, Duration.ofMinutes(30), "failed")),
                scenario("backoff: a failure three hours after the last backoff ended starts again at 5m", up)
                        .at(0, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(30, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed"))
                        .at(330, cluster().workers(2).result(ID1, QUIET).state(), noActions())
                        .at(330 + 3 * 3600, cluster().workers(2).result(ID1, HIGH).state(),
                                scales(NodeRole.WORKER, 2, 3))
                        .at(360 + 3 * 3600, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH)
                                        .state(), decides(new BackedOff(launchFailed, Duration.ofMinutes(5))),
                                backoff(NodeRole.WORKER, 660 + 3 * 3600, Duration.ofMinutes(5), "failed")),
                scenario("backoff: a failure within three hours of the last backoff doubles it", up)
                        .at(0, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(30, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed"))
                        .at(330, cluster().workers(2).result(ID1, QUIET).state(), noActions())
                        .at(3 * 3600, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(30 + 3 * 3600, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH)
                                        .state(), decides(new BackedOff(launchFailed, Duration.ofMinutes(10))),
                                backoff(NodeRole.WORKER, 630 + 3 * 3600, Duration.ofMinutes(10), "failed")),
                scenario("backoff: a scale-up that succeeds ends the run of failures", up)
                        .at(0, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(30, cluster().group(NodeRole.WORKER, 3, 2, 0, failure).result(ID1, HIGH).state(),
                                backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed"))
                        .at(330, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(360, cluster().workers(3).result(ID1, QUIET).state(), noBackoff(NodeRole.WORKER))
                        .at(660, cluster().workers(3).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 3, 4))
                        .at(690, cluster().group(NodeRole.WORKER, 4, 3, 0, failure).result(ID1, HIGH).state(),
                                backoff(NodeRole.WORKER, 990, Duration.ofMinutes(5), "failed")),
                scenario("backoff: nodes not Ready within the provision timeout back off too", up)
                        .at(0, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                        .at(600, cluster().group(NodeRole.WORKER, 3, 2, 0, Optional.empty()).result(ID1, HIGH)
                                        .state(),
                                noScale(), terminates(NodeRole.WORKER, "worker-2"),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "Gave up waiting for worker nodes"),
                                backoff(NodeRole.WORKER, 900, Duration.ofMinutes(5), "Gave up"))
                        .at(660, cluster().workers(2).result(ID1, HIGH).state(), noActions(),
                                decides(new BackingOff(NodeRole.WORKER, at(900), new ProvisionTimedOut(NodeRole.WORKER,
                                        "aws", 2, 3, PlannerTest.PROVISION_TIMEOUT, 2).message()))),
                scenario("backoff: no scale-down either while a group backs off", up, down())
                        .at(0, cluster().workers(3).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 3, 4))
                        .at(30, cluster().group(NodeRole.WORKER, 4, 3, 0, failure).result(ID1, QUIET)
                                        .result(ID2, QUIET).state(),
                                noDrain(), backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed"))
                        .at(700, cluster().workers(3).result(ID1, QUIET).result(ID2, QUIET).state(),
                                drains("worker-2")));
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(victims(), fit(), memory(), hysteresis(), managers(), drains(), requests(), backoffs())
                .flatMap(s -> s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void planner(Scenario scenario) {
        run(scenario);
    }

    static void run(Scenario scenario) {
        ScalerMemory memory = ScalerMemory.empty();
        for (Step step : scenario.steps) {
            Plan plan = PLANNER.plan(step.observed(), step.policies(), memory, at(step.at()));
            for (Expect expect : step.expects()) {
                try {
                    expect.check(plan);
                } catch (AssertionError e) {
                    throw new AssertionError("at T0+%ds, actions %s, decisions %s, outcomes %s, memory %s: %s"
                            .formatted(step.at(), plan.actions(), plan.decisions(), plan.outcomes(), plan.memory(),
                                    e.getMessage()), e);
                }
            }
            memory = plan.memory();
        }
    }

    // ---------------------------------------------------------------- what an operator would expect, and does not get

    @Test
    void aLaunchFailureStillReportedOnTheNextCyclesIsOneFailure() {
        Optional<String> failure = Optional.of("InsufficientInstanceCapacity");
        // AWS: desired 3, two instances, the third launch failed without creating an instance
        NodeGroupState failing = new NodeGroupState(NodeRole.WORKER, "aws", 3, 0, Integer.MAX_VALUE,
                PlannerTest.group(NodeRole.WORKER, 2, 2, Integer.MAX_VALUE).instances(), failure, Optional.empty());
        run(scenario("a launch failure still reported is one failure", upWorkers())
                .at(0, cluster().workers(2).result(ID1, HIGH).state(), scales(NodeRole.WORKER, 2, 3))
                .at(30, withGroup(cluster().workers(2).result(ID1, HIGH), failing),
                        notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "failed"),
                        backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed"))
                .at(60, withGroup(cluster().workers(2).result(ID1, HIGH), failing), noNotify(),
                        backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed"))
                .at(90, withGroup(cluster().workers(2).result(ID1, HIGH), failing), noNotify(),
                        backoff(NodeRole.WORKER, 330, Duration.ofMinutes(5), "failed")));
    }

    @Test
    void aRepeatedRequestAfterTheCooldownIsActedOn() {
        GroupBounds bounds = new GroupBounds(0, 5, 1, 1);
        run(scenario("a repeat after the cooldown is acted on")
                .at(0, cluster().workers(2).request(upRequest("r1", "k1", bounds)).state(),
                        scales(NodeRole.WORKER, 2, 3))
                .at(590, cluster().workers(3).state(), handled("k1", 0))
                // 10m10s after the first: the 10m window (the longer cooldown) is over
                .at(610, cluster().workers(3).request(upRequest("r2", "k1", bounds)).state(),
                        scales(NodeRole.WORKER, 3, 4), outcome("r2", true, "from 3 to 4")));
    }

    @Test
    void aDrainingNodeThatIsNotReadyIsNotRemovedWhileItsServiceIsShort() {
        run(scenario("a NotReady draining node with a task still on it")
                .at(120, workers(3, QUIET).drainingSince("worker-1", "2024-05-01T10:00:00Z").service("db", 1)
                                .run("db", "worker-1").notReady("worker-1").state(),
                        noRemove(), decides(new Draining(T0, new TasksLeft(1)))));
    }

    static ObservedState withGroup(Cluster cluster, NodeGroupState group) {
        ObservedState s = cluster.state();
        Map<NodeRole, NodeGroupState> groups = new EnumMap<>(s.groups());
        groups.put(group.role(), group);
        return new ObservedState(groups, s.nodes(), s.services(), s.tasks(), s.results(), s.requests(), Map.of());
    }
}
