package io.swarmscaler.model;

import io.swarmscaler.model.Action.RemoveNode;
import io.swarmscaler.model.Action.Reschedule;
import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Action.StandbyStep;
import io.swarmscaler.model.Progress.LeavingPool;
import io.swarmscaler.model.Progress.PoolAtMax;
import io.swarmscaler.model.Progress.RefillingPool;
import io.swarmscaler.model.Progress.StandingBy;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Warm standby nodes: K joined nodes of a group kept drained under our label, so that a scale-up makes one
 * schedulable in milliseconds instead of waiting for a boot. The label on the node is the truth: {@code true} while
 * it stands by, {@code activating} from the moment a scale-up sets it active until its services were rescheduled,
 * so that a restart finishes an activation it finds. Standby nodes are never capacity: not Ready in any count,
 * never a scale-down's victim, and they run no task.
 * <ul>
 *   <li>a scale-up activates standby nodes first and asks for their replacements in the same change;
 *   <li>a drained node returns to the pool while the pool lacks one, instead of being terminated;
 *   <li>a pool below K refills, one above K (or stale, past {@code maxIdle}) gives up its oldest nodes.
 * </ul>
 */
public final class WarmPool {
    /** Our node label: {@value #STANDING_BY} on a standby node, {@value #ACTIVATING} while one is activated. */
    public static final String LABEL = "com.df.scaler.standby";
    public static final String STANDING_BY = "true";
    public static final String ACTIVATING = "activating";

    /** A node's way in and out of the pool, each one node update, so that its label tells where it is. */
    public enum Step {
        /** Availability drain, our label {@value #STANDING_BY}, our drain mark removed. */
        STAND_BY("drain", Optional.of(STANDING_BY), "stand by"),
        /** Availability active, our label {@value #ACTIVATING}: its services are rescheduled next. */
        ACTIVATE("active", Optional.of(ACTIVATING), "activate standby"),
        /** The activation done: our label removed. */
        END_ACTIVATION("active", Optional.empty(), "end the activation of");

        public final String availability;
        /** Our label's value after the step; empty: removed. */
        public final Optional<String> label;
        public final String words;

        Step(String availability, Optional<String> label, String words) {
            this.availability = availability;
            this.label = label;
            this.words = words;
        }
    }

    /** The pool of a group as the status shows it: how many standby nodes are wanted, Ready, and on their way. */
    public record Status(int wanted, int ready, int refilling) {}

    /**
     * @param defaultWorkers standby worker nodes where no service sets {@code com.df.scaleWorkerNodeWarm}
     * @param maxIdle a standby node older than this is replaced; zero: never
     */
    public record Settings(int defaultWorkers, Duration maxIdle) {
        public Settings {
            if (defaultWorkers < 0 || maxIdle.isNegative()) {
                throw new IllegalArgumentException("warm pool settings need defaultWorkers >= 0 and maxIdle >= 0,"
                        + " got %d and %s".formatted(defaultWorkers, maxIdle));
            }
        }

        public static Settings off() {
            return new Settings(0, Duration.ZERO);
        }
    }

    private final PassState pass;
    private final PolicySet policies;

    WarmPool(PassState pass, PolicySet policies) {
        this.pass = pass;
        this.policies = policies;
    }

    public static boolean isStandby(SwarmNode node) {
        return STANDING_BY.equals(node.labels().get(LABEL));
    }

    static boolean isActivating(SwarmNode node) {
        return ACTIVATING.equals(node.labels().get(LABEL));
    }

    int wanted(NodeRole role) {
        return policies.groups().warmPools().getOrDefault(role,
                role == NodeRole.WORKER ? pass.settings.warm().defaultWorkers() : 0);
    }

    /**
     * A scale-up's first step: up to {@code want.by()} standby nodes, the oldest first, become active and the
     * labelled services are rescheduled onto them at once.
     *
     * @return the hostnames of the nodes activated
     */
    List<String> activate(Want want) {
        List<SwarmNode> chosen = standing(pass.group(want.role())).stream().limit(want.by()).toList();
        if (chosen.isEmpty()) {
            return List.of();
        }
        chosen.forEach(node -> pass.act(new StandbyStep(node, Step.ACTIVATE, want.why())));
        finishActivation(chosen, "standby %s activated".formatted(hostnames(chosen)));
        pass.poolChanges.merge(want.role(), -chosen.size(), Integer::sum);
        return hostnames(chosen);
    }

    /**
     * Whether a crash cut an activation of the group short: its node is left {@value #ACTIVATING}, and the pass
     * that activated it ended the activation before asking for the replacement.
     */
    boolean cutShort(NodeGroupState group) {
        return !members(group, WarmPool::isActivating).isEmpty();
    }

    /** How many standby nodes the group's pool lacks, counting those on their way and this pass's changes. */
    int deficit(NodeRole role) {
        return Math.max(0, wanted(role) - poolSize(role));
    }

    /** A drained node returns to the pool while the pool lacks one; then it is not removed. */
    boolean takeBack(SwarmNode node, NodeRole role) {
        if (pass.observed.group(role).isEmpty() || deficit(role) <= 0) {
            return false;
        }
        StandingBy standing = new StandingBy(node.hostname(), "returned to the warm pool after its drain");
        pass.act(new StandbyStep(node, Step.STAND_BY, standing.message()));
        pass.decide("node " + node.hostname(), standing);
        pass.poolChanges.merge(role, 1, Integer::sum);
        return true;
    }

    /** The newest Ready nodes a refill brought stand by, as many as it launched for the pool. */
    void admit(NodeGroupState group, PendingScaleUp scaleUp) {
        List<SwarmNode> joined = activeNodes(group).stream()
                .sorted(Comparator.comparing(SwarmNode::createdAt).reversed())
                .limit(scaleUp.standby()).toList();
        for (SwarmNode node : joined) {
            StandingBy standing = new StandingBy(node.hostname(), "joined to refill the warm pool");
            pass.act(new StandbyStep(node, Step.STAND_BY, standing.message()));
            pass.decide("node " + node.hostname(), standing);
        }
        pass.poolChanges.merge(group.role(), joined.size(), Integer::sum);
    }

    /** After the other rules: activations a crash cut short finish, the pools refill or shrink. */
    void follow() {
        for (NodeGroupState group : pass.observed.groups().values()) {
            List<SwarmNode> activating = members(group, WarmPool::isActivating);
            if (!activating.isEmpty()) {
                finishActivation(activating, "activation of %s resumed".formatted(hostnames(activating)));
            }
            if (!pass.changed.contains(group.role()) && !pass.pending.containsKey(group.role())
                    && GroupGate.backingOff(pass.backoff, group.role(), pass.now).isEmpty()) {
                refill(group);
                trim(group);
            }
            PendingScaleUp pending = pass.pending.get(group.role());
            pass.pools.put(group.role(), new Status(wanted(group.role()), group.standbyCount()
                    + pass.poolChanges.getOrDefault(group.role(), 0), pending == null ? 0 : pending.standby()));
        }
    }

    /** Asks for the machines the pool lacks (one more to replace a stale node), within the group's maximum. */
    private void refill(NodeGroupState group) {
        NodeRole role = group.role();
        int lacking = deficit(role);
        if (lacking == 0 && wanted(role) > 0 && poolSize(role) == wanted(role) && stalest(group).isPresent()) {
            lacking = 1; // its replacement first, so the pool never runs short; trim then removes the stale one
        }
        if (lacking == 0) {
            return;
        }
        int max = GroupLimits.of(policies, group, pass.settings.defaultBounds(role)).max();
        int from = group.desired();
        int to = Math.min(max, from + lacking);
        if (to <= from) {
            pass.decide(subject(role), new PoolAtMax(role, group.backend(), wanted(role), poolSize(role), max));
            return;
        }
        RefillingPool refilling = new RefillingPool(role, group.backend(), wanted(role), poolSize(role), from, to);
        pass.act(new ScaleGroup(role, from, to, refilling.message()));
        pass.decide(subject(role), refilling);
        pass.changed.add(role);
        pass.pending.put(role, new PendingScaleUp(from, to, pass.now, to - from));
    }

    /** Standby nodes beyond the pool's size leave it, the oldest first. */
    private void trim(NodeGroupState group) {
        List<SwarmNode> standing = standing(group);
        int excess = standing.size() - wanted(group.role());
        for (SwarmNode node : standing.subList(0, Math.max(0, excess))) {
            String instanceId = group.instanceOnNode(node.id()).map(Instance::id).orElse("");
            LeavingPool leaving = new LeavingPool(node.hostname(), wanted(group.role()), isStale(node)
                    ? Optional.of(pass.settings.warm().maxIdle()) : Optional.empty());
            pass.act(new RemoveNode(node, group.role(), instanceId, leaving.message()));
            pass.decide("node " + node.hostname(), leaving);
        }
    }

    private Optional<SwarmNode> stalest(NodeGroupState group) {
        Optional<SwarmNode> oldest = standing(group).stream().findFirst();
        oldest.ifPresent(n -> {
            if (!pass.settings.warm().maxIdle().isZero()) {
                pass.wakeAt(n.createdAt().plus(pass.settings.warm().maxIdle()));
            }
        });
        return oldest.filter(this::isStale);
    }

    private boolean isStale(SwarmNode node) {
        Duration maxIdle = pass.settings.warm().maxIdle();
        return !maxIdle.isZero() && !pass.now.isBefore(node.createdAt().plus(maxIdle));
    }

    private void finishActivation(List<SwarmNode> nodes, String why) {
        List<ServiceInfo> reschedulable = ScaleUpFollowUp.reschedulable(pass);
        if (!reschedulable.isEmpty()) {
            pass.act(new Reschedule(reschedulable, why));
        }
        nodes.forEach(node -> pass.act(new StandbyStep(node, Step.END_ACTIVATION, why)));
    }

    /** Ready standby nodes, Ready and wanted or on their way, as this pass leaves the pool. */
    private int poolSize(NodeRole role) {
        NodeGroupState group = pass.group(role);
        PendingScaleUp pending = pass.pending.get(role);
        return (group == null ? 0 : group.standbyCount()) + pass.poolChanges.getOrDefault(role, 0)
                + (pending == null ? 0 : pending.standby());
    }

    /** The group's Ready standby nodes, the oldest first. */
    private List<SwarmNode> standing(NodeGroupState group) {
        return members(group, n -> n.ready() && isStandby(n)).stream()
                .sorted(Comparator.comparing(SwarmNode::createdAt)).toList();
    }

    /** The group's Ready, active nodes that are neither standing by nor draining: what a refill's nodes join as. */
    private List<SwarmNode> activeNodes(NodeGroupState group) {
        return members(group, n -> n.ready() && n.active() && !n.labels().containsKey(LABEL)
                && !n.draining());
    }

    /** The group's nodes that match, the cheap test first: most passes of a big Swarm find no label of ours. */
    private List<SwarmNode> members(NodeGroupState group, Predicate<SwarmNode> matching) {
        return pass.observed.nodes().stream().filter(matching)
                .filter(n -> group.instanceOnNode(n.id()).isPresent()).toList();
    }

    private static List<String> hostnames(List<SwarmNode> nodes) {
        return nodes.stream().map(SwarmNode::hostname).toList();
    }

    private static String subject(NodeRole role) {
        return role.word() + " nodes";
    }
}
