package io.swarmscaler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Observation.AlreadyHandled;
import io.swarmscaler.model.Observation.ExpressionReturned;
import io.swarmscaler.model.Observation.Holding;
import io.swarmscaler.model.Observation.Measured;
import io.swarmscaler.model.Observation.NoData;
import io.swarmscaler.model.Observation.NotifyingOnly;
import io.swarmscaler.model.Observation.Requested;
import io.swarmscaler.model.Observation.SameRequest;
import io.swarmscaler.model.Observation.Wanted;
import io.swarmscaler.model.Progress.BackedOff;
import io.swarmscaler.model.Progress.DrainTimedOut;
import io.swarmscaler.model.Progress.Drained;
import io.swarmscaler.model.Progress.Draining;
import io.swarmscaler.model.Progress.LaunchFailed;
import io.swarmscaler.model.Progress.NodesReady;
import io.swarmscaler.model.Progress.ProvisionTimedOut;
import io.swarmscaler.model.Progress.ScalingDown;
import io.swarmscaler.model.Progress.ScalingUp;
import io.swarmscaler.model.Progress.ServiceShort;
import io.swarmscaler.model.Progress.TasksLeft;
import io.swarmscaler.model.Progress.WaitingForNodes;
import io.swarmscaler.model.Refusal.AtMax;
import io.swarmscaler.model.Refusal.AtMin;
import io.swarmscaler.model.Refusal.BackingOff;
import io.swarmscaler.model.Refusal.ChangedThisPass;
import io.swarmscaler.model.Refusal.Cooldown;
import io.swarmscaler.model.Refusal.DrainInProgress;
import io.swarmscaler.model.Refusal.Joining;
import io.swarmscaler.model.Refusal.LastNode;
import io.swarmscaler.model.Refusal.ManagersStayOdd;
import io.swarmscaler.model.Refusal.TasksPending;
import io.swarmscaler.model.Refusal.NoCandidate;
import io.swarmscaler.model.Refusal.NoEligibleNode;
import io.swarmscaler.model.Refusal.NoGroup;
import io.swarmscaler.model.Refusal.NoRoom;
import io.swarmscaler.model.Refusal.NodeKept;
import io.swarmscaler.model.Refusal.QuorumLoss;
import io.swarmscaler.model.Refusal.UncheckableConstraint;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The words people read for each reason, pinned once here: the planner's tests compare reasons, not text. One row
 * for every kind of reason, and one more for each kind whose sentence has two forms.
 */
class ReasonTest {

    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    static final Measured HIGH = new Measured(0.9, Comparison.GREATER, 0.8, true);
    static final LaunchFailed LAUNCH_FAILED =
            new LaunchFailed(NodeRole.WORKER, "aws", "InsufficientInstanceCapacity", 2, 3);
    static final String LAUNCH_FAILED_WORDS =
            "Launching worker nodes on aws failed: InsufficientInstanceCapacity; 2 of 3 Ready, services were not"
                    + " rescheduled";

    static Stream<Arguments> messages() {
        return Stream.of(
                // ---- what the planner saw
                row(new NoData("Prometheus is unreachable"), "no data (Prometheus is unreachable), no action"),
                row(new Measured(0.95, Comparison.GREATER, 0.8, true), "value 0.95 > 0.8"),
                row(new Measured(0.5, Comparison.GREATER, 0.8, false), "value 0.5, condition > 0.8 does not hold"),
                row(new ExpressionReturned(Optional.of(3.0)), "the alert expression returned 3"),
                row(new ExpressionReturned(Optional.empty()), "the alert expression returned no samples"),
                row(new Holding(HIGH, Duration.ofSeconds(15), Duration.ofSeconds(30)),
                        "value 0.9 > 0.8, held 15s of 30s"),
                row(new NotifyingOnly(HIGH), "value 0.9 > 0.8; scale=no, notifying only"),
                row(new Requested("alertmanager", ScaleDirection.UP, 1), "alertmanager up by 1"),
                row(new Wanted(HIGH, new ScalingUp(NodeRole.WORKER, "aws", 1, 2)),
                        "value 0.9 > 0.8; Changing the number of worker nodes on aws from 1 to 2"),
                row(new AlreadyHandled(T0, "alertmanager"),
                        "Already handled at 2024-05-01T10:00:00Z (alertmanager); not scaling again within the"
                                + " cooldown"),
                row(new SameRequest("r1", "alertmanager"),
                        "Same request as r1 in this pass (alertmanager); handled once"),
                row(new Observation.Tracking(HIGH, 3, 0.75, 4),
                        "value 0.9 > 0.8; the target 0.75 needs 4 node(s) instead of 3"),
                row(new Observation.PendingTasks(NodeRole.WORKER, 5, Duration.ofSeconds(10), 3,
                                new NodeShape(2_000_000_000L, 4L << 30)),
                        "5 task(s) pending for 10s or more need 3 new worker node(s) of 2 CPU and 4096 MiB"),

                // ---- why not
                row(new NoGroup(NodeRole.MANAGER),
                        "no manager node group is configured on this backend, nothing to scale"),
                row(new ChangedThisPass(NodeRole.WORKER), "worker nodes were already changed in this cycle"),
                row(new BackingOff(NodeRole.WORKER, T0.plusSeconds(330), LAUNCH_FAILED.message()),
                        "worker nodes are in backoff until 2024-05-01T10:05:30Z after: " + LAUNCH_FAILED_WORDS),
                row(new Joining(NodeRole.WORKER, 1),
                        "waiting for 1 requested worker node(s) to join before scaling again"),
                row(new Cooldown(ScaleDirection.DOWN, ScaleDirection.UP, Duration.ofMinutes(10), T0.plusSeconds(600)),
                        "no scale-down within 10m of the last scale-up; waiting until 2024-05-01T10:10:00Z"),
                row(new DrainInProgress(NodeRole.WORKER), "a worker node is being drained already; one at a time"),
                row(new AtMax(NodeRole.WORKER, "aws", 2),
                        "Worker nodes on aws are at the maximum of 2; not scaling up"),
                row(new AtMin(NodeRole.MANAGER, "aws", 3),
                        "Manager nodes on aws are at the minimum of 3; not scaling down"),
                row(new LastNode(NodeRole.WORKER, "aws"), "not removing the last worker node on aws: its policies would"
                        + " have no node to measure and could never scale up again; only a scale request may take the"
                        + " group to zero"),
                row(new TasksPending(NodeRole.WORKER, "web", 2),
                        "2 task(s) of service web are pending and could run on worker nodes; not removing any"),
                row(new ManagersStayOdd(1, 4),
                        "removing 1 would leave an even number of managers (4); managers stay odd to keep Raft quorum"),
                row(new QuorumLoss(2, 4),
                        "only 2 of the 4 remaining managers would be reachable: Raft would lose quorum"),
                row(new NoCandidate(NodeRole.WORKER), "no worker node may be removed: each is protected"
                        + " (com.df.scaler.protect=true), busy draining, not Ready, or not one of the group's"
                        + " instances"),
                row(new NodeKept("manager-4", new QuorumLoss(2, 4)),
                        "not removing manager-4: only 2 of the 4 remaining managers would be reachable: Raft would lose"
                                + " quorum"),
                row(new UncheckableConstraint("odd", List.of("node.unknown==x", "node.other==y")),
                        "service odd has a placement constraint that cannot be checked (node.unknown==x,"
                                + " node.other==y)"),
                row(new NoEligibleNode("db", List.of("node.labels.disk==ssd")),
                        "a task of service db could run on no remaining node (constraints: node.labels.disk==ssd)"),
                row(new NoEligibleNode("db", List.of()),
                        "a task of service db could run on no remaining node (constraints: none)"),
                row(new NoRoom("big", 500_000_000L, 3072L << 20),
                        "a task of service big reserves 0.5 CPU and 3072 MiB, and no remaining node has room"),
                row(new Refusal.MemoryPrediction(0.45, 0.9, 0.8, 0.05), "memory would rise from 0.45 to 0.9, not below"
                        + " the scale-up threshold 0.8 minus the margin 0.05"),
                row(new Refusal.TooBigForNewNode("huge", 1_500_000_000L, 8L << 30),
                        "a task of service huge is pending and reserves 1.5 CPU and 8192 MiB, more than a new node of"
                                + " any group offers; no reason to scale"),
                row(new Refusal.NoNewNodeAllowed("pinned", List.of("node.hostname==worker-0")),
                        "a task of service pinned is pending and its constraints (node.hostname==worker-0) allow no"
                                + " new node of any group; no reason to scale"),
                row(new Refusal.NotForLackOfNodes("web", "no suitable node (max replicas per node limit exceed)"),
                        "a task of service web is pending for another reason than room or constraints (no suitable"
                                + " node (max replicas per node limit exceed)); no reason to scale"),
                row(new Refusal.NoShape(NodeRole.WORKER), "the worker group has no node to learn a new node's size"
                        + " from and no com.df.scaler.nodeShape label gives it; pending tasks cannot be sized for it"),
                // a computed ratio is shown to three decimals at most
                row(new Refusal.MemoryPrediction(0.6, 0.6 * 3 / 2, 0.8, 0.05), "memory would rise from 0.6 to 0.9,"
                        + " not below the scale-up threshold 0.8 minus the margin 0.05"),

                // ---- changes of capacity and how they go on
                // the seed's sentence
                row(new ScalingUp(NodeRole.WORKER, "aws", 1, 2),
                        "Changing the number of worker nodes on aws from 1 to 2"),
                row(new ScalingDown(NodeRole.WORKER, "aws", 2, 1, List.of("worker-1"), Optional.empty()),
                        "Changing the number of worker nodes on aws from 2 to 1: draining worker-1 (fewest tasks)"),
                row(new ScalingDown(NodeRole.WORKER, "aws", 4, 2, List.of("worker-3", "worker-2"),
                                Optional.of(new NodeKept("worker-0",
                                        new NoEligibleNode("db", List.of("node.labels.disk==ssd"))))),
                        "Changing the number of worker nodes on aws from 4 to 2: draining worker-3, worker-2 (fewest"
                                + " tasks; not removing worker-0: a task of service db could run on no remaining node"
                                + " (constraints: node.labels.disk==ssd))"),
                row(new NodesReady(NodeRole.WORKER, "aws", 2, 2, List.of("go-demo_main", "go-demo_api"),
                                "com.df.reschedule"),
                        "2 of 2 worker nodes are Ready on aws; rescheduling go-demo_main, go-demo_api"),
                row(new NodesReady(NodeRole.WORKER, "aws", 2, 2, List.of(), "com.df.reschedule"),
                        "2 of 2 worker nodes are Ready on aws; no service is labelled com.df.reschedule=true, nothing"
                                + " to reschedule"),
                row(new WaitingForNodes("aws", 1, 2), "waiting for new nodes: 1 of 2 Ready on aws"),
                row(new Progress.ScaleUpCutShort(NodeRole.WORKER, "aws", 2, 3), "a restart cut short the scale-up of"
                        + " worker nodes on aws to 3 before it was asked for (a standby node was left activating; the"
                        + " group wants 2): not waiting for it"),
                row(LAUNCH_FAILED, LAUNCH_FAILED_WORDS),
                row(new ProvisionTimedOut(NodeRole.WORKER, "aws", 1, 2, Duration.ofMinutes(10), 1),
                        "Gave up waiting for worker nodes on aws: 1 of 2 Ready 10m after the scale-up from 1; services"
                                + " were not rescheduled"),
                row(new BackedOff(LAUNCH_FAILED, Duration.ofMinutes(5)), LAUNCH_FAILED_WORDS + "; backing off for 5m"),
                row(new Drained("worker-1"), "worker-1 is drained; its tasks run elsewhere: removing it"),
                row(new Draining(T0, new TasksLeft(1)), "draining since 2024-05-01T10:00:00Z: 1 task(s) still on it"),
                row(new DrainTimedOut("worker-2", Duration.ofMinutes(10), new TasksLeft(1)),
                        "Draining worker-2 did not finish within 10m (1 task(s) still on it); putting it back to"
                                + " active"),
                row(new TasksLeft(3), "3 task(s) still on it"),
                row(new ServiceShort("web", 1, 2), "service web has 1 of 2 tasks running elsewhere"),
                row(new Observation.Predicted(new Measured(0.6, Comparison.GREATER, 0.8, false), 0.9,
                        Comparison.GREATER, 0.8, Duration.ofMinutes(10), true),
                        "value 0.6, condition > 0.8 does not hold; predicted 0.9 in 10m, > 0.8"),
                row(new Observation.Predicted(new Measured(0.6, Comparison.GREATER, 0.8, false), 0.7,
                        Comparison.GREATER, 0.8, Duration.ofMinutes(10), false),
                        "value 0.6, condition > 0.8 does not hold; predicted 0.7 in 10m, not > 0.8 either"),
                row(new Observation.PredictionUnused(new Measured(0.6, Comparison.GREATER, 0.8, false),
                        "only 12 of the 60 samples the lookback needs"), "value 0.6, condition > 0.8 does not hold;"
                                + " no prediction: only 12 of the 60 samples the lookback needs"),
                row(new Progress.ActivatingStandby(NodeRole.WORKER, "aws", List.of("w3"), 3, 4),
                        "activating standby worker node w3; changing the number of worker nodes on aws from 3 to 4"
                                + " to refill the warm pool"),
                row(new Progress.ActivatingStandby(NodeRole.WORKER, "aws", List.of("w3", "w4"), 5, 5),
                        "activating standby worker nodes w3, w4"),
                row(new Progress.RefillingPool(NodeRole.WORKER, "local", 2, 1, 3, 4),
                        "the warm pool of worker nodes has 1 of 2 standby nodes: changing the number of worker nodes"
                                + " on local from 3 to 4"),
                row(new Progress.PoolAtMax(NodeRole.WORKER, "aws", 1, 0, 5),
                        "the warm pool of worker nodes has 0 of 1 standby nodes and cannot refill: the group is at"
                                + " its maximum of 5 on aws"),
                row(new Progress.StandingBy("w3", "joined to refill the warm pool"),
                        "node w3 stands by: joined to refill the warm pool"),
                row(new Progress.LeavingPool("w3", 1, Optional.empty()),
                        "standby node w3 leaves the warm pool: the pool wants 1"),
                row(new Progress.LeavingPool("w3", 1, Optional.of(Duration.ofHours(24))),
                        "standby node w3 leaves the warm pool: it stood by longer than 24h (WARM_NODE_MAX_IDLE)"),
                row(new Progress.ScalingService(new ServiceScaling.Scaling("web", ScaleDirection.UP, 2, 3, 4)),
                        "Scaling web from 2 to 3 replicas (max: 4)"),
                row(new Refusal.ServiceUnchanged("web", "web is already scaled to the maximum number of 4 replicas"),
                        "web is already scaled to the maximum number of 4 replicas"));
    }

    static Arguments row(Reason reason, String message) {
        return Arguments.of(reason, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void readsAsWritten(Reason reason, String message) {
        assertThat(reason.message()).isEqualTo(message);
    }

    @Test
    void everyKindOfReasonHasItsWordsPinned() {
        Set<Class<?>> pinned = messages().map(a -> a.get()[0].getClass()).collect(Collectors.toSet());
        Set<Class<?>> kinds = Arrays.stream(Reason.class.getPermittedSubclasses())
                .flatMap(family -> Arrays.stream(family.getPermittedSubclasses())).collect(Collectors.toSet());
        assertThat(kinds).as("kinds of reason, from all three families").contains(NoData.class, Cooldown.class,
                ScalingUp.class);
        assertThat(pinned).containsExactlyInAnyOrderElementsOf(kinds);
    }
}
