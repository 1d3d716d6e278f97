package io.swarmscaler.model;

import io.swarmscaler.model.Action.Reschedule;
import io.swarmscaler.model.Action.TerminateInstances;
import io.swarmscaler.model.Progress.LaunchFailed;
import io.swarmscaler.model.Progress.NodesReady;
import io.swarmscaler.model.Progress.ProvisionTimedOut;
import io.swarmscaler.model.Progress.ScaleUpCutShort;
import io.swarmscaler.model.Progress.WaitingForNodes;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.util.List;

/**
 * Scale-ups on their way: once every new node is Ready the labelled services are rescheduled onto them; a launch
 * that fails or takes longer than the provision timeout puts the group in backoff and its never-Ready instances
 * are terminated.
 */
record ScaleUpFollowUp(PassState pass, GroupGate gate, WarmPool pool) {

    void follow() {
        adoptScaleUpsInFlight();
        for (NodeRole role : List.copyOf(pass.pending.keySet())) {
            follow(role, pass.pending.get(role));
        }
    }

    /**
     * Capacity asked for but not Ready, with no scale-up of ours waiting for it (a restart, someone else's
     * request, a node that went down): wait for it like for our own, so that it reschedules when it comes and
     * times out when it does not, instead of blocking scale-ups forever.
     */
    private void adoptScaleUpsInFlight() {
        for (NodeGroupState group : pass.observed.groups().values()) {
            if (group.joiningCount() > 0 && !pass.pending.containsKey(group.role())) {
                pass.pending.put(group.role(), new PendingScaleUp(ready(group), group.desired(), pass.now));
            }
        }
    }

    private void follow(NodeRole role, PendingScaleUp scaleUp) {
        NodeGroupState group = pass.group(role);
        if (group == null) {
            pass.pending.remove(role);
            return;
        }
        int ready = ready(group);
        if (ready >= scaleUp.target()) {
            pass.pending.remove(role);
            pass.backoff.remove(role);
            ready(group, scaleUp);
        } else if (group.launchFailure().isPresent()) {
            pass.pending.remove(role);
            // The backend reports the same failure until capacity changes: one failure, one backoff.
            GroupGate.backingOff(pass.backoff, role, pass.now).ifPresentOrElse(
                    b -> pass.decide(subject(role), new Refusal.BackingOff(role, b.until(), b.reason())),
                    () -> gate.fail(role, new LaunchFailed(role, group.backend(), group.launchFailure().get(), ready,
                            scaleUp.target())));
            terminateUnready(group);
        } else if (group.desired() < scaleUp.target() && pool.cutShort(group)) {
            // Waiting would last the provision timeout and keep the pool from refilling: the rules decide afresh.
            // Elsewhere a desired capacity below the target is a backend yet to show it, and is waited for.
            pass.pending.remove(role);
            pass.decide(subject(role), new ScaleUpCutShort(role, group.backend(), group.desired(),
                    scaleUp.target()));
        } else if (!pass.now.isBefore(scaleUp.requestedAt().plus(pass.settings.provisionTimeout()))) {
            pass.pending.remove(role);
            gate.fail(role, new ProvisionTimedOut(role, group.backend(), ready, scaleUp.target(),
                    pass.settings.provisionTimeout(), scaleUp.from()));
            terminateUnready(group);
        } else {
            pass.wakeAt(scaleUp.requestedAt().plus(pass.settings.provisionTimeout()));
            pass.decide(subject(role), new WaitingForNodes(group.backend(), ready, scaleUp.target()));
        }
    }

    /** Ready machines, standby nodes among them: a refill of the pool is done when its nodes are Ready. */
    private static int ready(NodeGroupState group) {
        return group.readyCount() + group.standbyCount();
    }

    /** The services labelled for rescheduling onto new (or activated) nodes. */
    static List<ServiceInfo> reschedulable(PassState pass) {
        String label = pass.settings.rescheduleLabel();
        return pass.observed.services().stream().filter(s -> "true".equalsIgnoreCase(s.labels().get(label))).toList();
    }

    private void ready(NodeGroupState group, PendingScaleUp scaleUp) {
        pool.admit(group, scaleUp);
        if (scaleUp.target() - scaleUp.from() <= scaleUp.standby()) {
            return; // every new node stands by: nothing new to reschedule onto
        }
        String label = pass.settings.rescheduleLabel();
        List<ServiceInfo> reschedulable = reschedulable(pass);
        NodesReady ready = new NodesReady(group.role(), group.backend(), group.readyCount(), scaleUp.target(),
                reschedulable.stream().map(ServiceInfo::name).toList(), label);
        pass.decide(subject(group.role()), ready);
        if (reschedulable.isEmpty()) {
            pass.notify(new Notification(Planner.SCALE_NODES_ALERT, group.role().word(), Notification.Status.SUCCESS,
                    ready.message(), "scale-up from %d to %d".formatted(scaleUp.from(), scaleUp.target())));
        } else {
            pass.act(new Reschedule(reschedulable, "%d of %d %s nodes are Ready on %s".formatted(group.readyCount(),
                    scaleUp.target(), group.role().word(), group.backend())));
        }
    }

    /** Instances that never became Ready nodes go, like Cluster Autoscaler's unregistered nodes. */
    private void terminateUnready(NodeGroupState group) {
        List<String> unready = group.instances().stream()
                .filter(i -> i.countsAsCapacity() && !i.nodeReady())
                .map(Instance::id)
                .toList();
        if (!unready.isEmpty()) {
            pass.act(new TerminateInstances(group.role(), unready,
                    "never became a Ready %s node".formatted(group.role().word())));
        }
    }

    private static String subject(NodeRole role) {
        return role.word() + " nodes";
    }
}
