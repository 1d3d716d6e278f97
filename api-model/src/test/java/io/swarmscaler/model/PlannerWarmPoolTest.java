package io.swarmscaler.model;

import static io.swarmscaler.model.PlannerTest.HIGH;
import static io.swarmscaler.model.PlannerTest.ID1;
import static io.swarmscaler.model.PlannerTest.ID2;
import static io.swarmscaler.model.PlannerTest.LOW;
import static io.swarmscaler.model.PlannerTest.OVER_08;
import static io.swarmscaler.model.PlannerTest.SERVICES;
import static io.swarmscaler.model.PlannerTest.T0;
import static io.swarmscaler.model.PlannerTest.policy;
import static io.swarmscaler.model.PlannerTest.reasons;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Action.DrainNode;
import io.swarmscaler.model.Action.RemoveNode;
import io.swarmscaler.model.Action.Reschedule;
import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Action.StandbyStep;
import io.swarmscaler.model.Instance.Lifecycle;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The warm pool's rules, one pass each: a world of worker nodes written as {@code w0} (active), {@code w1:standby},
 * {@code w2:activating}, {@code w3:drained} (our drain mark, its tasks gone), {@code w4:joining} (asked for, not
 * yet a node) or {@code w5:stale} (standing by for longer than {@link #MAX_IDLE}), a pool size K, what the scale-up policy sees, and the actions expected, in order.
 */
class PlannerWarmPoolTest {
    static final Duration MAX_IDLE = Duration.ofDays(60);
    static final Planner PLANNER = new Planner(new Planner.Settings(Duration.ofMinutes(5), Duration.ofMinutes(10),
            PlannerTest.RESCHEDULE_LABEL, Duration.ofMinutes(10), Duration.ofMinutes(10), 0.05,
            Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofSeconds(10),
            Map.of(NodeRole.WORKER, GroupBounds.defaultsFor(NodeRole.WORKER), NodeRole.MANAGER,
                    GroupBounds.defaultsFor(NodeRole.MANAGER)), new ServiceScaling.Defaults(1, 5),
            new WarmPool.Settings(0, MAX_IDLE)));
    static final GroupBounds BOUNDS = new GroupBounds(0, 5, 1, 1);
    static final String RESCHEDULED = "reschedule go-demo_main, go-demo_api";

    /** One pass: its world, what it remembers, and what it must do. */
    record Case(String name, List<String> nodes, int warm, GroupBounds bounds, QueryResult seen,
            Optional<PendingScaleUp> pending, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case pass(String name, String nodes, int warm, QueryResult seen, String... expected) {
        return new Case(name, List.of(nodes.split(" ")), warm, BOUNDS, seen, Optional.empty(), List.of(expected));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                pass("a breach activates the standby node, reschedules at once and asks for its replacement",
                        "w0 w1:standby", 1, HIGH,
                        "activate w1", RESCHEDULED, "end activation of w1", "scale 2->3"),
                pass("without standby nodes a breach launches its node and the pool's", "w0", 1, HIGH, "scale 1->3"),
                pass("without a pool nothing but the breach's node", "w0", 0, HIGH, "scale 1->2"),
                pass("a quiet pool below K refills", "w0", 2, LOW, "scale 1->3"),
                pass("a full pool does nothing", "w0 w1:standby", 1, LOW),
                pass("a drained node returns to a pool that lacks one", "w0 w1:drained", 1, LOW, "standby w1"),
                pass("a drained node is removed when the pool is full", "w0 w1:standby w2:drained", 1, LOW,
                        "remove w2"),
                pass("standby nodes beyond K leave, the oldest first", "w0 w1:standby w2:standby", 1, LOW,
                        "remove w1"),
                pass("an activation a crash cut short finishes, and the pool refills", "w0 w1:activating", 1, LOW,
                        RESCHEDULED, "end activation of w1", "scale 2->3"),
                pass("a refill on its way is not asked for twice", "w0 w1:joining", 1, LOW),
                pass("a standby node is never a scale-down's victim nor the group's last node",
                        "w0 w1:standby", 1, PlannerScaleDownTest.QUIET),
                pass("a standby node older than WARM_NODE_MAX_IDLE gets its replacement first", "w0 w1:stale",
                        1, LOW, "scale 2->3"),
                new Case("at the maximum the activation goes on without a replacement",
                        List.of("w0", "w1:standby"), 1, new GroupBounds(0, 2, 1, 1), HIGH, Optional.empty(),
                        List.of("activate w1", RESCHEDULED, "end activation of w1")),
                new Case("a step of two activates the standby node and launches the rest and the replacement",
                        List.of("w0", "w1:standby"), 1, new GroupBounds(0, 5, 2, 1), HIGH, Optional.empty(),
                        List.of("activate w1", RESCHEDULED, "end activation of w1", "scale 2->4")),
                new Case("an activation a SIGKILL cut short before its replacement was asked for: both finish",
                        List.of("w0", "w1:activating"), 1, BOUNDS, LOW, Optional.of(new PendingScaleUp(2, 3, T0, 1)),
                        List.of(RESCHEDULED, "end activation of w1", "scale 2->3")),
                new Case("the node a refill brought stands by and nothing is rescheduled",
                        List.of("w0", "w1"), 1, BOUNDS, LOW, Optional.of(new PendingScaleUp(1, 2, T0, 1)),
                        List.of("standby w1")),
                new Case("of a scale-up with a refill, the newest node stands by and the others take tasks",
                        List.of("w0", "w1", "w2"), 1, BOUNDS, LOW, Optional.of(new PendingScaleUp(1, 3, T0, 1)),
                        List.of("standby w2", RESCHEDULED)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(Case c) {
        ScalerMemory memory = c.pending().map(p -> new ScalerMemory(Map.of(), Map.of(), Map.of(),
                Map.of(NodeRole.WORKER, p), java.util.Set.of(), Map.of(), Map.of())).orElse(ScalerMemory.empty());
        List<Policy> policies = List.of(policy(ID1, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO, c.bounds(),
                OVER_08), policy(ID2, ScaleDirection.DOWN, NodeRole.WORKER, Duration.ZERO, c.bounds(),
                PlannerScaleDownTest.UNDER_05));
        QueryResult down = c.seen() == PlannerScaleDownTest.QUIET ? c.seen() : LOW;
        Plan plan = PLANNER.plan(world(c.nodes(), Map.of(ID1, c.seen(), ID2, down)),
                new PolicySet(policies, List.of(), warm(c.warm())), memory,
                T0.plusSeconds(30));
        assertThat(plan.actions().stream().map(PlannerWarmPoolTest::words).flatMap(Optional::stream).toList())
                .as("actions, with the decisions %s", reasons(plan)).containsExactlyElementsOf(c.expected());
    }

    /** The pool as the status shows it: standby nodes wanted, Ready, and on their way. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void poolStatusAddsUp(Case c) {
        Plan plan = PLANNER.plan(world(c.nodes(), Map.of(ID1, c.seen())), new PolicySet(List.of(), List.of(),
                warm(c.warm())), ScalerMemory.empty(), T0.plusSeconds(30));
        WarmPool.Status status = plan.capacity().pools().get(NodeRole.WORKER);
        assertThat(status.wanted()).isEqualTo(c.warm());
        long standing = c.nodes().stream().filter(n -> n.endsWith(":standby") || n.endsWith(":stale")).count();
        // At most K, or what stood by already, or K and a stale node's replacement.
        assertThat(status.ready() + status.refilling()).isLessThanOrEqualTo((int) Math.max(c.warm() + 1, standing));
        assertThat(status.ready()).isLessThanOrEqualTo((int) standing + 1);
    }

    /** Services ask the worker group to keep {@code k} standby nodes. */
    private static PolicySet.GroupLabels warm(int k) {
        return new PolicySet.GroupLabels(Map.of(), Map.of(NodeRole.WORKER, k));
    }

    private static Optional<String> words(Action action) {
        if (action instanceof StandbyStep s) {
            return Optional.of(Map.of(WarmPool.Step.ACTIVATE, "activate ", WarmPool.Step.END_ACTIVATION,
                    "end activation of ", WarmPool.Step.STAND_BY, "standby ").get(s.step()) + s.node().hostname());
        } else if (action instanceof RemoveNode r) {
            return Optional.of("remove " + r.node().hostname());
        } else if (action instanceof DrainNode d) {
            return Optional.of("drain " + d.node().hostname());
        } else if (action instanceof ScaleGroup s) {
            return Optional.of("scale %d->%d".formatted(s.from(), s.to()));
        } else if (action instanceof Reschedule r) {
            return Optional.of("reschedule " + String.join(", ", r.services().stream().map(ServiceInfo::name)
                    .toList()));
        }
        return Optional.empty(); // notifications
    }

    /** Worker {@code wN} is instance {@code worker-N} on node {@code node-wN}, created N days after a month ago. */
    static ObservedState world(List<String> specs, Map<PolicyId, QueryResult> results) {
        List<SwarmNode> nodes = new ArrayList<>();
        List<Instance> instances = new ArrayList<>();
        for (String spec : specs) {
            String[] parts = spec.split(":");
            String host = parts[0];
            String state = parts.length > 1 ? parts[1] : "active";
            int index = Integer.parseInt(host.substring(1));
            if (state.equals("joining")) {
                instances.add(new Instance("worker-" + index, Lifecycle.PENDING, "", false));
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            switch (state) {
                case "standby", "stale" -> labels.put(WarmPool.LABEL, WarmPool.STANDING_BY);
                case "activating" -> labels.put(WarmPool.LABEL, WarmPool.ACTIVATING);
                case "drained" -> labels.put(Planner.DRAINING_LABEL, T0.toString());
                default -> { }
            }
            boolean stale = state.equals("stale");
            boolean standby = state.equals("standby") || stale;
            nodes.add(new SwarmNode("node-" + host, host, "10.0.0." + index, NodeRole.WORKER, true,
                    standby || state.equals("drained") ? "drain" : "active", false, Map.of(), labels,
                    2_000_000_000L, 4L << 30, T0.minus(stale ? MAX_IDLE.plusDays(1) : Duration.ofDays(30 - index))));
            instances.add(new Instance("worker-" + index, Lifecycle.IN_SERVICE, "node-" + host, true, standby));
        }
        NodeGroupState group = new NodeGroupState(NodeRole.WORKER, "aws", instances.size(), 0, Integer.MAX_VALUE,
                instances);
        return new ObservedState(Map.of(NodeRole.WORKER, group), nodes, SERVICES, List.of(), results, List.of(),
                Map.of());
    }
}
