package io.swarmscaler.model;

import java.util.OptionalInt;

/**
 * The old tool's replica scaling, as a pure decision: a replicated service goes up or down by a step (the
 * request's, else its {@code com.df.scaleUpBy}/{@code com.df.scaleDownBy} label, else 1) and stays within its
 * {@code com.df.scaleMin}/{@code com.df.scaleMax} labels (else the defaults); a step that would cross a bound stops
 * at it, and a service already at the bound stays, in the old tool's words.
 */
public final class ServiceScaling {
    public static final String MIN_LABEL = "com.df.scaleMin";
    public static final String MAX_LABEL = "com.df.scaleMax";
    public static final String UP_BY_LABEL = "com.df.scaleUpBy";
    public static final String DOWN_BY_LABEL = "com.df.scaleDownBy";

    private ServiceScaling() {}

    /** The bounds of a service that sets no label: {@code DEFAULT_MIN_REPLICAS}, {@code DEFAULT_MAX_REPLICAS}. */
    public record Defaults(int min, int max) {
        public Defaults {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("replica defaults need 0 <= min <= max, got %d..%d"
                        .formatted(min, max));
            }
        }
    }

    /** What comes of a request to scale a service. */
    public sealed interface Outcome {
        String message();
    }

    /** The service goes from {@code from} to {@code to} replicas; {@code bound} is the max (up) or min (down). */
    public record Scaling(String service, ScaleDirection direction, int from, int to, int bound) implements Outcome {
        public String message() {
            return "Scaling %s from %d to %d replicas (%s: %d)".formatted(service, from, to,
                    direction == ScaleDirection.UP ? "max" : "min", bound);
        }
    }

    /** Already at the bound the request would cross: nothing changes. */
    public record AtBound(String service, ScaleDirection direction, int bound) implements Outcome {
        public String message() {
            return direction == ScaleDirection.UP
                    ? "%s is already scaled to the maximum number of %d replicas".formatted(service, bound)
                    : "%s is already descaled to the minimum number of %d replicas".formatted(service, bound);
        }
    }

    /** A global service has no replica count to change. */
    public record Global(String service) implements Outcome {
        public String message() {
            return "%s is a global service (can not be scaled): expected a replicated service".formatted(service);
        }
    }

    /** A bound or step label of the service cannot be read. */
    public record BadLabel(String service, String label, String value, String expected) implements Outcome {
        public String message() {
            return "service %s: label %s=\"%s\" is not valid: expected %s".formatted(service, label, value, expected);
        }
    }

    /** @param by the request's step, or empty for the service's label (else 1) */
    public static Outcome decide(ServiceInfo service, ScaleDirection direction, OptionalInt by, Defaults defaults) {
        if (service.global()) {
            return new Global(service.name());
        }
        String stepLabel = direction == ScaleDirection.UP ? UP_BY_LABEL : DOWN_BY_LABEL;
        Number min = label(service, MIN_LABEL, defaults.min(), 0);
        Number max = label(service, MAX_LABEL, defaults.max(), 0);
        Number step = by.isPresent() ? new Number(by.getAsInt(), null) : label(service, stepLabel, 1, 1);
        for (Number n : new Number[] {min, max, step}) {
            if (n.error != null) {
                return n.error;
            }
        }
        if (min.value > max.value) {
            return new BadLabel(service.name(), MIN_LABEL, Integer.toString(min.value),
                    "a number no greater than the maximum, %d".formatted(max.value));
        }
        int from = service.replicas();
        boolean up = direction == ScaleDirection.UP;
        int bound = up ? max.value : min.value;
        int to = up ? Math.min(max.value, from + step.value) : Math.max(min.value, from - step.value);
        if (to == from || (up ? from > max.value : from < min.value)) {
            return new AtBound(service.name(), direction, bound);
        }
        return new Scaling(service.name(), direction, from, to, bound);
    }

    /** A label's whole number, or the error naming it. */
    private record Number(int value, BadLabel error) {}

    private static Number label(ServiceInfo service, String label, int fallback, int lowest) {
        String text = service.labels().get(label);
        if (text == null) {
            return new Number(fallback, null);
        }
        OptionalInt parsed = LabelGrammar.wholeNumber(text);
        if (parsed.isPresent() && parsed.getAsInt() >= lowest) {
            return new Number(parsed.getAsInt(), null);
        }
        return new Number(fallback, new BadLabel(service.name(), label, text,
                "a whole number of replicas in ASCII digits, at least " + lowest));
    }
}
