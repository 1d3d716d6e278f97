package io.swarmscaler.controller;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.reconcile.ReconcileLoop;
import io.swarmscaler.controller.reconcile.Reconciler;
import io.swarmscaler.controller.reconcile.ScaleRequestInbox;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleRequest;
import java.util.concurrent.CompletableFuture;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The running scaler, whatever its backend: the reconciler on its loop, woken by the timer and by Docker's
 * events.
 */
public final class ScalerRuntime implements AutoCloseable {
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(2);

    private final Reconciler reconciler;
    private final ReconcileLoop loop;
    private final ScaleRequestInbox inbox;
    private final AutoCloseable events;

    private ScalerRuntime(Reconciler reconciler, ReconcileLoop loop, ScaleRequestInbox inbox, AutoCloseable events) {
        this.reconciler = reconciler;
        this.loop = loop;
        this.inbox = inbox;
        this.events = events;
    }

    /** Queues a scale request for the next pass, which starts at once; completes with the pass's decision. */
    public CompletableFuture<RequestOutcome> submit(ScaleRequest request) {
        CompletableFuture<RequestOutcome> outcome = inbox.submit(request);
        loop.trigger();
        return outcome;
    }

    public static ScalerRuntime start(ScalerConfig config, Swarm swarm, List<NodeGroup> groups, Metrics metrics,
            Notifier notifier, Clock clock) {
        ScaleRequestInbox inbox = new ScaleRequestInbox();
        Reconciler reconciler = new Reconciler(swarm, metrics, groups, notifier,
                new PolicyParser(config.parserSettings()), new Planner(config.plannerSettings()), clock, inbox);
        ReconcileLoop loop = new ReconcileLoop(reconciler::reconcile, config.reconcileInterval(), FIRST_BACKOFF,
                MAX_BACKOFF).start();
        return new ScalerRuntime(reconciler, loop, inbox, swarm.watch(loop::trigger));
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    @Override
    public void close() throws Exception {
        events.close();
        loop.close();
    }
}
