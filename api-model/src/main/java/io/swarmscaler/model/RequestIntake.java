package io.swarmscaler.model;

import io.swarmscaler.model.Observation.AlreadyHandled;
import io.swarmscaler.model.Observation.Requested;
import io.swarmscaler.model.Observation.SameRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Scale requests (webhooks): a node request becomes a want planned under the same rules as policies; a replica
 * request is decided here, within the service's bounds. A repeat of a request handled within the longer cooldown
 * (Alertmanager's repeats) and a twin in the same pass are each handled once.
 */
final class RequestIntake {
    private final PassState pass;
    private final Map<String, ScaleRequest> thisPass = new HashMap<>();
    /** The replicas each service was scaled to in this pass: a second request goes on from there. */
    private final Map<String, Integer> replicasThisPass = new HashMap<>();

    RequestIntake(PassState pass) {
        this.pass = pass;
        // Before any request is checked: a repeat that arrives after the window closed is a new request.
        Duration window = longer(pass.settings.scaleUpCooldown(), pass.settings.scaleDownCooldown());
        pass.handledRequests.values().removeIf(at -> !pass.now.isBefore(at.plus(window)));
    }

    Optional<Want> take(ScaleRequest request) {
        ScaleRequest twin = thisPass.putIfAbsent(request.dedupKey(), request);
        if (twin != null) {
            pass.outcome(request, true, new SameRequest(twin.id(), request.origin()));
            return Optional.empty();
        }
        Instant handled = pass.handledRequests.get(request.dedupKey());
        if (handled != null) {
            pass.outcome(request, true, new AlreadyHandled(handled, request.origin()));
            return Optional.empty();
        }
        if (request.target() instanceof ScaleRequest.Replicas replicas) {
            scaleReplicas(request, replicas);
            return Optional.empty();
        }
        ScaleRequest.Nodes nodes = (ScaleRequest.Nodes) request.target();
        return Optional.of(new Want("request " + request.id(),
                new Requested(request.origin(), request.direction(), nodes.by()), nodes.role(), request.direction(),
                nodes.by(), nodes.bounds(), request.origin(), Optional.empty(), Optional.of(request)));
    }

    /**
     * As the old tool: the service goes up or down within its bounds, in its words; the operator hears of a
     * service held at its maximum, not at its minimum.
     */
    private void scaleReplicas(ScaleRequest request, ScaleRequest.Replicas replicas) {
        String subject = "service " + replicas.service();
        String annotation = "Scale service %s: %s".formatted(Wording.direction(request.direction()),
                replicas.service());
        Optional<ServiceInfo> found = pass.observed.services().stream()
                .filter(s -> s.name().equals(replicas.service())).findFirst()
                .map(s -> new ServiceInfo(s.id(), s.name(), s.labels(), s.constraints(),
                        replicasThisPass.getOrDefault(s.id(), s.replicas()), s.shortOfTasks()));
        ServiceScaling.Outcome outcome = found.map(s -> ServiceScaling.decide(s, request.direction(), replicas.by(),
                pass.settings.replicaDefaults())).orElse(null);
        if (outcome instanceof ServiceScaling.Scaling scaling) {
            replicasThisPass.put(found.get().id(), scaling.to());
            pass.act(new Action.ScaleService(found.get(), scaling, request.id(), annotation));
            Progress.ScalingService result = new Progress.ScalingService(scaling);
            pass.decide(subject, result);
            pass.handledRequests.put(request.dedupKey(), pass.now);
            pass.outcome(request, true, result);
            return;
        }
        Refusal.ServiceUnchanged unchanged = new Refusal.ServiceUnchanged(replicas.service(), outcome == null
                ? "service=\"%s\" is not a service of this Swarm".formatted(replicas.service()) : outcome.message());
        pass.decide(subject, unchanged);
        pass.outcome(request, false, unchanged);
        if (outcome instanceof ServiceScaling.AtBound && request.direction() == ScaleDirection.UP) {
            pass.notify(new Notification(Planner.SCALE_SERVICE_ALERT, replicas.service(), Notification.Status.ERROR,
                    unchanged.message(), annotation));
        }
    }

    /** The want was acted on: its repeats are handled from now on. */
    void accepted(Want want, Reason result) {
        want.request().ifPresent(r -> {
            pass.handledRequests.put(r.dedupKey(), pass.now);
            pass.outcome(r, true, result);
        });
    }

    /** Refuses the want when there is a reason to; whether it did. */
    boolean refusedIf(Want want, Optional<? extends Reason> refusal) {
        refusal.ifPresent(r -> refused(want, r));
        return refusal.isPresent();
    }

    /** The want was refused: the caller hears why, and so does the operator, as of the scaling it would have been. */
    void refused(Want want, Reason result) {
        pass.decide(want.subject(), want.outcome(result));
        want.request().ifPresent(r -> {
            pass.outcome(r, false, result);
            pass.notify(new Notification(Planner.SCALE_NODES_ALERT, want.role().word(), Notification.Status.ERROR,
                    "Not scaling %s nodes %s: %s".formatted(want.role().word(), Wording.direction(r.direction()),
                            result.message()), r.origin()));
        });
    }

    private static Duration longer(Duration a, Duration b) {
        return a.compareTo(b) > 0 ? a : b;
    }
}
