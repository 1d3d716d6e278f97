package io.swarmscaler.model;

import io.swarmscaler.model.Action.RemoveNode;
import io.swarmscaler.model.Action.UndrainNode;
import io.swarmscaler.model.Progress.DrainTimedOut;
import io.swarmscaler.model.Progress.Drained;
import io.swarmscaler.model.Progress.Draining;
import io.swarmscaler.model.Progress.ServiceShort;
import io.swarmscaler.model.Progress.TasksLeft;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Drains under way, recognised from our mark on the node (so a restarted daemon finishes them): a drained node is
 * removed once every task that ran there runs elsewhere (or returns to a warm pool that lacks one); a drain that
 * takes too long is undone and the group backs off. What "draining" is: {@link SwarmNode#draining()}.
 */
record DrainTracker(PassState pass, GroupGate gate, WarmPool pool) {

    void follow() {
        for (SwarmNode node : pass.observed.nodes()) {
            node.drainingSince().ifPresent(since -> follow(node, since));
        }
    }

    private void follow(SwarmNode node, Instant since) {
        String subject = "node " + node.hostname();
        // By instance, not role: a manager is demoted before it is drained.
        Optional<NodeGroupState> group = pass.observed.groups().values().stream()
                .filter(g -> g.instanceOnNode(node.id()).isPresent()).findFirst()
                .or(() -> pass.observed.group(node.role()));
        NodeRole role = group.map(NodeGroupState::role).orElse(node.role());
        String instanceId = group.flatMap(g -> g.instanceOnNode(node.id())).map(Instance::id).orElse("");
        Optional<Reason> progress = waitingFor(node);
        // Only when the tasks have moved: a node that is merely NotReady may come back with them.
        if (progress.isEmpty() && pool.takeBack(node, role)) {
            return;
        }
        if (progress.isEmpty()) {
            Drained drained = new Drained(node.hostname());
            pass.decide(subject, drained);
            pass.act(new RemoveNode(node, role, instanceId, drained.message()));
        } else if (!pass.now.isBefore(since.plus(pass.settings.drainTimeout()))) {
            DrainTimedOut timedOut = new DrainTimedOut(node.hostname(), pass.settings.drainTimeout(), progress.get());
            pass.act(new UndrainNode(node, timedOut.message()));
            gate.fail(role, timedOut);
        } else {
            pass.wakeAt(since.plus(pass.settings.drainTimeout()));
            pass.decide(subject, new Draining(since, progress.get()));
        }
    }

    /** What a drain still waits for, or empty when every task that ran on the node runs elsewhere. */
    private Optional<Reason> waitingFor(SwarmNode node) {
        ObservedState observed = pass.observed;
        List<TaskInfo> onNode = observed.tasksOnNode(node.id());
        long left = onNode.stream().filter(TaskInfo::desiredRunning)
                .filter(t -> observed.service(t.serviceId()).map(s -> !s.global()).orElse(false))
                .count();
        if (left > 0) {
            return Optional.of(new TasksLeft(left));
        }
        Set<String> ranThere = new HashSet<>();
        onNode.forEach(t -> ranThere.add(t.serviceId()));
        for (String serviceId : ranThere) {
            Optional<ServiceInfo> service = observed.service(serviceId).filter(s -> !s.global());
            if (service.isEmpty()) {
                continue;
            }
            long running = observed.tasksOfService(serviceId).stream()
                    .filter(t -> t.desiredRunning() && t.running()).count();
            if (running < service.get().replicas()) {
                return Optional.of(new ServiceShort(service.get().name(), running, service.get().replicas()));
            }
        }
        return Optional.empty();
    }
}
