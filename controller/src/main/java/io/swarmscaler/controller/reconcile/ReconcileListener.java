package io.swarmscaler.controller.reconcile;

/**
 * Told what a pass did, for metrics. Owned here so that the reconciler knows no metrics library and
 * {@code observe} depends on {@code reconcile}, not the other way round.
 */
public interface ReconcileListener {

    /**
     * A change of a group's size.
     *
     * @param direction {@code up} or {@code down}
     * @param result {@code success}, {@code error} or {@code dry_run}
     */
    void scaleAction(String group, String direction, String result);

    /** A step of a scale-down or clean-up: {@code drain}, {@code remove}, {@code terminate}, {@code undrain}. */
    void drainStep(String step, String result);

    /** {@code services} services force-updated with this result ({@code success} or {@code error}). */
    void reschedule(String result, int services);
}
