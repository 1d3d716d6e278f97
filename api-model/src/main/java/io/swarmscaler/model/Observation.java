package io.swarmscaler.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Locale;

/** What the planner saw of a policy or a request, and what it made of it. */
public sealed interface Observation extends Reason {

    /** No answer to act on: never a reason to scale. */
    record NoData(String cause) implements Observation {
        public String message() {
            return "no data (" + cause + "), no action";
        }

        public Object shape() {
            return List.of(getClass(), cause);
        }
    }

    /** A threshold policy's value, and whether its condition holds. */
    record Measured(double value, Comparison comparison, double threshold, boolean holds) implements Observation {
        public String message() {
            return holds ? "value %s %s %s".formatted(Wording.show(value), comparison.symbol(), Wording.show(threshold))
                    : "value %s, condition %s %s does not hold".formatted(Wording.show(value), comparison.symbol(),
                            Wording.show(threshold));
        }

        public Object shape() {
            return List.of(getClass(), holds);
        }
    }

    /** A trend policy's value now and its prediction at the horizon; the prediction decides. */
    record Predicted(Observation actual, double predicted, Comparison comparison, double threshold,
            Duration horizon, boolean holds) implements Observation {
        public String message() {
            return "%s; predicted %s in %s%s".formatted(actual.message(), Wording.show(predicted),
                    Durations.format(horizon), holds ? ", " + comparison.symbol() + " " + Wording.show(threshold)
                            : ", not " + comparison.symbol() + " " + Wording.show(threshold) + " either");
        }

        public Object shape() {
            return List.of(getClass(), holds);
        }
    }

    /** A trend policy whose prediction is not acted on, and why (a poor fit). */
    record PredictionUnused(Observation actual, String why) implements Observation {
        public String message() {
            return "%s; no prediction: %s".formatted(actual.message(), why);
        }

        public Object shape() {
            return List.of(getClass(), actual.shape());
        }
    }

    /** A raw PromQL alert expression: it holds when it returns any sample. */
    record ExpressionReturned(Optional<Double> firstValue) implements Observation {
        public String message() {
            return firstValue.map(v -> "the alert expression returned " + Wording.show(v))
                    .orElse("the alert expression returned no samples");
        }

        public Object shape() {
            return List.of(getClass(), firstValue.isPresent());
        }
    }

    /** The condition holds but not yet for the policy's {@code alertFor}. */
    record Holding(Reason seen, Duration held, Duration holdFor) implements Observation {
        public String message() {
            return "%s, held %s of %s".formatted(seen.message(), Durations.format(held), Durations.format(holdFor));
        }

        public Object shape() {
            return List.of(getClass(), seen.shape());
        }
    }

    /** A {@code scale=no} policy fired: the operator is told, nothing changes. */
    record NotifyingOnly(Reason seen) implements Observation {
        public String message() {
            return seen.message() + "; scale=no, notifying only";
        }
    }

    /** What a scale request asked for. */
    record Requested(String origin, ScaleDirection direction, int by) implements Observation {
        public String message() {
            return "%s %s by %d".formatted(origin, direction.name().toLowerCase(Locale.ROOT), by);
        }
    }

    /** Something asked a group to change ({@code trigger}), and what came of it ({@code result}). */
    record Wanted(Reason trigger, Reason result) implements Observation {
        public String message() {
            return trigger.message() + "; " + result.message();
        }

        public Object shape() {
            return List.of(trigger.shape(), result.shape());
        }
    }

    /** A repeat of a request already acted on within the cooldown. */
    record AlreadyHandled(Instant at, String origin) implements Observation {
        public String message() {
            return "Already handled at %s (%s); not scaling again within the cooldown".formatted(at, origin);
        }
    }

    /** The same request twice in one pass (a retry racing its original): handled once, with the first. */
    record SameRequest(String twinId, String origin) implements Observation {
        public String message() {
            return "Same request as %s in this pass (%s); handled once".formatted(twinId, origin);
        }
    }

    /** Tasks pending longer than the delay, for lack of nodes the group could add, and how many new nodes hold them. */
    record PendingTasks(NodeRole role, int tasks, Duration delay, int nodes, NodeShape newNode)
            implements Observation {
        public String message() {
            return "%d task(s) pending for %s or more need %d new %s node(s) of %s".formatted(tasks,
                    Durations.format(delay), nodes, role.word(), newNode.words());
        }

        public Object shape() {
            return List.of(getClass(), role, nodes);
        }
    }

    /** Target tracking: {@code nodes} at the value seen need {@code wanted} to bring the ratio to {@code target}. */
    record Tracking(Reason seen, int nodes, double target, int wanted) implements Observation {
        public String message() {
            return "%s; the target %s needs %d node(s) instead of %d".formatted(seen.message(), Wording.show(target),
                    wanted, nodes);
        }

        public Object shape() {
            return List.of(getClass(), seen.shape(), wanted);
        }
    }
}
