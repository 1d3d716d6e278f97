package io.swarmscaler.controller.observe;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.dropwizard.samplebuilder.CustomMappingSampleBuilder;
import io.prometheus.client.dropwizard.samplebuilder.MapperConfig;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;
import io.swarmscaler.controller.reconcile.ReconcileListener;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The daemon's metrics, served at {@code /metrics} in Prometheus' text format. Latencies are Dropwizard timers
 * (exported as summaries in seconds through {@code simpleclient_dropwizard}); counts and levels are simpleclient
 * collectors. One instance per daemon: each owns its registries, so tests can run several.
 */
public final class ScalerMetrics implements ReconcileListener {
    private static final String CALL_TIMER = "swarm_scaler.backend_call";
    private static final String HTTP_TIMER = "swarm_scaler.http_request";

    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final MetricRegistry timers = new MetricRegistry();

    private final Counter cycles = counter("swarm_scaler_reconcile_cycles_total", List.of("outcome"),
            "Reconcile passes by outcome (success, failure)");
    private final Timer cycleTimer = timers.timer("swarm_scaler.reconcile_cycle");
    private final Gauge lastSuccess = gauge("swarm_scaler_last_successful_cycle_timestamp_seconds", List.of(),
            "When the last reconcile pass succeeded, in Unix seconds");
    private final Gauge groupNodes = gauge("swarm_scaler_group_nodes", List.of("group", "backend", "kind"),
            "Node group sizes: desired, ready, joining, draining, the effective min and max, and the warm pool (standby_wanted, standby_ready, standby_refilling)");
    private final Gauge policyValue = gauge("swarm_scaler_policy_value", List.of("policy", "group", "direction"),
            "The value a policy's query returned in the last pass (NaN without data)");
    private final Gauge policyThreshold = gauge("swarm_scaler_policy_threshold", List.of("policy", "group", "direction"),
            "The threshold a policy compares its value with");
    private final Gauge policyErrors = gauge("swarm_scaler_policy_label_errors", List.of(),
            "Labels that could not be understood, so their policies are skipped");
    private final Counter scaleActions = counter("swarm_scaler_scale_actions_total", List.of("group", "direction", "result"),
            "Changes of a node group's size by direction and result (success, error, dry_run)");
    private final Counter drains = counter("swarm_scaler_drain_steps_total", List.of("step", "result"),
            "Drain steps (drain, remove, undrain, terminate) by result");
    private final Counter reschedules = counter("swarm_scaler_reschedules_total", List.of("result"),
            "Services force-updated onto new nodes, by result");
    private final Counter backendErrors = counter("swarm_scaler_backend_errors_total", List.of("backend", "call"),
            "Failed calls to Docker, Prometheus and the node group backends");
    private final Counter httpRequests = counter("swarm_scaler_http_requests_total", List.of("route", "code"),
            "Requests to the HTTP API by route and status code");
    private final Gauge leader = gauge("swarm_scaler_leader", List.of(),
            "1 while this replica holds the lease and may act, else 0");
    private final Counter leaseTransitions = counter("swarm_scaler_lease_transitions_total", List.of(),
            "Times this replica took the lease");
    private final Counter stateWrites = counter("swarm_scaler_state_writes_total", List.of("kind"),
            "Writes to the scaler's state in the Swarm by kind (renew, memory, fence, release)");
    private final Counter stateConflicts = counter("swarm_scaler_state_write_conflicts_total", List.of(),
            "Writes to the scaler's state refused because another replica wrote first");
    private final Gauge pendingTasks = gauge("swarm_scaler_pending_tasks", List.of("cause"),
            "Tasks Swarm wants running and has not placed, by cause: for_lack_of_nodes (counted for new nodes),"
                    + " within_delay, unexplained, or why new nodes would not cure them");

    public ScalerMetrics() {
        DefaultExports.register(registry);
        // swarm_scaler.backend_call.<backend>.<call> becomes one summary with backend and call labels.
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("backend", "${0}");
        labels.put("call", "${1}");
        MapperConfig calls = new MapperConfig(CALL_TIMER + ".*.*", "swarm_scaler_backend_call_seconds", labels);
        // swarm_scaler.http_request.<route> becomes one summary with a route label.
        MapperConfig requests = new MapperConfig(HTTP_TIMER + ".*", "swarm_scaler_http_request_seconds",
                Map.of("route", "${0}"));
        new DropwizardExports(timers, new CustomMappingSampleBuilder(List.of(calls, requests))).register(registry);
    }

    private Counter counter(String name, List<String> labels, String help) {
        return Counter.build(name, help).labelNames(labels.toArray(String[]::new)).register(registry);
    }

    private Gauge gauge(String name, List<String> labels, String help) {
        return Gauge.build(name, help).labelNames(labels.toArray(String[]::new)).register(registry);
    }

    /** Times one call to a backend and counts it as an error when it throws. */
    public <T> T timeCall(String backend, String call, Supplier<T> body) {
        Timer.Context context = timers.timer(CALL_TIMER + "." + backend + "." + call).time();
        try {
            return body.get();
        } catch (RuntimeException e) {
            backendErrors.labels(backend, call).inc();
            throw e;
        } finally {
            context.stop();
        }
    }

    /** Counts a failed backend call that did not throw (Prometheus answers "no data" instead). */
    public void backendError(String backend, String call) {
        backendErrors.labels(backend, call).inc();
    }

    public void cycle(boolean success, long nanos, double epochSeconds) {
        cycles.labels(success ? "success" : "failure").inc();
        cycleTimer.update(nanos, TimeUnit.NANOSECONDS);
        if (success) {
            lastSuccess.set(epochSeconds);
        }
    }

    public void groupNodes(String group, String backend, String kind, int value) {
        groupNodes.labels(group, backend, kind).set(value);
    }

    public void policy(String policy, String group, String direction, double value, double threshold) {
        policyValue.labels(policy, group, direction).set(value);
        policyThreshold.labels(policy, group, direction).set(threshold);
    }

    /** Forgets per-policy series, so that a removed policy does not linger; called before each pass's update. */
    public void clearPolicies() {
        policyValue.clear();
        policyThreshold.clear();
    }

    /** This pass's pending tasks by cause; causes not seen this pass are dropped. */
    public void pendingTasks(Map<String, Integer> byCause) {
        pendingTasks.clear();
        byCause.forEach((cause, count) -> pendingTasks.labels(cause).set(count));
    }

    public void policyErrors(int count) {
        policyErrors.set(count);
    }

    @Override
    public void scaleAction(String group, String direction, String result) {
        scaleActions.labels(group, direction, result).inc();
    }

    @Override
    public void drainStep(String step, String result) {
        drains.labels(step, result).inc();
    }

    @Override
    public void reschedule(String result, int services) {
        reschedules.labels(result).inc(services);
    }

    /** A response: counted by route and code, and its server-side time summarised by route. */
    public void httpRequest(String route, int code, long nanos) {
        httpRequests.labels(route, Integer.toString(code)).inc();
        timers.timer(HTTP_TIMER + "." + route).update(nanos, TimeUnit.NANOSECONDS);
    }

    public void leader(boolean leading) {
        leader.set(leading ? 1 : 0);
    }

    public void leaseTransition() {
        leaseTransitions.inc();
    }

    public void stateWrite(String kind) {
        stateWrites.labels(kind).inc();
    }

    public void stateWriteConflict() {
        stateConflicts.inc();
    }

    /** Everything, in Prometheus' text exposition format 0.0.4. */
    public String scrape() {
        StringWriter out = new StringWriter();
        try {
            TextFormat.write004(out, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
