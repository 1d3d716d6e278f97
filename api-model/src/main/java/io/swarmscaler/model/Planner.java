package io.swarmscaler.model;

import io.swarmscaler.model.Action.Notify;
import io.swarmscaler.model.Action.Reschedule;
import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Notification.Status;
import io.swarmscaler.model.ScalerMemory.PendingScaleUp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what to do: a pure function of what was observed, the policies, what was remembered and the time.
 *
 * <p>Rules, in order: a scale-up waiting for its nodes reschedules the labelled services once all its nodes are
 * Ready, or gives up after the provision timeout; a policy acts only after its condition held for its
 * {@code alertFor}; a group is never scaled up while nodes it asked for are still joining, nor within the
 * cooldown after its last scale-up, nor beyond its maximum (the policy's bound narrowed by the group's own).
 * No data is never a reason to act.
 */
public final class Planner {

    /**
     * @param scaleUpCooldown no second scale-up of a group within this time of the last
     * @param provisionTimeout how long new nodes may take to be Ready before we give up on them
     * @param rescheduleLabel services with this label set to {@code true} are rescheduled onto new nodes
     */
    public record Settings(Duration scaleUpCooldown, Duration provisionTimeout, String rescheduleLabel) {}

    public static final String SCALE_NODES_ALERT = "scale_nodes";
    public static final String RESCHEDULE_ALERT = "reschedule_service";

    private final Settings settings;

    public Planner(Settings settings) {
        this.settings = settings;
    }

    public Plan plan(ObservedState observed, PolicySet policies, ScalerMemory memory, Instant now) {
        return new Cycle(observed, memory, now).run(policies);
    }

    /** The state of one planning pass. */
    private final class Cycle {
        private final ObservedState observed;
        private final Instant now;
        private final Map<PolicyId, Instant> trueSince;
        private final Map<NodeRole, Instant> lastScaleUp;
        private final Map<NodeRole, PendingScaleUp> pending;
        private final Set<PolicyId> announced;
        private final List<Action> actions = new ArrayList<>();
        private final List<Decision> decisions = new ArrayList<>();
        private final Set<NodeRole> scaledThisCycle = EnumSet.noneOf(NodeRole.class);

        Cycle(ObservedState observed, ScalerMemory memory, Instant now) {
            this.observed = observed;
            this.now = now;
            this.trueSince = new HashMap<>(memory.trueSince());
            this.lastScaleUp = new HashMap<>(memory.lastScaleUp());
            this.pending = new HashMap<>(memory.pending());
            this.announced = new HashSet<>(memory.announced());
        }

        Plan run(PolicySet policies) {
            for (PolicyError error : policies.errors()) {
                decisions.add(new Decision(error.service() + " " + error.label(), "skipped: " + error.message()));
            }
            for (NodeRole role : List.copyOf(pending.keySet())) {
                followPendingScaleUp(role, pending.get(role));
            }
            Set<PolicyId> known = new HashSet<>();
            for (Policy policy : policies.policies()) {
                known.add(policy.id());
                evaluate(policy);
            }
            // Forget policies whose labels were removed, so a re-added policy starts its `for` afresh.
            trueSince.keySet().retainAll(known);
            announced.retainAll(known);
            return new Plan(actions, decisions, new ScalerMemory(trueSince, lastScaleUp, pending, announced));
        }

        private void followPendingScaleUp(NodeRole role, PendingScaleUp scaleUp) {
            String subject = role.word() + " nodes";
            NodeGroupState group = observed.groups().get(role);
            if (group == null) {
                pending.remove(role);
                return;
            }
            int ready = group.readyCount();
            if (ready >= scaleUp.target()) {
                pending.remove(role);
                List<ServiceInfo> reschedulable = observed.services().stream()
                        .filter(s -> "true".equalsIgnoreCase(s.labels().get(settings.rescheduleLabel())))
                        .toList();
                String ready_ = "%d of %d %s nodes are Ready on %s"
                        .formatted(ready, scaleUp.target(), role.word(), group.backend());
                if (reschedulable.isEmpty()) {
                    decisions.add(new Decision(subject, ready_ + "; no service is labelled "
                            + settings.rescheduleLabel() + "=true, nothing to reschedule"));
                } else {
                    decisions.add(new Decision(subject, ready_ + "; rescheduling "
                            + String.join(", ", reschedulable.stream().map(ServiceInfo::name).toList())));
                    actions.add(new Reschedule(reschedulable, ready_));
                }
            } else if (!now.isBefore(scaleUp.requestedAt().plus(settings.provisionTimeout()))) {
                pending.remove(role);
                String text = "Gave up waiting for %s nodes on %s: %d of %d Ready %s after the scale-up from %d;"
                        .formatted(role.word(), group.backend(), ready, scaleUp.target(),
                                Durations.format(settings.provisionTimeout()), scaleUp.from())
                        + " services were not rescheduled";
                decisions.add(new Decision(subject, text));
                actions.add(new Notify(new Notification(SCALE_NODES_ALERT, role.word(), Status.ERROR, text,
                        "scale-up of " + role.word() + " nodes")));
            } else {
                decisions.add(new Decision(subject, "waiting for new nodes: %d of %d Ready on %s"
                        .formatted(ready, scaleUp.target(), group.backend())));
            }
        }

        private void evaluate(Policy policy) {
            String subject = "policy " + policy.id();
            Evaluation evaluation = Evaluation.of(policy.condition(), observed.result(policy.id()));
            if (!evaluation.holds()) {
                trueSince.remove(policy.id());
                announced.remove(policy.id());
                decisions.add(new Decision(subject, evaluation.text()));
                return;
            }
            Instant since = trueSince.computeIfAbsent(policy.id(), id -> now);
            Duration held = Duration.between(since, now);
            if (held.compareTo(policy.holdFor()) < 0) {
                decisions.add(new Decision(subject, "%s, held %s of %s".formatted(evaluation.text(),
                        Durations.format(held), Durations.format(policy.holdFor()))));
                return;
            }
            String why = "%s %s (%s for %s)".formatted(policy.alertName(), policy.id(), evaluation.text(),
                    Durations.format(held));
            switch (policy.direction()) {
                case NOTIFY_ONLY -> notifyOnce(policy, subject, evaluation.text() + "; scale=no, notifying only",
                        new Notification(policy.alertName(), policy.id().service(), Status.PENDING,
                                policy.summary(), why));
                case DOWN -> decisions.add(new Decision(subject, evaluation.text()
                        + "; removing nodes is not available in this version, nothing changed"));
                case UP -> scaleUp(policy, subject, evaluation, why);
            }
        }

        private void scaleUp(Policy policy, String subject, Evaluation evaluation, String why) {
            NodeRole role = policy.role();
            NodeGroupState group = observed.groups().get(role);
            if (group == null) {
                decisions.add(new Decision(subject, evaluation.text() + "; no " + role.word()
                        + " node group is configured on this backend, nothing to scale"));
                return;
            }
            if (scaledThisCycle.contains(role)) {
                decisions.add(new Decision(subject, evaluation.text() + "; " + role.word()
                        + " nodes are already being scaled up in this cycle"));
                return;
            }
            if (pending.containsKey(role) || group.joiningCount() > 0) {
                decisions.add(new Decision(subject, "%s; waiting for %d requested %s node(s) to join before"
                        .formatted(evaluation.text(), group.joiningCount(), role.word()) + " scaling again"));
                return;
            }
            Instant cooldownEnd = lastScaleUp.getOrDefault(role, Instant.MIN).plus(settings.scaleUpCooldown());
            if (now.isBefore(cooldownEnd)) {
                decisions.add(new Decision(subject, "%s; in cooldown after the last scale-up until %s"
                        .formatted(evaluation.text(), cooldownEnd)));
                return;
            }
            int max = Math.min(policy.bounds().max(), group.providerMax());
            int from = group.desired();
            if (from >= max) {
                String text = "%s nodes on %s are at the maximum of %d; not scaling up"
                        .formatted(capitalised(role.word()), group.backend(), max);
                notifyOnce(policy, subject, evaluation.text() + "; " + text,
                        new Notification(SCALE_NODES_ALERT, policy.id().service(), Status.ERROR, text, why));
                return;
            }
            int to = Math.min(max, from + policy.bounds().upBy());
            String reason = "Changing the number of %s nodes on %s from %d to %d"
                    .formatted(role.word(), group.backend(), from, to);
            actions.add(new ScaleGroup(role, from, to, why));
            decisions.add(new Decision(subject, evaluation.text() + "; " + reason));
            scaledThisCycle.add(role);
            lastScaleUp.put(role, now);
            pending.put(role, new PendingScaleUp(from, to, now));
        }

        private void notifyOnce(Policy policy, String subject, String text, Notification notification) {
            decisions.add(new Decision(subject, text));
            if (announced.add(policy.id())) {
                actions.add(new Notify(notification));
            }
        }
    }

    /** Whether a condition holds given Prometheus' answer, with a readable account of the value. */
    record Evaluation(boolean holds, String text) {
        static Evaluation of(Condition condition, QueryResult result) {
            if (result instanceof QueryResult.NoData noData) {
                return new Evaluation(false, "no data (" + noData.reason() + "), no action");
            }
            List<Double> values = ((QueryResult.Samples) result).samples().stream()
                    .map(QueryResult.Sample::value)
                    .filter(v -> !v.isNaN())
                    .toList();
            if (condition instanceof Condition.Threshold t) {
                if (values.isEmpty()) {
                    return new Evaluation(false, "no data (the query returned no samples), no action");
                }
                for (double v : values) {
                    if (t.comparison().holds(v, t.threshold())) {
                        return new Evaluation(true, "value %s %s %s".formatted(
                                show(v), t.comparison().symbol(), show(t.threshold())));
                    }
                }
                return new Evaluation(false, "value %s, condition %s %s does not hold".formatted(
                        show(values.get(0)), t.comparison().symbol(), show(t.threshold())));
            }
            return values.isEmpty()
                    ? new Evaluation(false, "the alert expression returned no samples")
                    : new Evaluation(true, "the alert expression returned %s".formatted(show(values.get(0))));
        }

        private static String show(double value) {
            return String.format(java.util.Locale.ROOT, "%.3f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
    }

    private static String capitalised(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
