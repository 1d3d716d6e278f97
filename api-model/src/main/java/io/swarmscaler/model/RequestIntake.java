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
 * Scale requests (webhooks) become wants planned under the same rules as policies. A repeat of a request handled
 * within the longer cooldown (Alertmanager's repeats) and a twin in the same pass are each handled once.
 */
final class RequestIntake {
    private final PassState pass;
    private final Map<String, ScaleRequest> thisPass = new HashMap<>();

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
        return Optional.of(new Want("request " + request.id(),
                new Requested(request.origin(), request.direction(), request.by()), request.role(), request.direction(),
                request.by(), request.bounds(), request.origin(), Optional.empty(), Optional.of(request)));
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
            pass.notify(new Notification(Planner.SCALE_NODES_ALERT, r.role().word(), Notification.Status.ERROR,
                    "Not scaling %s nodes %s: %s".formatted(r.role().word(), Wording.direction(r.direction()),
                            result.message()), r.origin()));
        });
    }

    private static Duration longer(Duration a, Duration b) {
        return a.compareTo(b) > 0 ? a : b;
    }
}
