package io.swarmscaler.model;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What the planner remembers between cycles. Only facts the world cannot tell us again live here; a scale-up
 * on its way is also visible from the group itself (desired above ready), so a restart cannot double it.
 *
 * @param trueSince when each policy's condition started to hold, for {@code alertFor}
 * @param lastScaleUp when each group was last scaled up, for the cooldown
 * @param pending scale-ups waiting for their nodes to be Ready, to reschedule services then
 * @param announced policies whose current firing episode the operator was already told about
 */
public record ScalerMemory(
        Map<PolicyId, Instant> trueSince,
        Map<NodeRole, Instant> lastScaleUp,
        Map<NodeRole, PendingScaleUp> pending,
        Set<PolicyId> announced) {
    public ScalerMemory {
        trueSince = Map.copyOf(trueSince);
        lastScaleUp = Map.copyOf(lastScaleUp);
        pending = Map.copyOf(pending);
        announced = Set.copyOf(announced);
    }

    public static ScalerMemory empty() {
        return new ScalerMemory(Map.of(), Map.of(), Map.of(), Set.of());
    }

    /**
     * This memory with the scale-up of {@code role} that the plan recorded taken back, as it was
     * {@code before}: the backend refused it, so there is nothing to wait for and no cooldown to honour.
     */
    public ScalerMemory withScaleUpUndone(NodeRole role, ScalerMemory before) {
        Map<NodeRole, Instant> last = new java.util.HashMap<>(lastScaleUp);
        Map<NodeRole, PendingScaleUp> waiting = new java.util.HashMap<>(pending);
        restore(last, role, before.lastScaleUp());
        restore(waiting, role, before.pending());
        return new ScalerMemory(trueSince, last, waiting, announced);
    }

    private static <V> void restore(Map<NodeRole, V> into, NodeRole role, Map<NodeRole, V> from) {
        if (from.containsKey(role)) {
            into.put(role, from.get(role));
        } else {
            into.remove(role);
        }
    }

    /** A scale-up from {@code from} to {@code target} nodes, asked for at {@code requestedAt}. */
    public record PendingScaleUp(int from, int target, Instant requestedAt) {}
}
