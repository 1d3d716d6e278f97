package io.swarmscaler.model;

import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Progress.ActivatingStandby;
import io.swarmscaler.model.Progress.ScalingUp;
import io.swarmscaler.model.Refusal.AtMax;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.util.List;

/**
 * A scale-up by the want's step, never beyond the group's maximum (the want's bound narrowed by the provider's),
 * when the gate lets the group grow. Standby nodes of the {@link WarmPool} come first; the machines asked for make
 * up the rest of the step, then the pool's replacements, within the maximum. A policy at the maximum tells the
 * operator once per firing episode.
 */
record ScaleUpRule(PassState pass, RequestIntake requests, WarmPool pool) implements GroupRule {

    @Override
    public void apply(Want want, NodeGroupState group) {
        NodeRole role = want.role();
        int max = GroupLimits.max(want.bounds(), group);
        List<String> activated = pool.activate(want);
        int from = group.desired();
        int forCapacity = want.by() - activated.size();
        int to = Math.min(max, from + forCapacity + pool.deficit(role));
        if (activated.isEmpty() && to <= from) {
            atMax(want, new AtMax(role, group.backend(), max));
            return;
        }
        Reason change = activated.isEmpty() ? new ScalingUp(role, group.backend(), from, to)
                : new ActivatingStandby(role, group.backend(), activated, from, to);
        if (to > from) {
            pass.act(new ScaleGroup(role, from, to, want.why()));
            int forPool = Math.max(0, to - from - forCapacity);
            pass.pending.put(role, new PendingScaleUp(from, to, pass.now, forPool));
        }
        pass.decide(want.subject(), want.outcome(change));
        pass.changed.add(role);
        pass.lastScaleUp.put(role, pass.now);
        requests.accepted(want, change);
    }

    private void atMax(Want want, AtMax atMax) {
        if (want.policy().isEmpty()) {
            requests.refused(want, atMax);
            return;
        }
        PolicyId policy = want.policy().get();
        pass.notifyOnce(policy, want.subject(), want.outcome(atMax), new Notification(Planner.SCALE_NODES_ALERT,
                policy.service(), Notification.Status.ERROR, atMax.message(), want.why()));
    }
}
