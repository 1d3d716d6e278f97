package io.swarmscaler.controller.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.reconcile.DecisionLog;
import io.swarmscaler.controller.reconcile.ReconcileLoop;
import io.swarmscaler.controller.reconcile.Reconciler;
import io.swarmscaler.model.Condition;
import io.swarmscaler.model.Durations;
import io.swarmscaler.model.Evaluation;
import io.swarmscaler.model.GroupGate;
import io.swarmscaler.model.GroupLimits;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeGroupState;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Observation;
import io.swarmscaler.model.Policy;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyError;
import io.swarmscaler.model.QueryResult;
import io.swarmscaler.model.Reason;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScalerMemory;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.WarmPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the daemon knows about itself, for {@code /healthz}, {@code /readyz}, {@code /status}, the status page and
 * the per-pass gauges of {@code /metrics}. Fed by the loop after each pass.
 */
public final class Observer implements ReconcileLoop.Outcomes {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The page's charts cover an hour; one sample per this long is plenty for that. */
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    static final Duration HISTORY = Duration.ofHours(1);

    /** Where the figures come from and how they are judged. */
    public record Settings(String backend, boolean dryRun, Duration readyMaxAge, Planner.Settings planner,
            Map<NodeRole, GroupBounds> defaultBounds) {}

    /**
     * One point of the page's charts: Ready nodes per group, each policy's value, and each trend policy's predicted
     * value (what it expects at the horizon), null where it has none.
     */
    public record Sample(Instant at, Map<String, Integer> readyNodes, Map<String, Double> values,
            Map<String, Double> predicted) {}

    /** Whether the daemon can do its job now, and if not, why. */
    public record Readiness(boolean ready, String reason) {}

    /** Whether the loop is alive: it attempts passes, whether or not they succeed. */
    public record Liveness(boolean alive, String reason) {}

    /**
     * The loop is dead or stuck when no pass has ended for this long: longer than the loop's longest backoff
     * (2 min) plus a pass whose every dependency call times out.
     */
    public static final Duration LIVENESS_MAX_AGE = Duration.ofMinutes(5);

    private final Reconciler reconciler;
    private final ScalerMetrics metrics;
    private final Clock clock;
    private final Settings settings;
    private final Instant started;
    private final Deque<Sample> history = new ArrayDeque<>();
    private volatile Instant lastEnded;
    private volatile Instant lastSuccess;
    private volatile Instant lastFailure;
    private volatile String lastError;
    private volatile java.util.function.Supplier<Map<String, Object>> leadership = () -> null;
    private final AtomicLong passesEnded = new AtomicLong();
    private volatile RenderedPass renderedPass;
    private volatile java.util.function.Supplier<Optional<String>> leaderUnready = Optional::empty;

    public Observer(Reconciler reconciler, ScalerMetrics metrics, Clock clock, Settings settings) {
        this.reconciler = reconciler;
        this.metrics = metrics;
        this.clock = clock;
        this.settings = settings;
        this.started = clock.instant();
    }

    @Override
    public void passEnded(long nanos, Throwable failure) {
        Instant now = clock.instant();
        lastEnded = now;
        metrics.cycle(failure == null, nanos, now.toEpochMilli() / 1000.0);
        if (failure != null) {
            lastFailure = now;
            lastError = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        } else {
            lastSuccess = now;
            reconciler.lastPass().ifPresent(this::recordPass);
        }
        // Last: a status rendered while this pass was being recorded is rendered again.
        passesEnded.incrementAndGet();
    }

    private void recordPass(Reconciler.Pass pass) {
        Map<String, Integer> ready = new TreeMap<>();
        for (NodeGroupState group : pass.observed().groups().values()) {
            String name = group.role().word();
            ready.put(name, group.readyCount());
            metrics.groupNodes(name, group.backend(), "desired", group.desired());
            metrics.groupNodes(name, group.backend(), "ready", group.readyCount());
            metrics.groupNodes(name, group.backend(), "joining", group.joiningCount());
            metrics.groupNodes(name, group.backend(), "draining", draining(pass, group.role()).size());
            GroupLimits bounds = effectiveBounds(pass, group);
            metrics.groupNodes(name, group.backend(), "min", bounds.min());
            metrics.groupNodes(name, group.backend(), "max", bounds.max());
            metrics.groupNodes(name, group.backend(), "estimated",
                    pass.plan().capacity().nodesEstimated().getOrDefault(group.role(), 0));
            WarmPool.Status pool = pool(pass, group.role());
            metrics.groupNodes(name, group.backend(), "standby_wanted", pool.wanted());
            metrics.groupNodes(name, group.backend(), "standby_ready", pool.ready());
            metrics.groupNodes(name, group.backend(), "standby_refilling", pool.refilling());
        }
        metrics.pendingTasks(pass.plan().capacity().pendingTasks());
        Map<String, Double> values = new TreeMap<>();
        Map<String, Double> predicted = new TreeMap<>();
        metrics.clearPolicies();
        for (Policy policy : pass.policies().policies()) {
            double value = value(policy, pass.observed().result(policy.id()));
            values.put(policy.id().toString(), Double.isNaN(value) ? null : value);
            if (policy.trend().isPresent()) {
                predicted.put(policy.id().toString(), predicted(seen(pass, policy)));
            }
            metrics.policy(policy.id().toString(), policy.role().word(), direction(policy), value,
                    threshold(policy.condition()));
        }
        metrics.policyErrors(pass.policies().errors().size());
        synchronized (history) {
            if (history.isEmpty() || !history.peekLast().at().plus(SAMPLE_EVERY).isAfter(pass.at())) {
                history.addLast(new Sample(pass.at(), ready, values, predicted));
            }
            while (history.peekFirst().at().isBefore(pass.at().minus(HISTORY))) {
                history.removeFirst();
            }
        }
    }

    /**
     * Alive while the loop attempts passes, whether or not they succeed: what the stack's health check asks, so
     * that Swarm restarts a stuck daemon and never one whose dependencies are down (a restart cures nothing there,
     * and costs what the process remembers).
     */
    public Liveness liveness() {
        Instant now = clock.instant();
        Instant since = lastEnded == null ? started : lastEnded;
        Duration age = Duration.between(since, now);
        if (age.compareTo(LIVENESS_MAX_AGE) > 0) {
            return new Liveness(false, "%s for %ds (limit %ds): the reconcile loop is stuck or dead".formatted(
                    lastEnded == null ? "no reconcile pass has ended since the start" : "no reconcile pass has ended",
                    age.toSeconds(), LIVENESS_MAX_AGE.toSeconds()));
        }
        return new Liveness(true, "alive since %s; %s".formatted(started, lastEnded == null
                ? "the first reconcile pass is under way" : "last pass ended %ds ago".formatted(age.toSeconds())));
    }

    /**
     * Ready when a pass succeeded recently (so Docker answers), Prometheus answered that pass, and, with several
     * replicas, this one reads the store and leads or follows a live leader; otherwise the reason. Read from the
     * last pass and the last lease round, never by calling a dependency: a hung one cannot stall the probe.
     */
    public Readiness readiness() {
        Instant now = clock.instant();
        Instant success = lastSuccess;
        if (success == null) {
            return new Readiness(false, "no reconcile pass has succeeded yet" + failureSuffix());
        }
        Duration age = Duration.between(success, now);
        if (age.compareTo(settings.readyMaxAge()) > 0) {
            return new Readiness(false, "no reconcile pass succeeded for %ds (limit %ds)%s".formatted(
                    age.toSeconds(), settings.readyMaxAge().toSeconds(), failureSuffix()));
        }
        Optional<String> prometheusDown = reconciler.lastPass().flatMap(Reconciler.Pass::prometheusDown);
        if (prometheusDown.isPresent()) {
            return new Readiness(false, prometheusDown.get());
        }
        Optional<String> noLeader = leaderUnready.get();
        if (noLeader.isPresent()) {
            return new Readiness(false, noLeader.get());
        }
        return new Readiness(true, "last pass succeeded %ds ago; Docker and Prometheus answer".formatted(
                age.toSeconds()));
    }

    private String failureSuffix() {
        return lastError == null ? "" : "; last failure at %s: %s".formatted(lastFailure, lastError);
    }

    /**
     * What {@code /status} shows under {@code leadership}: which replica leads and the lease's age.
     *
     * @param unready why this replica is not ready as far as leadership goes: it cannot read the store, or no live
     *     leader holds the lease
     */
    public void showLeadership(java.util.function.Supplier<Map<String, Object>> view,
            java.util.function.Supplier<Optional<String>> unready) {
        this.leadership = view;
        this.leaderUnready = unready;
    }

    /**
     * Everything {@code /status} shows, as JSON. What only a pass changes (groups, policies, decisions, history) is
     * rendered once per pass, when first asked for, so that a dashboard polling it costs no more than the probes;
     * the time, readiness and leadership are rendered per request.
     */
    public byte[] statusJson() {
        Instant now = clock.instant();
        Readiness readiness = readiness();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("time", now.toString());
        status.put("backend", settings.backend());
        status.put("dryRun", settings.dryRun());
        status.put("leadership", leadership.get());
        status.put("ready", readiness.ready());
        status.put("readiness", readiness.reason());
        status.put("lastSuccessfulPass", lastSuccess == null ? null : lastSuccess.toString());
        status.put("lastFailedPass", lastFailure == null ? null : lastFailure.toString());
        status.put("lastError", lastError);
        byte[] head = render(status);
        byte[] rest = passStatus(now);
        // Two JSON objects made one: the head without its closing brace, a comma, the rest without its opening one.
        byte[] joined = new byte[head.length + rest.length - 1];
        System.arraycopy(head, 0, joined, 0, head.length - 1);
        joined[head.length - 1] = ',';
        System.arraycopy(rest, 1, joined, head.length, rest.length - 1);
        return joined;
    }

    /** The rendering of the last pass's part of the status, made again only after a pass has ended. */
    private byte[] passStatus(Instant now) {
        long pass = passesEnded.get();
        RenderedPass rendered = renderedPass;
        if (rendered == null || rendered.pass() != pass) {
            rendered = new RenderedPass(pass, render(passStatusMap(now)));
            renderedPass = rendered;
        }
        return rendered.json();
    }

    private record RenderedPass(long pass, byte[] json) {}

    private static byte[] render(Map<String, Object> json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the status: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> passStatusMap(Instant now) {
        Map<String, Object> status = new LinkedHashMap<>();
        Optional<Reconciler.Pass> last = reconciler.lastPass();
        ScalerMemory memory = reconciler.memory();
        List<Object> groups = new ArrayList<>();
        List<Object> policies = new ArrayList<>();
        List<Object> errors = new ArrayList<>();
        List<Object> decisions = new ArrayList<>();
        last.ifPresent(pass -> {
            pass.observed().groups().values().stream()
                    .sorted(Comparator.comparing(NodeGroupState::role))
                    .forEach(g -> groups.add(group(pass, g, memory, now)));
            pass.policies().policies().forEach(p -> policies.add(policy(pass, p, memory)));
            pass.policies().errors().forEach(e -> errors.add(LabelErrorView.of(e)));
            pass.plan().decisions().forEach(d -> decisions.add(Map.of("subject", d.subject(), "text", d.text())));
        });
        status.put("groups", groups);
        status.put("policies", policies);
        status.put("labelErrors", errors);
        status.put("decisions", decisions);
        status.put("pendingTasks", last.map(pass -> pass.plan().capacity().pendingTasks()).orElse(Map.of()));
        List<Object> recent = new ArrayList<>();
        for (DecisionLog.Entry entry : reconciler.recentDecisions()) {
            recent.add(Map.of("at", entry.at().toString(), "subject", entry.subject(), "text", entry.text()));
        }
        status.put("recentDecisions", recent);
        List<Object> samples = new ArrayList<>();
        synchronized (history) {
            for (Sample sample : history) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("at", sample.at().toString());
                point.put("readyNodes", sample.readyNodes());
                point.put("values", sample.values());
                point.put("predicted", sample.predicted());
                samples.add(point);
            }
        }
        status.put("history", samples);
        return status;
    }

    private Map<String, Object> group(Reconciler.Pass pass, NodeGroupState group, ScalerMemory memory,
            Instant now) {
        Map<String, Object> g = new LinkedHashMap<>();
        GroupLimits bounds = effectiveBounds(pass, group);
        g.put("group", group.role().word());
        g.put("backend", group.backend());
        g.put("desired", group.desired());
        g.put("ready", group.readyCount());
        g.put("joining", group.joiningCount());
        g.put("draining", draining(pass, group.role()));
        g.put("min", bounds.min());
        g.put("max", bounds.max());
        g.put("providerMin", group.providerMin());
        g.put("providerMax", group.providerMax() == Integer.MAX_VALUE ? null : group.providerMax());
        NodeRole role = group.role();
        g.put("scaleUpCooldownUntil", GroupGate.scaleUpCooldownUntil(memory, settings.planner(), role, now)
                .map(Instant::toString).orElse(null));
        g.put("scaleDownCooldownUntil", GroupGate.scaleDownCooldownUntil(memory, settings.planner(), role, now)
                .map(Instant::toString).orElse(null));
        Optional<ScalerMemory.Backoff> backoff = GroupGate.backoffOf(memory, role, now);
        g.put("backoffUntil", backoff.map(b -> b.until().toString()).orElse(null));
        g.put("backoffReason", backoff.map(ScalerMemory.Backoff::reason).orElse(null));
        g.put("launchFailure", group.launchFailure().orElse(null));
        g.put("nodesEstimated", pass.plan().capacity().nodesEstimated().getOrDefault(role, 0));
        WarmPool.Status pool = pool(pass, role);
        Map<String, Object> warm = new LinkedHashMap<>();
        warm.put("wanted", pool.wanted());
        warm.put("ready", pool.ready());
        warm.put("refilling", pool.refilling());
        g.put("warmPool", warm);
        return g;
    }

    private static WarmPool.Status pool(Reconciler.Pass pass, NodeRole role) {
        return pass.plan().capacity().pools().getOrDefault(role, new WarmPool.Status(0, 0, 0));
    }

    private Map<String, Object> policy(Reconciler.Pass pass, Policy policy, ScalerMemory memory) {
        Map<String, Object> p = new LinkedHashMap<>();
        QueryResult result = pass.observed().result(policy.id());
        double value = value(policy, result);
        p.put("id", policy.id().toString());
        p.put("service", policy.id().service());
        p.put("alertName", policy.alertName());
        p.put("alertIf", policy.alertIf());
        p.put("query", policy.condition().query());
        if (policy.condition() instanceof Condition.Threshold t) {
            p.put("comparison", t.comparison().symbol());
            p.put("threshold", t.threshold());
        }
        p.put("value", Double.isNaN(value) ? null : value);
        // The planner's own reading: no samples is no data too, with its cause.
        p.put("noData", Evaluation.of(policy.condition(), result).seen() instanceof Observation.NoData noData
                ? noData.cause() : null);
        p.put("for", Durations.format(policy.holdFor()));
        trend(pass, policy, p);
        Instant since = memory.trueSince().get(policy.id());
        p.put("trueSince", since == null ? null : since.toString());
        p.put("scale", direction(policy));
        p.put("group", policy.role().word());
        p.put("bounds", Map.of("min", policy.bounds().min(), "max", policy.bounds().max(),
                "upBy", policy.bounds().tracksTarget() ? GroupBounds.AUTO : policy.bounds().upBy(),
                "downBy", policy.bounds().downBy()));
        return p;
    }

    /** A trend policy's horizon, its predicted value, and why the prediction is not used when it is not. */
    private static void trend(Reconciler.Pass pass, Policy policy, Map<String, Object> p) {
        if (policy.trend().isEmpty()) {
            return;
        }
        p.put("predictHorizon", Durations.format(policy.trend().get().horizon()));
        Reason seen = seen(pass, policy);
        p.put("predicted", predicted(seen));
        p.put("predictionUnused", seen instanceof Observation.PredictionUnused unused ? unused.why() : null);
    }

    /** What the pass's decision on a policy saw, if it decided on it. */
    private static Reason seen(Reconciler.Pass pass, Policy policy) {
        return pass.plan().decisions().stream().filter(d -> d.subject().equals("policy " + policy.id()))
                .map(d -> seenOf(d.reason())).findFirst().orElse(null);
    }

    /** The value a trend policy predicted, or null when it saw none. */
    private static Double predicted(Reason seen) {
        return seen instanceof Observation.Predicted predicted ? predicted.predicted() : null;
    }

    /** What a policy's decision saw: itself, or what its hold or its want held. */
    private static Reason seenOf(Reason reason) {
        if (reason instanceof Observation.Holding holding) {
            return holding.seen();
        }
        return reason instanceof Observation.Wanted wanted ? wanted.trigger() : reason;
    }

    /** A label error as /status shows it: the error's fields and its one-line message. */
    private record LabelErrorView(String service, String label, String value, String expected, String message) {
        static LabelErrorView of(PolicyError e) {
            return new LabelErrorView(e.service(), e.label(), e.value(), e.expected(), e.message());
        }
    }

    private GroupLimits effectiveBounds(Reconciler.Pass pass, NodeGroupState group) {
        return GroupLimits.of(pass.policies(), group, settings.defaultBounds().getOrDefault(group.role(),
                GroupBounds.defaultsFor(group.role())));
    }

    private static List<String> draining(Reconciler.Pass pass, NodeRole role) {
        return pass.observed().nodes().stream()
                .filter(n -> n.role() == role && n.draining())
                .map(SwarmNode::hostname).sorted().toList();
    }

    /** The value the planner decided on (the first sample that holds, else the first); NaN without data. */
    static double value(Policy policy, QueryResult result) {
        return Evaluation.of(policy.condition(), result).value().orElse(Double.NaN);
    }

    private static double threshold(Condition condition) {
        return condition instanceof Condition.Threshold t ? t.threshold() : Double.NaN;
    }

    /** In the words of the {@code scale} alert label. */
    private static String direction(Policy policy) {
        return switch (policy.direction()) {
            case UP -> "up";
            case DOWN -> "down";
            case NOTIFY_ONLY -> "no";
        };
    }
}
