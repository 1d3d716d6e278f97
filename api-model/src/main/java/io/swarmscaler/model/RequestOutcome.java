package io.swarmscaler.model;

/** What became of a {@link ScaleRequest}: carried out (or under way), or refused, and why. */
public record RequestOutcome(boolean accepted, String message) {}
