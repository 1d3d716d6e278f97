package io.swarmscaler.model;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the planner remembers between cycles. Only facts the world cannot tell us again live here: a scale-up on
 * its way is also visible from the group (desired above Ready) and a drain from its mark on the node, so a
 * restarted daemon neither doubles a scale-up nor forgets a drain.
 *
 * @param trueSince when each policy's condition started to hold, for {@code alertFor}
 * @param lastScaleUp when each group was last scaled up, for the cooldowns
 * @param lastScaleDown when each group last started a scale-down
 * @param pending scale-ups waiting for their nodes to be Ready, to reschedule services then
 * @param announced policies whose current firing episode the operator was already told about
 * @param backoff groups that failed (launches, provisioning, drains) and are left alone until a time
 * @param handledRequests when each scale request key was last acted on, to ignore Alertmanager's repeats
 */
public record ScalerMemory(
        Map<PolicyId, Instant> trueSince,
        Map<NodeRole, Instant> lastScaleUp,
        Map<NodeRole, Instant> lastScaleDown,
        Map<NodeRole, PendingScaleUp> pending,
        Set<PolicyId> announced,
        Map<NodeRole, Backoff> backoff,
        Map<String, Instant> handledRequests) {
    public ScalerMemory {
        trueSince = Map.copyOf(trueSince);
        lastScaleUp = Map.copyOf(lastScaleUp);
        lastScaleDown = Map.copyOf(lastScaleDown);
        pending = Map.copyOf(pending);
        announced = Set.copyOf(announced);
        backoff = Map.copyOf(backoff);
        handledRequests = Map.copyOf(handledRequests);
    }

    public static ScalerMemory empty() {
        return new ScalerMemory(Map.of(), Map.of(), Map.of(), Map.of(), Set.of(), Map.of(), Map.of());
    }

    /**
     * This memory with what the plan recorded as done to {@code role} (a scale-up, its wait, a scale-down) taken
     * back, as it was {@code before}, while what the planner observed (conditions holding, announcements) stays:
     * the action was not carried out (a dry run, or the backend refused it), so no cooldown or wait follows it.
     */
    public ScalerMemory withActionsUndone(NodeRole role, ScalerMemory before) {
        Map<NodeRole, Instant> lastUp = new HashMap<>(lastScaleUp);
        Map<NodeRole, Instant> lastDown = new HashMap<>(lastScaleDown);
        Map<NodeRole, PendingScaleUp> waiting = new HashMap<>(pending);
        restore(lastUp, role, before.lastScaleUp());
        restore(lastDown, role, before.lastScaleDown());
        restore(waiting, role, before.pending());
        return new ScalerMemory(trueSince, lastUp, lastDown, waiting, announced, backoff, handledRequests);
    }

    /** This memory with the requests handled as in {@code before}: none of this pass's was carried out. */
    public ScalerMemory withHandledRequestsOf(ScalerMemory before) {
        return new ScalerMemory(trueSince, lastScaleUp, lastScaleDown, pending, announced, backoff,
                before.handledRequests());
    }

    private static <V> void restore(Map<NodeRole, V> into, NodeRole role, Map<NodeRole, V> from) {
        if (from.containsKey(role)) {
            into.put(role, from.get(role));
        } else {
            into.remove(role);
        }
    }

    /**
     * A scale-up from {@code from} to {@code target} machines, asked for at {@code requestedAt}, of which the
     * {@code standby} newest join the warm pool.
     */
    public record PendingScaleUp(int from, int target, Instant requestedAt, int standby) {
        public PendingScaleUp(int from, int target, Instant requestedAt) {
            this(from, target, requestedAt, 0);
        }
    }

    /**
     * A group left alone until {@code until} because of {@code reason}; {@code length} doubles on each failure in a
     * row.
     */
    public record Backoff(Instant until, Duration length, String reason) {}
}
