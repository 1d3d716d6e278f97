package io.swarmscaler.controller;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.observe.InstrumentedPorts;
import io.swarmscaler.controller.observe.ObservabilityRoutes;
import io.swarmscaler.controller.observe.Observer;
import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.controller.state.StateStore;
import io.swarmscaler.controller.state.SwarmLeadership;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.reconcile.ReconcileLoop;
import io.swarmscaler.controller.reconcile.Reconciler;
import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.reconcile.ScaleRequestInbox;
import io.swarmscaler.controller.webhook.WebhookAuth;
import io.swarmscaler.controller.webhook.RescheduleRoutes;
import io.swarmscaler.controller.webhook.WebhookRoutes;
import java.net.InetSocketAddress;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyParser;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The running scaler, whatever its backend: the reconciler on its loop, woken by the timer and by Docker's
 * events, and the HTTP API that feeds it requests.
 */
public final class ScalerRuntime implements AutoCloseable {
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(2);
    /** Alertmanager's webhook bodies are a few KiB; anything much larger is not one. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** How long a scale request's reply waits for the pass that decides on it; then 202 with its id. */
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(2);

    private final Reconciler reconciler;
    private final Observer observer;
    /** Stops what runs behind the HTTP API, in order. */
    private final AutoCloseable stopping;
    private HttpApi http;

    private ScalerRuntime(Reconciler reconciler, Observer observer, AutoCloseable stopping) {
        this.reconciler = reconciler;
        this.observer = observer;
        this.stopping = stopping;
    }

    /**
     * A lone replica that always leads and remembers in the process only (tests that need a fresh memory per
     * start); the daemon runs {@link #start(ScalerConfig, Swarm, List, Metrics, Notifier, Clock, StateStore)}.
     */
    public static ScalerRuntime start(ScalerConfig config, Swarm dockerSwarm, List<NodeGroup> backendGroups,
            Metrics prometheus, Notifier notifier, Clock clock) {
        return start(config, dockerSwarm, () -> backendGroups, prometheus, notifier, clock, Optional.empty(),
                listen(config));
    }

    /**
     * Starts the HTTP API with {@code /v1/ping} and the starting probes only, before anything else: the process
     * answers within a second of its start while the backends connect; {@link #start} adds the other routes.
     */
    public static HttpApi listen(ScalerConfig config) {
        ScalerConfig.Http settings = config.http();
        HttpApi api = HttpApi.start(new InetSocketAddress(settings.listenAddress(), settings.listenPort()),
                settings.prefix(), MAX_REQUEST_BYTES, settings.maxConnections());
        settings.authFile().ifPresent(file -> api.requireAuthentication(WebhookAuth.fromFile(file)));
        WebhookRoutes.registerPing(api);
        ObservabilityRoutes.registerStarting(api);
        return api;
    }

    /**
     * Starts the loop and the HTTP API over these adapters, which it times and counts for {@code /metrics}; the
     * memory and the lease live in {@code store}, shared with the other replicas, and only the leader acts.
     */
    public static ScalerRuntime start(ScalerConfig config, Swarm dockerSwarm, List<NodeGroup> backendGroups,
            Metrics prometheus, Notifier notifier, Clock clock, StateStore store) {
        return start(config, dockerSwarm, () -> backendGroups, prometheus, notifier, clock, Optional.of(store),
                listen(config));
    }

    /**
     * The same, on the HTTP API that {@link #listen} started (closing the runtime closes it), with the node groups
     * still connecting: the first lease round runs while {@code backendGroups} waits for them, and whatever it
     * throws stops the start (the lease, if taken, is released).
     */
    public static ScalerRuntime start(ScalerConfig config, Swarm dockerSwarm,
            Supplier<List<NodeGroup>> backendGroups, Metrics prometheus, Notifier notifier, Clock clock,
            StateStore store, HttpApi api) {
        return start(config, dockerSwarm, backendGroups, prometheus, notifier, clock, Optional.of(store), api);
    }

    private static ScalerRuntime start(ScalerConfig config, Swarm dockerSwarm,
            Supplier<List<NodeGroup>> backendGroups,
            Metrics prometheus, Notifier notifier, Clock clock, Optional<StateStore> store, HttpApi api) {
        try {
            return startOn(config, dockerSwarm, backendGroups, prometheus, notifier, clock, store, api);
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
    }

    private static ScalerRuntime startOn(ScalerConfig config, Swarm dockerSwarm,
            Supplier<List<NodeGroup>> backendGroups, Metrics prometheus, Notifier notifier, Clock clock,
            Optional<StateStore> store, HttpApi api) {
        ScalerMetrics stats = new ScalerMetrics();
        Optional<SwarmLeadership> leadership = store.map(s -> {
            ScalerConfig.Leadership lease = config.leadership();
            return new SwarmLeadership(s, new SwarmLeadership.Settings(lease.replicaId(), lease.lease(),
                    lease.renewDeadline(), lease.retryPeriod()), clock, System::nanoTime, stats);
        });
        leadership.ifPresent(SwarmLeadership::start); // its first round alongside the node groups' connection
        List<NodeGroup> groups;
        try {
            groups = InstrumentedPorts.groups(backendGroups.get(), stats);
        } catch (RuntimeException e) {
            leadership.ifPresent(ScalerRuntime::release);
            throw e;
        }
        ScalerState state = leadership.<ScalerState>map(l -> l).orElseGet(ScalerState::alone);
        Swarm swarm = InstrumentedPorts.swarm(dockerSwarm, stats);
        Metrics metrics = InstrumentedPorts.metrics(prometheus, stats);
        boolean dryRun = config.observability().dryRun();
        ScaleRequestInbox inbox = new ScaleRequestInbox(ScaleRequestInbox.Settings.defaults(), clock);
        Reconciler reconciler = new Reconciler(swarm, metrics, groups, notifier,
                new PolicyParser(config.parserSettings()), new Planner(config.plannerSettings()), clock, inbox,
                stats, dryRun, state);
        Observer observer = new Observer(reconciler, stats, clock, new Observer.Settings(
                groups.isEmpty() ? "none" : groups.get(0).backend(), dryRun, config.observability().readyMaxAge(),
                config.plannerSettings(), config.defaultBounds()));
        // Woken when a timer of the planner ends (a condition's alertFor, a cooldown), not at the next tick.
        ReconcileLoop.Pass pass = () -> reconciler.reconcile().wakeAt().map(at -> Duration.between(clock.instant(), at));
        ReconcileLoop loop = new ReconcileLoop(pass, config.reconcileInterval(), FIRST_BACKOFF, MAX_BACKOFF, observer);
        leadership.ifPresent(l -> {
            l.awaitFirstRound(); // the first pass already knows whether it leads
            // A second round at once: a replica whose first write lost the race to create the lease learns from it
            // who leads, before its first pass (else only a retry period later; /status would show no leader).
            l.tick();
            l.onChange(loop::trigger); // a new leader acts at once; one that lost the lease shows it
            observer.showLeadership(() -> leadershipStatus(l.view()), l::unready);
        });
        loop.start();
        AutoCloseable events = swarm.watch(Set.of(config.leadership().stateService()), loop::trigger);
        AutoCloseable lease = leadership.<AutoCloseable>map(l -> l).orElse(() -> {});
        // The lease goes last: another replica may lead only once this loop no longer acts.
        ScalerRuntime runtime = new ScalerRuntime(reconciler, observer, () -> {
            events.close();
            loop.close();
            lease.close();
        });
        runtime.http = api;
        try {
            registerRoutes(api, config, swarm, notifier, clock,
                    new WebhookRoutes.LoopIntake(inbox, loop::trigger, REPLY_TIMEOUT), observer, stats);
        } catch (RuntimeException e) {
            runtime.closeQuietly();
            throw e;
        }
        return runtime;
    }

    /** Stops a lease that a failed start may have taken, so that another replica need not wait it out. */
    private static void release(SwarmLeadership leadership) {
        try {
            leadership.awaitFirstRound();
            leadership.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> leadershipStatus(SwarmLeadership.View view) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("replica", view.identity());
        status.put("leading", view.leading());
        status.put("leader", view.leader().isEmpty() ? null : view.leader());
        status.put("leaseRenewedAt", view.renewedAt());
        status.put("leaseAgeSeconds", view.leaseAgeSeconds());
        status.put("leaseDurationSeconds", view.leaseSeconds());
        return status;
    }

    private static void registerRoutes(HttpApi api, ScalerConfig config, Swarm swarm, Notifier notifier,
            Clock clock, WebhookRoutes.LoopIntake intake, Observer observer, ScalerMetrics stats) {
        api.onResponse(stats::httpRequest);
        new WebhookRoutes(intake, swarm, new PolicyParser(config.parserSettings()), clock, config.replicaDefaults())
                .register(api);
        new RescheduleRoutes(swarm, config.rescheduleLabel(), notifier, config.observability().dryRun()).register(api);
        new ObservabilityRoutes(observer, stats).register(api);
    }

    public Observer observer() {
        return observer;
    }

    /** The port the HTTP API listens on (useful when configured as 0: any free port). */
    public int httpPort() {
        return http.port();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception ignored) {
            // already failing
        }
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    @Override
    public void close() throws Exception {
        if (http != null) {
            http.close();
        }
        stopping.close();
    }
}
