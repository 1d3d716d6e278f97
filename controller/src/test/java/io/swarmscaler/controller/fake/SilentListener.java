package io.swarmscaler.controller.fake;

import io.swarmscaler.controller.reconcile.ReconcileListener;

/** A listener for tests that do not look at the metrics of a pass. */
public final class SilentListener implements ReconcileListener {
    @Override
    public void scaleAction(String group, String direction, String result) {}

    @Override
    public void drainStep(String step, String result) {}

    @Override
    public void reschedule(String result, int services) {}
}
