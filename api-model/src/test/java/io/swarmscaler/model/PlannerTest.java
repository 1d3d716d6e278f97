package io.swarmscaler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Action.Notify;
import io.swarmscaler.model.Action.Reschedule;
import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Condition.AnySample;
import io.swarmscaler.model.Condition.Threshold;
import io.swarmscaler.model.Instance.Lifecycle;
import io.swarmscaler.model.Notification.Status;
import io.swarmscaler.model.Observation.ExpressionReturned;
import io.swarmscaler.model.Observation.Holding;
import io.swarmscaler.model.Observation.Measured;
import io.swarmscaler.model.Observation.NotifyingOnly;
import io.swarmscaler.model.Observation.Wanted;
import io.swarmscaler.model.Progress.BackedOff;
import io.swarmscaler.model.Progress.DrainTimedOut;
import io.swarmscaler.model.Progress.Draining;
import io.swarmscaler.model.Progress.NodesReady;
import io.swarmscaler.model.Progress.ProvisionTimedOut;
import io.swarmscaler.model.Progress.ScalingDown;
import io.swarmscaler.model.Progress.ScalingUp;
import io.swarmscaler.model.Progress.WaitingForNodes;
import io.swarmscaler.model.QueryResult.NoData;
import io.swarmscaler.model.QueryResult.Sample;
import io.swarmscaler.model.QueryResult.Samples;
import io.swarmscaler.model.Refusal.AtMax;
import io.swarmscaler.model.Refusal.AtMin;
import io.swarmscaler.model.Refusal.ChangedThisPass;
import io.swarmscaler.model.Refusal.Cooldown;
import io.swarmscaler.model.Refusal.Joining;
import io.swarmscaler.model.Refusal.NoCandidate;
import io.swarmscaler.model.Refusal.NoGroup;
import io.swarmscaler.model.Refusal.NodeKept;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenarios of several reconcile cycles: each step feeds the previous plan's memory into the next call, at a later
 * instant, and checks the actions and the decisions (including why nothing was done).
 */
class PlannerTest {

    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    static final Duration COOLDOWN = Duration.ofMinutes(5);
    static final Duration PROVISION_TIMEOUT = Duration.ofMinutes(10);
    static final String RESCHEDULE_LABEL = "com.df.reschedule";
    static final Planner PLANNER = new Planner(new Planner.Settings(COOLDOWN, PROVISION_TIMEOUT, RESCHEDULE_LABEL,
            Duration.ofMinutes(10), Duration.ofMinutes(10), 0.05, Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofSeconds(10), Map.of(NodeRole.WORKER, GroupBounds.defaultsFor(NodeRole.WORKER), NodeRole.MANAGER,
                    GroupBounds.defaultsFor(NodeRole.MANAGER)), new ServiceScaling.Defaults(1, 5)));

    static final String W = "exporter_node-exporter-worker";
    static final String M = "exporter_node-exporter-manager";
    static final PolicyId ID1 = new PolicyId(W, "1");
    static final PolicyId ID2 = new PolicyId(W, "2");
    static final PolicyId MID = new PolicyId(M, "1");
    static final GroupBounds WORKER_BOUNDS = new GroupBounds(0, 5, 1, 1);
    static final Threshold OVER_08 = new Threshold("node_mem_ratio", Comparison.GREATER, 0.8);
    /** What {@link #up} policies see in {@link #HIGH}. */
    static final Measured SEEN_HIGH = new Measured(0.9, Comparison.GREATER, 0.8, true);

    static final List<ServiceInfo> SERVICES = List.of(
            service("go-demo_main", RESCHEDULE_LABEL, "true"),
            service("go-demo_db", RESCHEDULE_LABEL, "false"),
            service("monitor_prometheus"),
            service("proxy_proxy", RESCHEDULE_LABEL, "yes"),
            service("go-demo_api", RESCHEDULE_LABEL, "true", "com.df.notify", "true"));
    static final List<ServiceInfo> UNLABELLED_SERVICES =
            List.of(service("monitor_prometheus"), service("go-demo_db", RESCHEDULE_LABEL, "false"));

    // ---------------------------------------------------------------- fixtures

    static ServiceInfo service(String name, String... labels) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return new ServiceInfo("id-" + name, name, map, List.of(), 1);
    }

    static Policy policy(PolicyId id, ScaleDirection direction, NodeRole role, Duration holdFor, GroupBounds bounds,
            Condition condition) {
        return policy(id, direction, role, holdFor, bounds, condition, Policy.Kind.GROUP_MEMORY);
    }

    static Policy policy(PolicyId id, ScaleDirection direction, NodeRole role, Duration holdFor, GroupBounds bounds,
            Condition condition, Policy.Kind kind) {
        return new Policy(id, "node_mem_limit_total_above", "@node_mem_limit_total_above:0.8", condition, kind, holdFor,
                direction, role, bounds, Map.of(), "Total memory of the nodes is over 0.8");
    }

    static Policy up(Duration holdFor) {
        return policy(ID1, ScaleDirection.UP, NodeRole.WORKER, holdFor, WORKER_BOUNDS, OVER_08);
    }

    static Policy up(GroupBounds bounds) {
        return policy(ID1, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO, bounds, OVER_08);
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    /** {@link #SEEN_HIGH} held {@code held} of the policy's {@code for} (seconds). */
    static Holding highFor(long held, long holdFor) {
        return new Holding(SEEN_HIGH, seconds(held), seconds(holdFor));
    }

    /** What came of a want to scale because of {@link #SEEN_HIGH}. */
    static Wanted wantedHigh(Reason result) {
        return new Wanted(SEEN_HIGH, result);
    }

    static NodeGroupState group(NodeRole role, int desired, int ready, int providerMax) {
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < ready; i++) {
            instances.add(new Instance(role.word() + "-" + i, Lifecycle.IN_SERVICE, "node-" + role.word() + "-" + i, true));
        }
        for (int i = ready; i < desired; i++) {
            instances.add(new Instance(role.word() + "-" + i, Lifecycle.PENDING, "", false));
        }
        return new NodeGroupState(role, "aws", desired, 0, providerMax, instances);
    }

    static NodeGroupState workers(int desired, int ready) {
        return group(NodeRole.WORKER, desired, ready, Integer.MAX_VALUE);
    }

    static NodeGroupState managers(int desired, int ready) {
        return group(NodeRole.MANAGER, desired, ready, Integer.MAX_VALUE);
    }

    static QueryResult value(double... values) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            samples.add(new Sample(Map.of("instance", "10.0.0." + i + ":9100"), values[i]));
        }
        return new Samples(samples);
    }

    static final QueryResult HIGH = value(0.9);
    static final QueryResult LOW = value(0.5);
    static final QueryResult NO_SAMPLES = new Samples(List.of());
    static final QueryResult NO_DATA = new NoData("Prometheus is unreachable");
    /** What a policy makes of {@link #NO_DATA}, and of {@link #NO_SAMPLES} or NaN. */
    static final Observation.NoData UNREACHABLE = new Observation.NoData("Prometheus is unreachable");
    static final Observation.NoData NO_SAMPLES_SEEN = new Observation.NoData("the query returned no samples");
    /** The scale-up cooldown after the first scale-up, at T0. */
    static final Cooldown UP_COOLDOWN = new Cooldown(ScaleDirection.UP, ScaleDirection.UP, COOLDOWN,
            T0.plus(COOLDOWN));

    /** The worker group and the answer for policy 1. */
    static ObservedState world(NodeGroupState group, QueryResult result) {
        return world(List.of(group), SERVICES, Map.of(ID1, result));
    }

    static ObservedState world(List<NodeGroupState> groups, List<ServiceInfo> services,
            Map<PolicyId, QueryResult> results) {
        Map<NodeRole, NodeGroupState> byRole = new HashMap<>();
        groups.forEach(g -> byRole.put(g.role(), g));
        return new ObservedState(byRole, List.of(), services, List.of(), results, List.of(), Map.of());
    }

    // ---------------------------------------------------------------- expectations

    interface Expect {
        void check(Plan plan);
    }

    static <T extends Action> List<T> actions(Plan plan, Class<T> type) {
        return plan.actions().stream().filter(type::isInstance).map(type::cast).toList();
    }

    static Expect noActions() {
        return plan -> assertThat(plan.actions()).as("actions").isEmpty();
    }

    static Expect scales(NodeRole role, int from, int to) {
        return plan -> {
            List<ScaleGroup> scaling = actions(plan, ScaleGroup.class).stream().filter(a -> a.role() == role).toList();
            assertThat(scaling).as("ScaleGroup actions for " + role).hasSize(1);
            assertThat(scaling.get(0).from()).as("from").isEqualTo(from);
            assertThat(scaling.get(0).to()).as("to").isEqualTo(to);
            assertThat(scaling.get(0).reason()).as("reason").isNotBlank();
        };
    }

    static Expect noScale() {
        return plan -> assertThat(actions(plan, ScaleGroup.class)).as("ScaleGroup actions").isEmpty();
    }

    static Expect reschedules(String... services) {
        return plan -> {
            List<Reschedule> reschedules = actions(plan, Reschedule.class);
            assertThat(reschedules).as("Reschedule actions").hasSize(1);
            assertThat(reschedules.get(0).services()).extracting(ServiceInfo::name).containsExactly(services);
        };
    }

    static Expect noReschedule() {
        return plan -> assertThat(actions(plan, Reschedule.class)).as("Reschedule actions").isEmpty();
    }

    static Expect notifies(Status status, String alertName, String summaryMentions) {
        return plan -> {
            List<Notification> notes = actions(plan, Notify.class).stream().map(Notify::notification).toList();
            assertThat(notes).as("Notify actions").hasSize(1);
            assertThat(notes.get(0).status()).as("status").isEqualTo(status);
            assertThat(notes.get(0).alertName()).as("alert name").isEqualTo(alertName);
            assertThat(notes.get(0).summary()).as("summary").contains(summaryMentions);
        };
    }

    static Expect noNotify() {
        return plan -> assertThat(actions(plan, Notify.class)).as("Notify actions").isEmpty();
    }

    /**
     * The reasons of the plan's decisions, each followed by the reasons it holds: a want's trigger and result, the
     * value a hold or a notify-only policy saw, a kept node's why, the node a scale-down passed over, the failure
     * behind a backoff, a drain's progress.
     */
    static List<Reason> reasons(Plan plan) {
        return plan.decisions().stream().map(Decision::reason).flatMap(PlannerTest::withHeld).toList();
    }

    private static Stream<Reason> withHeld(Reason reason) {
        List<Reason> held;
        if (reason instanceof Wanted w) {
            held = List.of(w.trigger(), w.result());
        } else if (reason instanceof Holding h) {
            held = List.of(h.seen());
        } else if (reason instanceof NotifyingOnly n) {
            held = List.of(n.seen());
        } else if (reason instanceof NodeKept k) {
            held = List.of(k.why());
        } else if (reason instanceof ScalingDown d) {
            held = d.passedOver().stream().toList();
        } else if (reason instanceof BackedOff b) {
            held = List.of(b.cause());
        } else if (reason instanceof Draining d) {
            held = List.of(d.progress());
        } else if (reason instanceof DrainTimedOut t) {
            held = List.of(t.progress());
        } else {
            held = List.of();
        }
        return Stream.concat(Stream.of(reason), held.stream().flatMap(PlannerTest::withHeld));
    }

    /** Some decision's reason is {@code expected}, or holds it (see {@link #reasons}). */
    static Expect decides(Reason expected) {
        return plan -> assertThat(reasons(plan)).as("reasons decided, with the reasons they hold").contains(expected);
    }

    /** Some reason of this type, decided or held by a decision's reason, passes the check. */
    static <R extends Reason> Expect decides(Class<R> type, Predicate<? super R> check) {
        return plan -> {
            List<Reason> reasons = reasons(plan);
            assertThat(reasons.stream().filter(type::isInstance).map(type::cast).anyMatch(check))
                    .as("a %s that passes the check, among %s", type.getSimpleName(), reasons).isTrue();
        };
    }

    /** No reason of this type, decided or held, passes the check. */
    static <R extends Reason> Expect neverDecides(Class<R> type, Predicate<? super R> check) {
        return plan -> {
            List<Reason> reasons = reasons(plan);
            assertThat(reasons.stream().filter(type::isInstance).map(type::cast).noneMatch(check))
                    .as("no %s that passes the check, among %s", type.getSimpleName(), reasons).isTrue();
        };
    }

    /**
     * Some reason reads exactly this sentence. Only where the words are the contract (the seed's sentences);
     * everywhere else the wording is pinned once, in {@link ReasonTest}.
     */
    static Expect says(String sentence) {
        return plan -> assertThat(reasons(plan)).extracting(Reason::message).as("messages").contains(sentence);
    }

    static Expect remembers(Consumer<ScalerMemory> check) {
        return plan -> check.accept(plan.memory());
    }

    // ---------------------------------------------------------------- scenarios

    record Step(long at, PolicySet policies, ObservedState observed, List<Expect> expects) {}

    static final class Scenario {
        final String name;
        final List<Step> steps = new ArrayList<>();
        PolicySet policies;

        Scenario(String name, Policy... policies) {
            this.name = name;
            policies(policies);
        }

        /** The policies of the steps that follow. */
        Scenario policies(Policy... policies) {
            this.policies = new PolicySet(Arrays.asList(policies), List.of());
            return this;
        }

        Scenario errors(PolicyError... errors) {
            this.policies = new PolicySet(policies.policies(), Arrays.asList(errors), policies.groups());
            return this;
        }

        /** A service's {@link NodeShape#LABEL} gives the size of the group's new nodes. */
        Scenario nodeShape(NodeRole role, NodeShape shape) {
            this.policies = new PolicySet(policies.policies(), policies.errors(),
                    new PolicySet.GroupLabels(Map.of(role, shape), policies.groups().warmPools()));
            return this;
        }

        /** A cycle {@code seconds} after T0. */
        Scenario at(long seconds, ObservedState observed, Expect... expects) {
            steps.add(new Step(seconds, policies, observed, List.of(expects)));
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Scenario scenario(String name, Policy... policies) {
        return new Scenario(name, policies);
    }

    static Stream<Scenario> scenarios() {
        Policy notifyOnly = policy(ID1, ScaleDirection.NOTIFY_ONLY, NodeRole.WORKER, seconds(30), WORKER_BOUNDS,
                OVER_08);
        Policy notifyNow = policy(ID1, ScaleDirection.NOTIFY_ONLY, NodeRole.WORKER, Duration.ZERO, WORKER_BOUNDS,
                OVER_08);
        Policy down = policy(ID2, ScaleDirection.DOWN, NodeRole.WORKER, Duration.ZERO, WORKER_BOUNDS,
                new Threshold("node_mem_ratio", Comparison.LESS, 0.05));
        Policy anySample = policy(ID1, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO, WORKER_BOUNDS,
                new AnySample("a > 1 and b < 2"));
        Policy secondUp = policy(ID2, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO, WORKER_BOUNDS, OVER_08);
        Policy managerUp = policy(MID, ScaleDirection.UP, NodeRole.MANAGER, Duration.ZERO,
                new GroupBounds(3, 7, 1, 1), OVER_08);

        Refusal atMax2 = new AtMax(NodeRole.WORKER, "aws", 2);

        return Stream.of(
                // ---- for
                scenario("scales up by one step as soon as the condition holds when for is 0s", up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH),
                                scales(NodeRole.WORKER, 1, 2), noNotify(), noReschedule(),
                                decides(wantedHigh(new ScalingUp(NodeRole.WORKER, "aws", 1, 2))),
                                says("Changing the number of worker nodes on aws from 1 to 2"),
                                remembers(m -> {
                                    assertThat(m.pending()).containsEntry(NodeRole.WORKER,
                                            new PendingScaleUp(1, 2, T0));
                                    assertThat(m.lastScaleUp()).containsEntry(NodeRole.WORKER, T0);
                                })),
                scenario("acts only once the condition held for alertFor", up(seconds(30)))
                        .at(0, world(workers(1, 1), HIGH), noActions(), decides(highFor(0, 30)),
                                remembers(m -> assertThat(m.trueSince()).containsEntry(ID1, T0)))
                        .at(15, world(workers(1, 1), HIGH), noActions(), decides(highFor(15, 30)))
                        .at(30, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2)),
                scenario("a break in the condition resets alertFor", up(seconds(30)))
                        .at(0, world(workers(1, 1), HIGH), noActions())
                        .at(20, world(workers(1, 1), LOW), noActions(),
                                decides(new Measured(0.5, Comparison.GREATER, 0.8, false)),
                                remembers(m -> assertThat(m.trueSince()).doesNotContainKey(ID1)))
                        .at(40, world(workers(1, 1), HIGH), noActions(), decides(highFor(0, 30)))
                        .at(60, world(workers(1, 1), HIGH), noActions(), decides(highFor(20, 30)))
                        .at(70, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2)),
                scenario("no data resets alertFor", up(seconds(30)))
                        .at(0, world(workers(1, 1), HIGH), noActions())
                        .at(20, world(workers(1, 1), NO_DATA), noActions(), decides(UNREACHABLE))
                        .at(30, world(workers(1, 1), HIGH), noActions(), decides(highFor(0, 30)))
                        .at(60, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2)),
                scenario("no data never triggers an action, even with for 0s", up(Duration.ZERO), notifyNow)
                        .at(0, world(workers(1, 1), NO_DATA), noActions(), decides(UNREACHABLE),
                                remembers(m -> assertThat(m.trueSince()).isEmpty()))
                        .at(10, world(workers(1, 1), NO_DATA), noActions(), decides(UNREACHABLE)),
                scenario("a policy that was not queried has no data", up(Duration.ZERO))
                        .at(0, world(List.of(workers(1, 1)), SERVICES, Map.of()), noActions(),
                                decides(new Observation.NoData("not queried"))),
                scenario("a threshold query with zero samples is no data and resets alertFor", up(seconds(30)))
                        .at(0, world(workers(1, 1), HIGH), noActions())
                        .at(20, world(workers(1, 1), NO_SAMPLES), noActions(), decides(NO_SAMPLES_SEEN),
                                remembers(m -> assertThat(m.trueSince()).isEmpty()))
                        .at(30, world(workers(1, 1), HIGH), noActions(), decides(highFor(0, 30)))
                        .at(50, world(workers(1, 1), value(Double.NaN)), noActions(), decides(NO_SAMPLES_SEEN))
                        .at(60, world(workers(1, 1), HIGH), noActions(), decides(highFor(0, 30))),
                scenario("a threshold holds when any sample, e.g. one instance, is over it", up(Duration.ZERO))
                        .at(0, world(workers(2, 2), value(0.5, 0.95, 0.1)), scales(NodeRole.WORKER, 2, 3),
                                decides(new Wanted(new Measured(0.95, Comparison.GREATER, 0.8, true),
                                        new ScalingUp(NodeRole.WORKER, "aws", 2, 3)))),
                scenario("an expression we cannot split holds when it returns any sample", anySample)
                        .at(0, world(workers(1, 1), NO_SAMPLES), noActions(),
                                decides(new ExpressionReturned(Optional.empty())))
                        .at(10, world(workers(1, 1), value(3)), scales(NodeRole.WORKER, 1, 2)),

                // ---- min / max / steps
                scenario("upBy sets the step", up(new GroupBounds(0, 5, 2, 1)))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 3)),
                scenario("the step is capped at the maximum", up(new GroupBounds(0, 5, 3, 1)))
                        .at(0, world(workers(3, 3), HIGH), scales(NodeRole.WORKER, 3, 5),
                                remembers(m -> assertThat(m.pending().get(NodeRole.WORKER).target()).isEqualTo(5))),
                scenario("at the maximum: no scale-up and one notification per episode",
                        up(new GroupBounds(0, 2, 1, 1)))
                        .at(0, world(workers(2, 2), HIGH), noScale(),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "maximum of 2"),
                                decides(wantedHigh(atMax2)))
                        .at(10, world(workers(2, 2), HIGH), noActions(), decides(wantedHigh(atMax2)))
                        .at(20, world(workers(2, 2), HIGH), noActions(), decides(wantedHigh(atMax2)))
                        .at(30, world(workers(2, 2), LOW), noActions())
                        .at(40, world(workers(2, 2), HIGH), noScale(),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "maximum of 2")),
                scenario("the group's own maximum narrows the policy's", up(WORKER_BOUNDS))
                        .at(0, world(group(NodeRole.WORKER, 3, 3, 3), HIGH), noScale(),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "maximum of 3"),
                                decides(wantedHigh(new AtMax(NodeRole.WORKER, "aws", 3)))),
                scenario("the group's own maximum caps the step", up(new GroupBounds(0, 5, 2, 1)))
                        .at(0, world(group(NodeRole.WORKER, 2, 2, 3), HIGH), scales(NodeRole.WORKER, 2, 3)),
                scenario("a group above the maximum is not scaled", up(new GroupBounds(0, 2, 1, 1)))
                        .at(0, world(workers(4, 4), HIGH), noScale(), decides(wantedHigh(atMax2))),

                // ---- nodes on their way
                scenario("never scales up while requested nodes are still joining", up(Duration.ZERO))
                        .at(0, world(workers(3, 2), HIGH), noActions(), decides(new WaitingForNodes("aws", 2, 3)),
                                decides(wantedHigh(new Joining(NodeRole.WORKER, 1)))),
                scenario("leaving instances are not capacity", up(Duration.ZERO))
                        .at(0, world(new NodeGroupState(NodeRole.WORKER, "aws", 2, 0, 10, List.of(
                                        new Instance("a", Lifecycle.IN_SERVICE, "node-" + "a", true),
                                        new Instance("b", Lifecycle.TERMINATING, "node-" + "b", true))), HIGH),
                                noScale(), decides(wantedHigh(new Joining(NodeRole.WORKER, 1)))),
                scenario("a pending scale-up blocks a second one for the same breach", up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2))
                        // the backend has not shown the new desired capacity yet: ours is still joining
                        .at(10, world(workers(1, 1), HIGH), noActions(),
                                decides(wantedHigh(new Joining(NodeRole.WORKER, 1))))
                        .at(20, world(workers(2, 1), HIGH), noActions(),
                                decides(wantedHigh(new Joining(NodeRole.WORKER, 1))),
                                decides(new WaitingForNodes("aws", 1, 2)))
                        // past the cooldown, still within the provision timeout
                        .at(400, world(workers(2, 1), HIGH), noActions(),
                                decides(wantedHigh(new Joining(NodeRole.WORKER, 1))))
                        .at(500, world(workers(1, 1), HIGH), noActions(),
                                decides(wantedHigh(new Joining(NodeRole.WORKER, 1)))),

                // ---- reschedule / provision timeout
                scenario("reschedules exactly the services labelled true once the new nodes are Ready",
                        up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2), noReschedule())
                        .at(30, world(workers(2, 1), LOW), noActions(), decides(new WaitingForNodes("aws", 1, 2)))
                        .at(60, world(workers(2, 2), LOW), reschedules("go-demo_main", "go-demo_api"), noScale(),
                                noNotify(), decides(new NodesReady(NodeRole.WORKER, "aws", 2, 2,
                                        List.of("go-demo_main", "go-demo_api"), RESCHEDULE_LABEL)),
                                remembers(m -> assertThat(m.pending()).isEmpty()))
                        .at(90, world(workers(2, 2), LOW), noActions()),
                scenario("reschedules when more than the target is Ready", up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2))
                        .at(60, world(workers(3, 3), LOW), reschedules("go-demo_main", "go-demo_api")),
                scenario("nothing to reschedule when no service carries the label", up(Duration.ZERO))
                        .at(0, world(List.of(workers(1, 1)), UNLABELLED_SERVICES, Map.of(ID1, HIGH)),
                                scales(NodeRole.WORKER, 1, 2))
                        .at(60, world(List.of(workers(2, 2)), UNLABELLED_SERVICES, Map.of(ID1, LOW)),
                                noScale(), notifies(Notification.Status.SUCCESS, Planner.SCALE_NODES_ALERT,
                                        "2 of 2 worker nodes are Ready on aws; no service is labelled"),
                                decides(new NodesReady(NodeRole.WORKER, "aws", 2, 2, List.of(), RESCHEDULE_LABEL)),
                                remembers(m -> assertThat(m.pending()).isEmpty())),
                scenario("gives up on nodes that are not Ready within the provision timeout", up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2))
                        .at(300, world(workers(2, 1), HIGH), noActions(), decides(new WaitingForNodes("aws", 1, 2)))
                        .at(599, world(workers(2, 1), HIGH), noActions())
                        .at(600, world(workers(2, 1), HIGH),
                                notifies(Status.ERROR, Planner.SCALE_NODES_ALERT, "Gave up"), noScale(),
                                noReschedule(), decides(new BackedOff(new ProvisionTimedOut(NodeRole.WORKER, "aws", 1,
                                        2, PROVISION_TIMEOUT, 1), Duration.ofMinutes(5))),
                                remembers(m -> assertThat(m.pending()).isEmpty()))
                        // the node turns up late: the scale-up was forgotten, so no reschedule
                        .at(660, world(workers(2, 2), LOW), noActions()),
                scenario("forgets a pending scale-up of a group that is no longer observed", up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2))
                        .at(10, world(List.of(), SERVICES, Map.of(ID1, LOW)), noActions(),
                                remembers(m -> assertThat(m.pending()).isEmpty())),

                // ---- cooldown
                scenario("cooldown after a scale-up", up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2))
                        .at(60, world(workers(2, 2), HIGH), reschedules("go-demo_main", "go-demo_api"), noScale(),
                                decides(wantedHigh(UP_COOLDOWN)))
                        .at(299, world(workers(2, 2), HIGH), noActions(), decides(wantedHigh(UP_COOLDOWN)))
                        .at(300, world(workers(2, 2), HIGH), scales(NodeRole.WORKER, 2, 3)),

                // ---- notify only / down
                scenario("scale=no notifies once per firing episode and never scales", notifyOnly)
                        .at(0, world(workers(1, 1), HIGH), noActions(), decides(highFor(0, 30)))
                        .at(30, world(workers(1, 1), HIGH),
                                notifies(Status.PENDING, "node_mem_limit_total_above",
                                        "Total memory of the nodes is over 0.8"),
                                noScale(), decides(new NotifyingOnly(SEEN_HIGH)))
                        .at(60, world(workers(1, 1), HIGH), noActions(), decides(new NotifyingOnly(SEEN_HIGH)))
                        .at(90, world(workers(1, 1), HIGH), noActions())
                        .at(100, world(workers(1, 1), LOW), noActions(),
                                remembers(m -> assertThat(m.announced()).isEmpty()))
                        .at(110, world(workers(1, 1), HIGH), noActions())
                        .at(140, world(workers(1, 1), HIGH),
                                notifies(Status.PENDING, "node_mem_limit_total_above", "over 0.8"), noScale()),
                scenario("scale=no notifies even at the maximum and while nodes are joining", notifyNow)
                        .at(0, world(workers(5, 4), HIGH),
                                notifies(Status.PENDING, "node_mem_limit_total_above", "over 0.8"), noScale()),
                scenario("a down policy removes nothing when no node of the group can be seen in the Swarm", down)
                        .at(0, world(List.of(workers(3, 3)), SERVICES, Map.of(ID2, value(0.01))), noActions(),
                                decides(new Wanted(new Measured(0.01, Comparison.LESS, 0.05, true),
                                        new NoCandidate(NodeRole.WORKER)))),
                scenario("a down policy does nothing at the minimum", down)
                        .at(0, world(List.of(workers(0, 0)), SERVICES, Map.of(ID2, value(0.01))), noActions(),
                                decides(new Wanted(new Measured(0.01, Comparison.LESS, 0.05, true),
                                        new AtMin(NodeRole.WORKER, "aws", 0)))),

                // ---- several policies and groups
                scenario("two up policies of one group scale it once per cycle", up(Duration.ZERO), secondUp)
                        .at(0, world(List.of(workers(1, 1)), SERVICES, Map.of(ID1, HIGH, ID2, HIGH)),
                                scales(NodeRole.WORKER, 1, 2),
                                decides(wantedHigh(new ChangedThisPass(NodeRole.WORKER)))),
                scenario("each group scales on its own", up(Duration.ZERO), managerUp)
                        .at(0, world(List.of(workers(1, 1), managers(3, 3)), SERVICES, Map.of(ID1, HIGH, MID, HIGH)),
                                scales(NodeRole.WORKER, 1, 2), scales(NodeRole.MANAGER, 3, 4))
                        .at(60, world(List.of(workers(2, 1), managers(4, 4)), SERVICES,
                                        Map.of(ID1, HIGH, MID, HIGH)),
                                noScale(), reschedules("go-demo_main", "go-demo_api"), decides(wantedHigh(UP_COOLDOWN)),
                                decides(wantedHigh(new Joining(NodeRole.WORKER, 1)))),
                scenario("a policy for a group the backend does not have does nothing", managerUp)
                        .at(0, world(List.of(workers(1, 1)), SERVICES, Map.of(MID, HIGH)), noActions(),
                                decides(wantedHigh(new NoGroup(NodeRole.MANAGER)))),

                // ---- policies removed from the labels
                scenario("a removed policy is forgotten and starts its for afresh when added again", up(seconds(60)))
                        .at(0, world(workers(1, 1), HIGH), noActions())
                        .policies()
                        .at(30, world(workers(1, 1), HIGH), noActions(),
                                remembers(m -> assertThat(m.trueSince()).isEmpty()))
                        .policies(up(seconds(60)))
                        .at(40, world(workers(1, 1), HIGH), noActions(), decides(highFor(0, 60)))
                        .at(90, world(workers(1, 1), HIGH), noActions(), decides(highFor(50, 60)))
                        .at(100, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2)),
                scenario("a removed notify-only policy is forgotten and announces again when added back", notifyNow)
                        .at(0, world(workers(1, 1), HIGH), notifies(Status.PENDING, "node_mem_limit_total_above",
                                "over 0.8"))
                        .at(10, world(workers(1, 1), HIGH), noActions())
                        .policies()
                        .at(20, world(workers(1, 1), HIGH), noActions(),
                                remembers(m -> assertThat(m.announced()).isEmpty()))
                        .policies(notifyNow)
                        .at(30, world(workers(1, 1), HIGH), notifies(Status.PENDING, "node_mem_limit_total_above",
                                "over 0.8")),
                scenario("removing a policy does not forget a scale-up on its way", up(Duration.ZERO))
                        .at(0, world(workers(1, 1), HIGH), scales(NodeRole.WORKER, 1, 2))
                        .policies()
                        .at(30, world(workers(2, 1), NO_DATA), noActions(),
                                remembers(m -> assertThat(m.pending()).containsKey(NodeRole.WORKER)))
                        .at(60, world(workers(2, 2), NO_DATA), reschedules("go-demo_main", "go-demo_api")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void planner(Scenario scenario) {
        ScalerMemory memory = ScalerMemory.empty();
        for (Step step : scenario.steps) {
            Plan plan = PLANNER.plan(step.observed(), step.policies(), memory, T0.plusSeconds(step.at()));
            for (Expect expect : step.expects()) {
                try {
                    expect.check(plan);
                } catch (AssertionError e) {
                    throw new AssertionError("at T0+%ds, actions %s, decisions %s: %s"
                            .formatted(step.at(), plan.actions(), plan.decisions(), e.getMessage()), e);
                }
            }
            memory = plan.memory();
        }
    }

    @Test
    void aScaleUpTheBackendRefusedLeavesNothingToWaitForAndNoCooldown() {
        ScalerMemory before = ScalerMemory.empty();
        PolicySet policies = new PolicySet(List.of(up(Duration.ZERO)), List.of());

        Plan first = PLANNER.plan(world(workers(1, 1), HIGH), policies, before, T0);
        assertThat(actions(first, ScaleGroup.class)).hasSize(1);
        ScalerMemory undone = first.memory().withActionsUndone(NodeRole.WORKER, before);

        assertThat(undone.pending()).isEmpty();
        assertThat(undone.lastScaleUp()).isEmpty();
        assertThat(undone.trueSince()).isEqualTo(first.memory().trueSince());
        Plan retry = PLANNER.plan(world(workers(1, 1), HIGH), policies, undone, T0.plusSeconds(10));
        assertThat(actions(retry, ScaleGroup.class)).singleElement()
                .satisfies(a -> assertThat(a.to()).isEqualTo(2));
    }

    @Test
    void thePlanSaysWhenTheNextTimerEnds() {
        PolicySet policies = new PolicySet(List.of(up(seconds(30))), List.of());

        Plan holding = PLANNER.plan(world(workers(1, 1), HIGH), policies, ScalerMemory.empty(), T0.plusSeconds(10));
        assertThat(holding.wakeAt()).as("when the condition will have held for its alertFor")
                .contains(T0.plusSeconds(40));

        Plan scaled = PLANNER.plan(world(workers(1, 1), HIGH), policies, holding.memory(), T0.plusSeconds(40));
        assertThat(actions(scaled, ScaleGroup.class)).hasSize(1);
        Plan waiting = PLANNER.plan(world(workers(2, 1), HIGH), policies, scaled.memory(), T0.plusSeconds(41));
        assertThat(waiting.wakeAt()).as("the provision timeout of the new nodes")
                .contains(T0.plusSeconds(40).plus(PROVISION_TIMEOUT));

        Plan quiet = PLANNER.plan(world(workers(1, 1), LOW), policies, ScalerMemory.empty(), T0);
        assertThat(quiet.wakeAt()).as("a quiet policy is looked at again within its alertFor")
                .contains(T0.plusSeconds(30));
        Plan untimed = PLANNER.plan(world(workers(1, 1), LOW), new PolicySet(List.of(up(Duration.ZERO)), List.of()),
                ScalerMemory.empty(), T0);
        assertThat(untimed.wakeAt()).as("nothing is timed: the interval decides").isEmpty();
    }

    @Test
    void alertForCountsFromTheBreachPrometheusSawNotFromThePassThatNoticedIt() {
        PolicySet policies = new PolicySet(List.of(up(seconds(30))), List.of());
        QueryResult heldSince25sAgo = new Samples(List.of(new Sample(Map.of(), 0.9)),
                java.util.Optional.of(T0.minusSeconds(25)));

        Plan first = PLANNER.plan(world(workers(1, 1), heldSince25sAgo), policies, ScalerMemory.empty(), T0);

        assertThat(first.actions()).isEmpty();
        assertThat(first.memory().trueSince()).containsEntry(ID1, T0.minusSeconds(25));
        assertThat(first.wakeAt()).as("5 s left of the 30 s").contains(T0.plusSeconds(5));
        Plan atDeadline = PLANNER.plan(world(workers(1, 1), HIGH), policies, first.memory(), T0.plusSeconds(5));
        assertThat(actions(atDeadline, ScaleGroup.class)).hasSize(1);
    }

    @Test
    void thePlannerIsAPureFunction() {
        PolicySet policies = new PolicySet(List.of(up(seconds(30))), List.of());
        ScalerMemory memory = new ScalerMemory(Map.of(ID1, T0), Map.of(), Map.of(), Map.of(), java.util.Set.of(), Map.of(), Map.of());
        Plan a = PLANNER.plan(world(workers(1, 1), HIGH), policies, memory, T0.plusSeconds(30));
        Plan b = PLANNER.plan(world(workers(1, 1), HIGH), policies, memory, T0.plusSeconds(30));
        assertThat(a).isEqualTo(b);
        assertThat(a.actions()).as("the pass acted, so that equal plans mean something").isNotEmpty();
        // The clock is an input like any other: a second earlier the condition has not held for 30 s yet.
        assertThat(PLANNER.plan(world(workers(1, 1), HIGH), policies, memory, T0.plusSeconds(29)).actions())
                .isEmpty();
    }
}
