package io.swarmscaler.model;

import io.swarmscaler.model.Observation.Holding;
import io.swarmscaler.model.Observation.NotifyingOnly;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A policy's condition against Prometheus' answer: no data is never an action; a condition acts only once it held
 * for the policy's {@code alertFor}; a {@code scale=no} policy only notifies, once per firing episode; a trend
 * policy may act on its prediction ({@link TrendRule}).
 */
final class PolicyEvaluator {
    private final PassState pass;

    PolicyEvaluator(PassState pass) {
        this.pass = pass;
    }

    /** What the policy asks of its group this pass, if anything. */
    Optional<Want> evaluate(Policy policy) {
        String subject = "policy " + policy.id();
        Evaluation actual = Evaluation.of(policy.condition(), pass.observed.result(policy.id()));
        if (policy.kind() == Policy.Kind.GROUP_MEMORY) {
            actual.value().ifPresent(r -> pass.groupRatios.putIfAbsent(policy.role(), r));
        }
        Evaluation evaluation = new TrendRule(pass).consider(policy, actual);
        if (!evaluation.holds()) {
            quiet(policy, evaluation, subject);
            return Optional.empty();
        }
        // Prometheus' history may show the breach began before this pass noticed it: alertFor counts from there.
        Instant since = pass.trueSince.computeIfAbsent(policy.id(),
                id -> evaluation.holdingSince().filter(pass.now::isAfter).orElse(pass.now));
        Duration held = Duration.between(since, pass.now);
        if (held.compareTo(policy.holdFor()) < 0) {
            pass.wakeAt(since.plus(policy.holdFor()));
            pass.decide(subject, new Holding(evaluation.seen(), roughly(held), policy.holdFor()));
            return Optional.empty();
        }
        String why = "%s %s (%s for %s)".formatted(policy.alertName(), policy.id(), evaluation.seen().message(),
                Durations.format(roughly(held)));
        if (policy.direction() == ScaleDirection.NOTIFY_ONLY) {
            pass.notifyOnce(policy.id(), subject, new NotifyingOnly(evaluation.seen()), new Notification(
                    policy.alertName(), policy.id().service(), Notification.Status.PENDING, policy.summary(), why));
            return Optional.empty();
        }
        if (policy.direction() == ScaleDirection.UP && policy.bounds().tracksTarget()) {
            return Optional.of(tracking(policy, evaluation, subject, why));
        }
        int by = policy.direction() == ScaleDirection.UP ? policy.bounds().upBy() : policy.bounds().downBy();
        return Optional.of(new Want(subject, evaluation.seen(), policy.role(), policy.direction(), by, policy.bounds(),
                why, Optional.of(policy.id()), Optional.empty()));
    }

    /** A policy whose condition does not hold: its episode ends. */
    private void quiet(Policy policy, Evaluation evaluation, String subject) {
        pass.trueSince.remove(policy.id());
        pass.announced.remove(policy.id());
        if (!policy.holdFor().isZero()) {
            // Looked at again within its alertFor: a breach is then acted on one alertFor after it began (its
            // start read from Prometheus' history), even when the interval is longer than the alertFor.
            pass.wakeAt(pass.now.plus(policy.holdFor()));
        }
        pass.decide(subject, evaluation.seen());
    }

    /**
     * Target tracking, as AWS's: enough nodes to bring the group's memory ratio to the threshold minus the
     * scale-down margin, {@code ceil(n × value / target) − n} and at least one, assuming the load spreads evenly.
     */
    private Want tracking(Policy policy, Evaluation evaluation, String subject, String why) {
        double target = ((Condition.Threshold) policy.condition()).threshold() - pass.settings.scaleDownMargin();
        int nodes = pass.observed.group(policy.role()).map(NodeGroupState::desired).orElse(0);
        double value = evaluation.value().orElseThrow();
        // Less a rounding error: 5 nodes at 0.9 for 0.75 are 6.000000000000001 in doubles, and need 6.
        int wanted = target > 0 ? (int) Math.min(Integer.MAX_VALUE, Math.ceil(nodes * value / target - 1e-9))
                : nodes + 1;
        int by = Math.max(1, wanted - nodes);
        return new Want(subject, new Observation.Tracking(evaluation.seen(), nodes, target, nodes + by),
                policy.role(), ScaleDirection.UP, by, policy.bounds(), why, Optional.of(policy.id()), Optional.empty());
    }

    /** Held times in messages: whole seconds once past one second. */
    private static Duration roughly(Duration held) {
        return held.compareTo(Duration.ofSeconds(1)) >= 0 ? Duration.ofSeconds(held.toSeconds()) : held;
    }
}
