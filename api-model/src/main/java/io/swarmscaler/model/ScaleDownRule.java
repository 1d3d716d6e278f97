package io.swarmscaler.model;

import io.swarmscaler.model.Action.DrainNode;
import io.swarmscaler.model.Progress.ScalingDown;
import io.swarmscaler.model.Refusal.AtMin;
import io.swarmscaler.model.Refusal.LastNode;
import io.swarmscaler.model.Refusal.NoCandidate;
import java.util.List;

/**
 * A safe scale-down by the want's step: never below the group's minimum, never a policy's last node, managers
 * odd, and only nodes whose tasks fit elsewhere without pushing memory too high. The chosen nodes are drained;
 * {@link DrainTracker} removes them once their tasks run elsewhere.
 */
record ScaleDownRule(PassState pass, RequestIntake requests, VictimChoice victims) implements GroupRule {

    @Override
    public void apply(Want want, NodeGroupState group) {
        NodeRole role = want.role();
        int count = count(want, group);
        if (count <= 0) {
            return;
        }
        List<SwarmNode> candidates = victims.candidates(group);
        if (requests.refusedIf(want, victims.pendingTasksTheyCouldHost(group, candidates))) {
            return;
        }
        if (candidates.isEmpty()) {
            requests.refused(want, new NoCandidate(role));
            return;
        }
        VictimChoice.Choice choice = victims.choose(group, candidates, count);
        if (choice.victims().isEmpty()) {
            requests.refused(want, choice.firstRefusal().orElseThrow());
            return;
        }
        drain(want, group, choice);
    }

    /** How many nodes may go; 0 when none may, the want then refused with the reason. */
    private int count(Want want, NodeGroupState group) {
        int current = active(group);
        int min = GroupLimits.min(want.bounds(), group);
        int count = Math.min(want.by(), current - min);
        if (count <= 0) {
            requests.refused(want, new AtMin(group.role(), group.backend(), min));
            return 0;
        }
        if (want.policy().isPresent() && count >= current) {
            // Its policies could never fire again on an empty group: only a request takes it to zero.
            count = current - 1;
            if (count <= 0) {
                requests.refused(want, new LastNode(group.role(), group.backend()));
                return 0;
            }
        }
        if (group.role() == NodeRole.MANAGER) {
            ManagerQuorum.Removable removable = ManagerQuorum.removable(current, count);
            if (removable.count() <= 0) {
                requests.refused(want, removable.fewerBecause().orElseThrow());
            }
            return removable.count();
        }
        return count;
    }

    /** The machines that run tasks: the minimum and the last node are about them, not the standby nodes. */
    private static int active(NodeGroupState group) {
        return group.desired() - group.standbyCount();
    }

    private void drain(Want want, NodeGroupState group, VictimChoice.Choice choice) {
        for (SwarmNode victim : choice.victims()) {
            pass.act(new DrainNode(victim, want.why()));
        }
        int from = active(group);
        ScalingDown change = new ScalingDown(group.role(), group.backend(), from, from - choice.victims().size(),
                choice.victims().stream().map(SwarmNode::hostname).toList(), choice.firstRefusal().map(r -> r));
        pass.lastScaleDown.put(group.role(), pass.now);
        pass.changed.add(group.role());
        pass.decide(want.subject(), want.outcome(change));
        // The seed's sentence, under the group's name like a scale-up's, so its Alertmanager route shows it.
        pass.notify(new Notification(Planner.SCALE_NODES_ALERT, group.role().word(), Notification.Status.SUCCESS,
                Wording.change(group.role(), group.backend(), from, change.to()), want.why()));
        requests.accepted(want, change);
    }
}
