package io.swarmscaler.model;

import io.swarmscaler.model.Refusal.BackingOff;
import io.swarmscaler.model.Refusal.ChangedThisPass;
import io.swarmscaler.model.Refusal.Cooldown;
import io.swarmscaler.model.Refusal.DrainInProgress;
import io.swarmscaler.model.Refusal.Joining;
import io.swarmscaler.model.Refusal.NoGroup;
import io.swarmscaler.model.ScalerMemory.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What stops a group changing, in one place: no group, a change already made this pass, backoff after a failure,
 * nodes still joining, a drain under way, and the cooldowns. The status reads the same timers through the static
 * methods, so it cannot disagree with the planner.
 */
public final class GroupGate {
    /** A failure this long after a group's backoff ended is not "in a row" with the earlier ones. */
    static final Duration BACKOFF_RESET_AFTER = Duration.ofHours(3);

    private final PassState pass;

    GroupGate(PassState pass) {
        this.pass = pass;
    }

    /** Why the group may not change in that direction now: the gate every want passes before its rule sizes it. */
    Optional<Refusal> whyNot(ScaleDirection direction, NodeRole role) {
        return direction == ScaleDirection.UP ? whyNotUp(role) : whyNotDown(role);
    }

    /** Why the group may not grow now. */
    private Optional<Refusal> whyNotUp(NodeRole role) {
        return wakeAtItsEnd(whyNotChange(role)
                .or(() -> joining(role))
                .or(() -> upCooldown(pass.lastScaleUp, pass.settings, role, pass.now).map(Refusal.class::cast)));
    }

    /** Why the group may not shrink now. */
    private Optional<Refusal> whyNotDown(NodeRole role) {
        return wakeAtItsEnd(whyNotChange(role)
                .or(() -> drainUnderWay(role))
                .or(() -> joining(role))
                .or(() -> downCooldown(pass.lastScaleUp, pass.lastScaleDown, pass.settings, role, pass.now)
                        .map(Refusal.class::cast)));
    }

    /** A want held back by a timer is looked at again when the timer ends, not at the next tick. */
    private Optional<Refusal> wakeAtItsEnd(Optional<Refusal> refusal) {
        refusal.ifPresent(r -> {
            if (r instanceof Cooldown c) {
                pass.wakeAt(c.until());
            } else if (r instanceof BackingOff b) {
                pass.wakeAt(b.until());
            }
        });
        return refusal;
    }

    /** Why the group may not change in either direction. */
    private Optional<Refusal> whyNotChange(NodeRole role) {
        if (pass.group(role) == null) {
            return Optional.of(new NoGroup(role));
        }
        if (pass.changed.contains(role)) {
            return Optional.of(new ChangedThisPass(role));
        }
        return backingOff(pass.backoff, role, pass.now)
                .map(b -> new BackingOff(role, b.until(), b.reason()));
    }

    private Optional<Refusal> joining(NodeRole role) {
        NodeGroupState group = pass.group(role);
        // Ours may not show in the group yet: a scale-up just asked for is still joining.
        int ours = Optional.ofNullable(pass.pending.get(role)).map(p -> p.target() - group.readyCount()
                - group.standbyCount()).orElse(0);
        int joining = Math.max(group.joiningCount(), ours);
        return joining > 0 || pass.pending.containsKey(role) ? Optional.of(new Joining(role, joining))
                : Optional.empty();
    }

    private Optional<Refusal> drainUnderWay(NodeRole role) {
        NodeGroupState group = pass.group(role);
        boolean draining = pass.observed.nodes().stream().anyMatch(n -> n.draining()
                // By instance too: a manager is demoted before it is drained.
                && (n.role() == role || group.instanceOnNode(n.id()).isPresent()));
        return draining ? Optional.of(new DrainInProgress(role)) : Optional.empty();
    }

    /**
     * Puts a failing group in backoff, doubling after each failure in a row, and tells the operator. A failure
     * long after the last backoff ended starts again from the first length, as in Cluster Autoscaler.
     */
    void fail(NodeRole role, Reason cause) {
        Backoff previous = pass.backoff.get(role);
        boolean inARow = previous != null && pass.now.isBefore(previous.until().plus(BACKOFF_RESET_AFTER));
        Duration length = !inARow ? pass.settings.firstBackoff()
                : min(previous.length().multipliedBy(2), pass.settings.maxBackoff());
        pass.backoff.put(role, new Backoff(pass.now.plus(length), length, cause.message()));
        Progress.BackedOff reason = new Progress.BackedOff(cause, length);
        pass.decide(role.word() + " nodes", reason);
        pass.notify(new Notification(Planner.SCALE_NODES_ALERT, role.word(), Notification.Status.ERROR,
                reason.message(), "scaling of " + role.word() + " nodes"));
    }

    // ---- the timers, for the planner and the status alike --------------------------------------------------------

    /** The end of the group's scale-up cooldown, while it runs. */
    public static Optional<Instant> scaleUpCooldownUntil(ScalerMemory memory, Planner.Settings settings,
            NodeRole role, Instant now) {
        return upCooldown(memory.lastScaleUp(), settings, role, now).map(Cooldown::until);
    }

    /** The end of the group's scale-down cooldown (after a scale-up or a scale-down), while it runs. */
    public static Optional<Instant> scaleDownCooldownUntil(ScalerMemory memory, Planner.Settings settings,
            NodeRole role, Instant now) {
        return downCooldown(memory.lastScaleUp(), memory.lastScaleDown(), settings, role, now).map(Cooldown::until);
    }

    /** The group's backoff, while it runs. */
    public static Optional<Backoff> backoffOf(ScalerMemory memory, NodeRole role, Instant now) {
        return backingOff(memory.backoff(), role, now);
    }

    static Optional<Backoff> backingOff(Map<NodeRole, Backoff> backoff, NodeRole role, Instant now) {
        return Optional.ofNullable(backoff.get(role)).filter(b -> now.isBefore(b.until()));
    }

    private static Optional<Cooldown> upCooldown(Map<NodeRole, Instant> lastScaleUp, Planner.Settings settings,
            NodeRole role, Instant now) {
        return cooldown(ScaleDirection.UP, ScaleDirection.UP, lastScaleUp.get(role), settings.scaleUpCooldown(), now);
    }

    /** The later-ending of the two cooldowns that hold a scale-down back. */
    private static Optional<Cooldown> downCooldown(Map<NodeRole, Instant> lastScaleUp,
            Map<NodeRole, Instant> lastScaleDown, Planner.Settings settings, NodeRole role, Instant now) {
        Optional<Cooldown> afterUp = cooldown(ScaleDirection.DOWN, ScaleDirection.UP, lastScaleUp.get(role),
                settings.scaleDownCooldown(), now);
        Optional<Cooldown> afterDown = cooldown(ScaleDirection.DOWN, ScaleDirection.DOWN, lastScaleDown.get(role),
                settings.scaleDownCooldown(), now);
        if (afterUp.isPresent() && afterDown.isPresent()) {
            return afterDown.get().until().isAfter(afterUp.get().until()) ? afterDown : afterUp;
        }
        return afterUp.or(() -> afterDown);
    }

    private static Optional<Cooldown> cooldown(ScaleDirection blocked, ScaleDirection after, Instant last,
            Duration length, Instant now) {
        if (last == null) {
            return Optional.empty();
        }
        Instant end = last.plus(length);
        return now.isBefore(end) ? Optional.of(new Cooldown(blocked, after, length, end)) : Optional.empty();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
