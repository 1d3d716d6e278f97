package io.swarmscaler.model;

/**
 * Why the planner did or did not do something, as data: tests and the decision log compare reasons, people read
 * their {@link #message()}.
 */
public sealed interface Reason permits Observation, Refusal, Progress {

    /** The sentence a person reads. */
    String message();

    /**
     * What makes two reasons the same decision, for the decision log: the kind of reason and what it is about,
     * without the figures that move from pass to pass (a value, a time held).
     */
    default Object shape() {
        return getClass();
    }
}
