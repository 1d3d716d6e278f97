package io.swarmscaler.benchmarks;

import io.swarmscaler.model.Instance;
import io.swarmscaler.model.NodeGroupState;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.ObservedState;
import io.swarmscaler.model.Plan;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.Policy;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.PolicySet;
import io.swarmscaler.model.QueryResult;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScalerMemory;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one reconcile pass costs in the pure part: parsing every service's labels and planning, on clusters of
 * growing size, up to the 1,000 nodes, 2,000 services and 100,000 tasks of issue 13. The goal: a steady pass well
 * under 50 ms and a scale-down under 500 ms over the largest, so that the loop's
 * interval (2 s locally, 10 s by default) is spent waiting, not computing. The scale-down case is the expensive
 * one: it ranks every worker and checks that the victim's tasks fit elsewhere.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlannerBenchmark {
    private static final String EXPORTER = "exporter_node-exporter-worker";
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    /** Worker nodes x tasks per node x services. */
    @Param({"10x10x100", "100x10x100", "1000x10x100", "1000x100x2000"})
    String cluster;

    private int nodes;
    private int tasksPerNode;
    private int serviceCount;

    /** {@code steady}: no policy holds; {@code scaleDown}: the below policy has held for an hour. */
    @Param({"steady", "scaleDown"})
    String scenario;

    private List<ServiceInfo> services;
    private ObservedState observed;
    private PolicySet policies;
    private ScalerMemory memory;
    private PolicyParser parser;
    private Planner planner;

    @Setup
    public void buildCluster() {
        String[] size = cluster.split("x");
        nodes = Integer.parseInt(size[0]);
        tasksPerNode = Integer.parseInt(size[1]);
        serviceCount = Integer.parseInt(size[2]);
        parser = new PolicyParser(PolicyParser.Settings.defaults());
        planner = new Planner(Planner.Settings.defaults());
        services = new ArrayList<>();
        services.add(new ServiceInfo("svc-exporter", EXPORTER, Map.of(
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8",
                "com.df.alertFor.1", "30s",
                "com.df.alertName.2", "node_mem_limit_total_below",
                "com.df.alertIf.2", "@node_mem_limit_total_below:0.3",
                "com.df.alertFor.2", "5m",
                "com.df.scaleWorkerNodeMax", Integer.toString(nodes + 10)),
                List.of("node.role == worker"), ServiceInfo.GLOBAL));
        for (int s = 0; s < serviceCount; s++) {
            // Every tenth service carries the reschedule label; the rest are plain applications.
            Map<String, String> labels = s % 10 == 0 ? Map.of("com.df.reschedule", "true") : Map.of();
            services.add(new ServiceInfo("svc-" + s, "app-" + s, labels, List.of(), nodes * tasksPerNode / serviceCount));
        }
        List<SwarmNode> swarmNodes = new ArrayList<>();
        List<Instance> instances = new ArrayList<>();
        List<TaskInfo> tasks = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            String id = "node-" + n;
            swarmNodes.add(new SwarmNode(id, "worker-" + n, "10.0." + (n / 250) + "." + (n % 250), NodeRole.WORKER,
                    true, "active", false, Map.of(), Map.of(), 2_000_000_000L, 8L << 30,
                    NOW.minus(Duration.ofMinutes(n))));
            instances.add(new Instance("i-" + n, Instance.Lifecycle.IN_SERVICE, id, true));
            for (int t = 0; t < tasksPerNode; t++) {
                int service = (n * tasksPerNode + t) % serviceCount;
                // Each node a quarter full, so the victim's tasks fit on the others at any size.
                tasks.add(new TaskInfo("task-" + n + "-" + t, "svc-" + service, id, true, true,
                        2_000_000_000L / 4 / tasksPerNode, (8L << 30) / 4 / tasksPerNode));
            }
        }
        swarmNodes.add(new SwarmNode("manager", "manager-0", "10.1.0.1", NodeRole.MANAGER, true, "active", true,
                Map.of(), Map.of(), 2_000_000_000L, 8L << 30, NOW.minus(Duration.ofDays(30))));
        policies = parser.parse(services);
        if (!policies.errors().isEmpty()) {
            throw new IllegalStateException("benchmark labels are invalid: " + policies.errors());
        }
        double ratio = scenario.equals("scaleDown") ? 0.1 : 0.5;
        Map<PolicyId, QueryResult> results = new HashMap<>();
        Map<PolicyId, Instant> trueSince = new HashMap<>();
        for (Policy policy : policies.policies()) {
            results.put(policy.id(), new QueryResult.Samples(List.of(new QueryResult.Sample(Map.of(), ratio))));
            if (scenario.equals("scaleDown") && policy.direction() == ScaleDirection.DOWN) {
                trueSince.put(policy.id(), NOW.minus(Duration.ofHours(1)));
            }
        }
        memory = new ScalerMemory(trueSince, Map.of(), Map.of(), Map.of(), Set.of(), Map.of(), Map.of());
        observed = new ObservedState(
                Map.of(NodeRole.WORKER, new NodeGroupState(NodeRole.WORKER, "bench", nodes, 0, Integer.MAX_VALUE,
                        instances)),
                swarmNodes, services, tasks, results, List.of(), Map.of());
        Plan plan = planner.plan(observed, policies, memory, NOW);
        if (scenario.equals("scaleDown") && plan.actions().isEmpty() && nodes > 1) {
            throw new IllegalStateException("the scale-down scenario plans nothing: " + plan.decisions());
        }
    }

    @Benchmark
    public PolicySet parseLabels() {
        return parser.parse(services);
    }

    @Benchmark
    public Plan plan() {
        return planner.plan(observed, policies, memory, NOW);
    }
}
