package io.swarmscaler.model;

import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Progress.ScalingUp;
import io.swarmscaler.model.Refusal.AtMax;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;

/**
 * A scale-up by the want's step, never beyond the group's maximum (the want's bound narrowed by the provider's),
 * when the gate lets the group grow. A policy at the maximum tells the operator once per firing episode.
 */
record ScaleUpRule(PassState pass, GroupGate gate, RequestIntake requests) {

    void apply(Want want) {
        NodeRole role = want.role();
        if (requests.refusedIf(want, gate.whyNotUp(role))) {
            return;
        }
        NodeGroupState group = pass.group(role);
        int max = GroupLimits.max(want.bounds(), group);
        int from = group.desired();
        if (from >= max) {
            atMax(want, new AtMax(role, group.backend(), max));
            return;
        }
        int to = Math.min(max, from + want.by());
        ScalingUp change = new ScalingUp(role, group.backend(), from, to);
        pass.act(new ScaleGroup(role, from, to, want.why()));
        pass.decide(want.subject(), want.outcome(change));
        pass.changed.add(role);
        pass.lastScaleUp.put(role, pass.now);
        pass.pending.put(role, new PendingScaleUp(from, to, pass.now));
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
