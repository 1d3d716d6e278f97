package io.swarmscaler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Condition.AnySample;
import io.swarmscaler.model.Condition.Threshold;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyParserTest {

    static final String WORKER_EXPORTER = "exporter_node-exporter-worker";
    static final String MANAGER_EXPORTER = "exporter_node-exporter-manager";
    static final String WORKER = "node.role == worker";
    static final String MANAGER = "node.role == manager";

    static final String TOTAL_QUERY = "(sum(node_memory_MemTotal_bytes{job=\"exporter_node-exporter-worker\"})"
            + " - sum(node_memory_MemFree_bytes{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Buffers_bytes{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Cached_bytes{job=\"exporter_node-exporter-worker\"}))"
            + " / sum(node_memory_MemTotal_bytes{job=\"exporter_node-exporter-worker\"})";
    static final String PER_INSTANCE_QUERY =
            "(sum by (instance) (node_memory_MemTotal_bytes{job=\"exporter_node-exporter-worker\"})"
            + " - sum by (instance) (node_memory_MemFree_bytes{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Buffers_bytes{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Cached_bytes{job=\"exporter_node-exporter-worker\"}))"
            + " / sum by (instance) (node_memory_MemTotal_bytes{job=\"exporter_node-exporter-worker\"})";
    static final String LEGACY_TOTAL_QUERY = "(sum(node_memory_MemTotal{job=\"exporter_node-exporter-worker\"})"
            + " - sum(node_memory_MemFree{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Buffers{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Cached{job=\"exporter_node-exporter-worker\"}))"
            + " / sum(node_memory_MemTotal{job=\"exporter_node-exporter-worker\"})";
    static final String LEGACY_PER_INSTANCE_QUERY =
            "(sum by (instance) (node_memory_MemTotal{job=\"exporter_node-exporter-worker\"})"
            + " - sum by (instance) (node_memory_MemFree{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Buffers{job=\"exporter_node-exporter-worker\"}"
            + " + node_memory_Cached{job=\"exporter_node-exporter-worker\"}))"
            + " / sum by (instance) (node_memory_MemTotal{job=\"exporter_node-exporter-worker\"})";

    static final PolicyParser PARSER = new PolicyParser(PolicyParser.Settings.defaults());
    static final PolicyParser LEGACY_PARSER = new PolicyParser(
            new PolicyParser.Settings(PolicyParser.Settings.defaults().defaultBounds(), true));

    // ---------------------------------------------------------------- helpers

    static ServiceInfo service(String name, List<String> constraints, Map<String, String> labels) {
        return new ServiceInfo("id-" + name, name, labels, constraints, 1);
    }

    /** Labels from alternating key, value arguments, in order. */
    static Map<String, String> labels(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> map = new LinkedHashMap<>(a);
        map.putAll(b);
        return map;
    }

    static PolicySet parse(ServiceInfo... services) {
        return PARSER.parse(List.of(services));
    }

    /** The only policy parsed from one worker exporter service with these labels; fails on any error. */
    static Policy onlyPolicy(PolicyParser parser, List<String> constraints, Map<String, String> labels) {
        PolicySet set = parser.parse(List.of(service(WORKER_EXPORTER, constraints, labels)));
        assertThat(set.errors()).as("errors").isEmpty();
        assertThat(set.policies()).as("policies").hasSize(1);
        return set.policies().get(0);
    }

    // ---------------------------------------------------------------- shortcuts

    static Stream<Arguments> shortcuts() {
        return Stream.of(
                Arguments.of("@node_mem_limit_total_above:0.95", false, TOTAL_QUERY, Comparison.GREATER, 0.95,
                        ScaleDirection.UP, "Total memory of the nodes is over 0.95"),
                Arguments.of("@node_mem_limit_total_below:0.05", false, TOTAL_QUERY, Comparison.LESS, 0.05,
                        ScaleDirection.DOWN, "Total memory of the nodes is below 0.05"),
                Arguments.of("@node_mem_limit:0.8", false, PER_INSTANCE_QUERY, Comparison.GREATER, 0.8,
                        ScaleDirection.UP, "Memory of a node is over 0.8"),
                Arguments.of("@node_mem_limit_total_above:1", false, TOTAL_QUERY, Comparison.GREATER, 1.0,
                        ScaleDirection.UP, "Total memory of the nodes is over 1"),
                Arguments.of("@node_mem_limit_total_below:0", false, TOTAL_QUERY, Comparison.LESS, 0.0,
                        ScaleDirection.DOWN, "Total memory of the nodes is below 0"),
                Arguments.of("  @node_mem_limit_total_above: 0.7 ", false, TOTAL_QUERY, Comparison.GREATER, 0.7,
                        ScaleDirection.UP, "Total memory of the nodes is over 0.7"),
                Arguments.of("@node_mem_limit_total_above:0.95", true, LEGACY_TOTAL_QUERY, Comparison.GREATER, 0.95,
                        ScaleDirection.UP, "Total memory of the nodes is over 0.95"),
                Arguments.of("@node_mem_limit_total_below:0.05", true, LEGACY_TOTAL_QUERY, Comparison.LESS, 0.05,
                        ScaleDirection.DOWN, "Total memory of the nodes is below 0.05"),
                Arguments.of("@node_mem_limit:0.8", true, LEGACY_PER_INSTANCE_QUERY, Comparison.GREATER, 0.8,
                        ScaleDirection.UP, "Memory of a node is over 0.8"));
    }

    @ParameterizedTest(name = "{0} (legacy names: {1})")
    @MethodSource("shortcuts")
    void expandsShortcuts(String alertIf, boolean legacy, String query, Comparison comparison, double threshold,
            ScaleDirection direction, String summary) {
        Policy policy = onlyPolicy(legacy ? LEGACY_PARSER : PARSER, List.of(WORKER),
                labels("com.df.alertIf.1", alertIf));

        assertThat(policy.condition()).isEqualTo(new Threshold(query, comparison, threshold));
        assertThat(policy.direction()).isEqualTo(direction);
        assertThat(policy.summary()).isEqualTo(summary);
        assertThat(policy.alertIf()).isEqualTo(alertIf.trim());
        assertThat(policy.alertName()).isEqualTo(alertIf.trim().substring(1, alertIf.trim().indexOf(':')));
        assertThat(policy.holdFor()).isEqualTo(Duration.ZERO);
        assertThat(policy.kind()).isEqualTo(alertIf.contains("_total_") ? Policy.Kind.GROUP_MEMORY
                : Policy.Kind.NODE_MEMORY);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "@node_mem_limit_total_above:0.8 | GROUP_MEMORY",
            "@node_mem_limit_total_below:0.1 | GROUP_MEMORY",
            "@node_mem_limit:0.8             | NODE_MEMORY",
            "node_load1 > 0.5                | PROMQL",
            // Written out by hand, the memory ratio is still PromQL: its kind comes from how it was written.
            "(sum(node_memory_MemTotal_bytes) - sum(node_memory_MemAvailable_bytes)) / sum(node_memory_MemTotal_bytes) > 0.8 | PROMQL"})
    void aPolicysKindComesFromHowItWasWritten(String alertIf, Policy.Kind kind) {
        Policy policy = onlyPolicy(PARSER, List.of(WORKER), labels("com.df.alertIf.1", alertIf,
                "com.df.alertLabels.1", "scale=up,type=node"));

        assertThat(policy.kind()).isEqualTo(kind);
    }

    // ---------------------------------------------------------------- direction

    static Stream<Arguments> directions() {
        return Stream.of(
                Arguments.of("@node_mem_limit_total_above:0.9", null, ScaleDirection.UP),
                Arguments.of("@node_mem_limit_total_below:0.1", null, ScaleDirection.DOWN),
                Arguments.of("@node_mem_limit:0.9", null, ScaleDirection.UP),
                Arguments.of("@node_mem_limit_total_above:0.9", "scale=no", ScaleDirection.NOTIFY_ONLY),
                Arguments.of("@node_mem_limit_total_above:0.9", "receiver=system,scale=no,type=node",
                        ScaleDirection.NOTIFY_ONLY),
                Arguments.of("@node_mem_limit_total_above:0.9", "scale=down", ScaleDirection.DOWN),
                Arguments.of("@node_mem_limit_total_below:0.1", "scale=up,type=node", ScaleDirection.UP),
                Arguments.of("@node_mem_limit_total_below:0.1", "scale=no", ScaleDirection.NOTIFY_ONLY),
                Arguments.of("@node_mem_limit_total_above:0.9", "scale=UP", ScaleDirection.UP),
                Arguments.of("@node_mem_limit_total_above:0.9", "receiver=system", ScaleDirection.UP),
                Arguments.of("avg(x) > 0.9", "type=node", ScaleDirection.NOTIFY_ONLY),
                Arguments.of("avg(x) > 0.9", "type=node,scale=up", ScaleDirection.UP),
                Arguments.of("avg(x) < 0.1", "scale=down,type=node", ScaleDirection.DOWN));
    }

    @ParameterizedTest(name = "{0} with alertLabels {1} is {2}")
    @MethodSource("directions")
    void directionComesFromTheShortcutUnlessAlertLabelsSayOtherwise(String alertIf, String alertLabels,
            ScaleDirection expected) {
        Map<String, String> labels = labels("com.df.alertIf.1", alertIf);
        if (alertLabels != null) {
            labels.put("com.df.alertLabels.1", alertLabels);
        }
        assertThat(onlyPolicy(PARSER, List.of(WORKER), labels).direction()).isEqualTo(expected);
    }

    // ---------------------------------------------------------------- node group

    static Stream<Arguments> roles() {
        return Stream.of(
                Arguments.of(List.of("node.role==worker"), labels(), NodeRole.WORKER),
                Arguments.of(List.of("node.role == worker"), labels(), NodeRole.WORKER),
                Arguments.of(List.of("node.role==manager"), labels(), NodeRole.MANAGER),
                Arguments.of(List.of("node.role == manager"), labels(), NodeRole.MANAGER),
                Arguments.of(List.of("node.role!=manager"), labels(), NodeRole.WORKER),
                Arguments.of(List.of("node.role != worker"), labels(), NodeRole.MANAGER),
                Arguments.of(List.of("node.labels.disk==ssd", "node.role==worker"), labels(), NodeRole.WORKER),
                Arguments.of(List.of("node.role==worker"), labels("com.df.scaler.nodeGroup", "manager"),
                        NodeRole.MANAGER),
                Arguments.of(List.of("node.role==manager"), labels("com.df.scaler.nodeGroup.1", "worker"),
                        NodeRole.WORKER),
                Arguments.of(List.of(), labels("com.df.scaler.nodeGroup", "worker"), NodeRole.WORKER),
                Arguments.of(List.of(), labels("com.df.scaler.nodeGroup.1", "manager"), NodeRole.MANAGER),
                Arguments.of(List.of(),
                        labels("com.df.scaler.nodeGroup", "worker", "com.df.scaler.nodeGroup.1", "manager"),
                        NodeRole.MANAGER));
    }

    @ParameterizedTest(name = "constraints {0} and labels {1} mean {2}")
    @MethodSource("roles")
    void nodeGroupComesFromConstraintsOrOurLabel(List<String> constraints, Map<String, String> extra,
            NodeRole expected) {
        Map<String, String> labels = merged(labels("com.df.alertIf.1", "@node_mem_limit_total_above:0.9"), extra);
        assertThat(onlyPolicy(PARSER, constraints, labels).role()).isEqualTo(expected);
    }

    // ---------------------------------------------------------------- bounds

    static Stream<Arguments> bounds() {
        return Stream.of(
                Arguments.of(WORKER, labels(), new GroupBounds(0, 5, 1, 1)),
                Arguments.of(MANAGER, labels(), new GroupBounds(3, 7, 1, 1)),
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeMin", "1", "com.df.scaleWorkerNodeMax", "10",
                        "com.df.scaleWorkerNodeUpBy", "2", "com.df.scaleWorkerNodeDownBy", "3"),
                        new GroupBounds(1, 10, 2, 3)),
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeMax", "8"), new GroupBounds(0, 8, 1, 1)),
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeMax", " 8 "), new GroupBounds(0, 8, 1, 1)),
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeMin", "2", "com.df.scaleWorkerNodeMax", "2"),
                        new GroupBounds(2, 2, 1, 1)),
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeMax", "0"), new GroupBounds(0, 0, 1, 1)),
                Arguments.of(MANAGER, labels("com.df.scaleManagerNodeMax", "9", "com.df.scaleManagerNodeUpBy", "2"),
                        new GroupBounds(3, 9, 2, 1)),
                Arguments.of(MANAGER, labels("com.df.scaleManagerNodeMin", "1", "com.df.scaleManagerNodeMax", "3"),
                        new GroupBounds(1, 3, 1, 1)),
                // the other group's labels do not apply
                Arguments.of(WORKER, labels("com.df.scaleManagerNodeMax", "9", "com.df.scaleManagerNodeMin", "1"),
                        new GroupBounds(0, 5, 1, 1)),
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeUpBy", "100", "com.df.scaleWorkerNodeDownBy", "100",
                        "com.df.scaleWorkerNodeMax", "1000000"), new GroupBounds(0, 1000000, 100, 100)),
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeMax", "007"), new GroupBounds(0, 7, 1, 1)),
                Arguments.of(MANAGER, labels("com.df.scaleWorkerNodeMax", "1"), new GroupBounds(3, 7, 1, 1)),
                // target tracking
                Arguments.of(WORKER, labels("com.df.scaleWorkerNodeUpBy", "auto"),
                        new GroupBounds(0, 5, GroupBounds.UP_BY_TARGET, 1)),
                Arguments.of(MANAGER, labels("com.df.scaleManagerNodeUpBy", "auto"),
                        new GroupBounds(3, 7, GroupBounds.UP_BY_TARGET, 1)));
    }

    @ParameterizedTest(name = "{0} with {1} has bounds {2}")
    @MethodSource("bounds")
    void boundsComeFromLabelsElseDefaults(String constraint, Map<String, String> extra, GroupBounds expected) {
        Map<String, String> labels = merged(labels("com.df.alertIf.1", "@node_mem_limit_total_above:0.9"), extra);
        assertThat(onlyPolicy(PARSER, List.of(constraint), labels).bounds()).isEqualTo(expected);
    }

    @Test
    void defaultBoundsComeFromTheSettings() {
        PolicyParser parser = new PolicyParser(new PolicyParser.Settings(
                Map.of(NodeRole.WORKER, new GroupBounds(1, 3, 2, 1), NodeRole.MANAGER, new GroupBounds(1, 1, 1, 1)),
                false));
        Policy policy = onlyPolicy(parser, List.of(WORKER), labels("com.df.alertIf.1", "@node_mem_limit:0.9"));
        assertThat(policy.bounds()).isEqualTo(new GroupBounds(1, 3, 2, 1));
    }

    // ---------------------------------------------------------------- the seed's label sets

    @Test
    void seedManagerExporterIsANotifyOnlyManagerPolicy() {
        ServiceInfo exporter = service(MANAGER_EXPORTER, List.of(MANAGER), labels(
                "com.df.notify", "true",
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.95",
                "com.df.alertLabels.1", "receiver=system,scale=no,service=exporter_node-exporter-manager,type=node",
                "com.df.alertFor.1", "30s"));

        PolicySet set = parse(exporter);

        String job = "{job=\"exporter_node-exporter-manager\"}";
        String query = "(sum(node_memory_MemTotal_bytes" + job + ") - sum(node_memory_MemFree_bytes" + job
                + " + node_memory_Buffers_bytes" + job + " + node_memory_Cached_bytes" + job
                + ")) / sum(node_memory_MemTotal_bytes" + job + ")";
        assertThat(set.errors()).isEmpty();
        assertThat(set.policies()).containsExactly(new Policy(
                new PolicyId(MANAGER_EXPORTER, "1"),
                "node_mem_limit_total_above",
                "@node_mem_limit_total_above:0.95",
                new Threshold(query, Comparison.GREATER, 0.95),
                Policy.Kind.GROUP_MEMORY,
                Duration.ofSeconds(30),
                ScaleDirection.NOTIFY_ONLY,
                NodeRole.MANAGER,
                new GroupBounds(3, 7, 1, 1),
                Map.of("receiver", "system", "scale", "no", "service", MANAGER_EXPORTER, "type", "node"),
                "Total memory of the nodes is over 0.95"));
    }

    @Test
    void seedWorkerExporterScalesWorkersUpAndDown() {
        ServiceInfo exporter = service(WORKER_EXPORTER, List.of(WORKER), labels(
                "com.df.notify", "true",
                "com.df.alertName.1", "node_mem_limit_total_above",
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.95",
                "com.df.alertFor.1", "30s",
                "com.df.alertName.2", "node_mem_limit_total_below",
                "com.df.alertIf.2", "@node_mem_limit_total_below:0.05",
                "com.df.alertFor.2", "30s"));

        PolicySet set = parse(exporter);

        assertThat(set.errors()).isEmpty();
        assertThat(set.policies()).containsExactly(
                new Policy(new PolicyId(WORKER_EXPORTER, "1"), "node_mem_limit_total_above",
                        "@node_mem_limit_total_above:0.95", new Threshold(TOTAL_QUERY, Comparison.GREATER, 0.95),
                        Policy.Kind.GROUP_MEMORY, Duration.ofSeconds(30), ScaleDirection.UP, NodeRole.WORKER, new GroupBounds(0, 5, 1, 1),
                        Map.of(), "Total memory of the nodes is over 0.95"),
                new Policy(new PolicyId(WORKER_EXPORTER, "2"), "node_mem_limit_total_below",
                        "@node_mem_limit_total_below:0.05", new Threshold(TOTAL_QUERY, Comparison.LESS, 0.05),
                        Policy.Kind.GROUP_MEMORY, Duration.ofSeconds(30), ScaleDirection.DOWN, NodeRole.WORKER, new GroupBounds(0, 5, 1, 1),
                        Map.of(), "Total memory of the nodes is below 0.05"));
    }

    @Test
    void bothSeedExportersTogetherGiveThreePoliciesInIdOrder() {
        PolicySet set = parse(
                service(WORKER_EXPORTER, List.of(WORKER), labels(
                        "com.df.alertIf.2", "@node_mem_limit_total_below:0.05",
                        "com.df.alertIf.1", "@node_mem_limit_total_above:0.95")),
                service(MANAGER_EXPORTER, List.of(MANAGER), labels(
                        "com.df.alertIf.1", "@node_mem_limit_total_above:0.95",
                        "com.df.alertLabels.1", "scale=no,type=node")));

        assertThat(set.errors()).isEmpty();
        assertThat(set.policies()).extracting(Policy::id).containsExactly(
                new PolicyId(MANAGER_EXPORTER, "1"), new PolicyId(WORKER_EXPORTER, "1"),
                new PolicyId(WORKER_EXPORTER, "2"));
    }

    @Test
    void unnumberedLabelsMakeAPolicyWithAnEmptyIndex() {
        Policy policy = onlyPolicy(PARSER, List.of(WORKER), labels(
                "com.df.alertName", "memory",
                "com.df.alertIf", "@node_mem_limit_total_above:0.8",
                "com.df.alertFor", "1m",
                "com.df.alertLabels", "scale=no"));

        assertThat(policy.id()).isEqualTo(new PolicyId(WORKER_EXPORTER, ""));
        assertThat(policy.alertName()).isEqualTo("memory");
        assertThat(policy.holdFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.direction()).isEqualTo(ScaleDirection.NOTIFY_ONLY);
    }

    // ---------------------------------------------------------------- raw PromQL

    static Stream<Arguments> rawExpressions() {
        return Stream.of(
                Arguments.of("avg(x{job=\"a\"}) > 0.8", new Threshold("avg(x{job=\"a\"})", Comparison.GREATER, 0.8)),
                Arguments.of("x >= 0.8", new Threshold("x", Comparison.GREATER_OR_EQUAL, 0.8)),
                Arguments.of("x < 0.2", new Threshold("x", Comparison.LESS, 0.2)),
                Arguments.of("x <= 2", new Threshold("x", Comparison.LESS_OR_EQUAL, 2)),
                Arguments.of("x == 1", new Threshold("x", Comparison.EQUAL, 1)),
                Arguments.of("x != 0", new Threshold("x", Comparison.NOT_EQUAL, 0)),
                Arguments.of("x>1", new Threshold("x", Comparison.GREATER, 1)),
                Arguments.of("x > -1", new Threshold("x", Comparison.GREATER, -1)),
                Arguments.of("sum(rate(x{job=~\"a|b\"}[5m])) by (job) > 100",
                        new Threshold("sum(rate(x{job=~\"a|b\"}[5m])) by (job)", Comparison.GREATER, 100)),
                Arguments.of("x{path=\"a>b\"} > 1", new Threshold("x{path=\"a>b\"}", Comparison.GREATER, 1)),
                Arguments.of("a > 1 and b < 2", new AnySample("a > 1 and b < 2")),
                Arguments.of("a > 1 or b", new AnySample("a > 1 or b")),
                Arguments.of("a unless b > 1", new AnySample("a unless b > 1")),
                Arguments.of("a > bool 1", new AnySample("a > bool 1")),
                Arguments.of("a > b", new AnySample("a > b")),
                Arguments.of("(a > 1)", new AnySample("(a > 1)")),
                Arguments.of("up{job=\"x\"} == 0 and on(instance) y", new AnySample("up{job=\"x\"} == 0 and on(instance) y")),
                Arguments.of("absent(up{job=\"x\"})", new AnySample("absent(up{job=\"x\"})")),
                Arguments.of("x > 1e3", new Threshold("x", Comparison.GREATER, 1000)),
                Arguments.of("x > +1", new Threshold("x", Comparison.GREATER, 1)),
                Arguments.of("x > .5", new Threshold("x", Comparison.GREATER, 0.5)),
                // Not a number this side reads: sent whole, so Prometheus answers a typo with its parse error
                // instead of the typo being compared here as 0.8.
                Arguments.of("x > 0.8f", new AnySample("x > 0.8f")),
                Arguments.of("x > 0.05d", new AnySample("x > 0.05d")),
                Arguments.of("x > 0x1p-1", new AnySample("x > 0x1p-1")),
                Arguments.of("x > \u0664", new AnySample("x > \u0664")),
                Arguments.of("x > Infinity", new AnySample("x > Infinity")));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("rawExpressions")
    void rawPromQlIsSplitIntoAThresholdWhereItCanBe(String expression, Condition expected) {
        Policy policy = onlyPolicy(PARSER, List.of(WORKER), labels(
                "com.df.alertIf.1", expression,
                "com.df.alertLabels.1", "type=node,scale=up"));

        assertThat(policy.condition()).isEqualTo(expected);
        assertThat(policy.alertIf()).isEqualTo(expression);
        assertThat(policy.direction()).isEqualTo(ScaleDirection.UP);
    }

    @Test
    void rawPromQlPolicyIsNamedAfterItsAlertName() {
        Policy policy = onlyPolicy(PARSER, List.of(WORKER), labels(
                "com.df.alertName.3", "disk_full",
                "com.df.alertIf.3", "x > 1",
                "com.df.alertLabels.3", "type=node"));
        assertThat(policy.alertName()).isEqualTo("disk_full");
        assertThat(policy.summary()).contains("disk_full").contains(WORKER_EXPORTER);
    }

    // ---------------------------------------------------------------- docker-flow-monitor service alerts

    static Stream<Arguments> serviceAlerts() {
        return Stream.of(
                Arguments.of(labels("com.df.alertIf.1", "@service_mem_limit:0.8")),
                Arguments.of(labels("com.df.alertIf", "@service_mem_limit:0.8")),
                Arguments.of(labels("com.df.alertIf.1", "@service_mem_limit:0.8",
                        "com.df.alertLabels.1", "receiver=system,service=go-demo",
                        "com.df.alertFor.1", "30s")),
                Arguments.of(labels("com.df.alertIf.1", "@replicas_running")),
                Arguments.of(labels("com.df.alertIf.1", "@resp_time_above:0.1,5m,0.99",
                        "com.df.alertLabels.1", "scale=up,service=go-demo")),
                Arguments.of(labels("com.df.alertIf.1",
                        "sum(rate(http_server_resp_time_count{job=\"go-demo\"}[1m])) > 10")),
                // not ours, so its other labels are not ours to judge either
                Arguments.of(labels("com.df.alertIf.1", "@service_mem_limit:0.8", "com.df.alertFor.1", "soon")),
                Arguments.of(labels("com.df.alertIf.1", "@service_mem_limit:0.8",
                        "com.df.alertLabels.1", "receiver")),
                Arguments.of(labels("com.df.alertIf.1", "x > 1", "com.df.alertLabels.1", "scale=sideways")),
                Arguments.of(labels("com.df.alertIf.1", "x > 1", "com.df.alertLabels.1", "scale=up,scale=down")),
                // docker-flow-monitor's and docker-flow-proxy's own keys are theirs
                Arguments.of(labels("com.df.alertIf.1", "@service_mem_limit:0.8", "com.df.notify", "true",
                        "com.df.scaleMin", "2", "com.df.scaleMax", "4", "com.df.servicePath", "/demo",
                        "com.df.port", "8080", "com.df.distribute", "true", "com.df.alertPersistent.1", "true")),
                Arguments.of(labels("com.df.reschedule", "true")),
                Arguments.of(labels("com.df.reschedule", "false")),
                Arguments.of(labels("com.df.reschedule", " TRUE ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceAlerts")
    void dockerFlowMonitorServiceAlertsAreIgnoredSilently(Map<String, String> labels) {
        PolicySet set = parse(service("go-demo_main", List.of(), labels));

        assertThat(set.policies()).isEmpty();
        assertThat(set.errors()).isEmpty();
    }

    @Test
    void servicesWithoutAlertLabelsGiveNothing() {
        PolicySet set = parse(service("go-demo_db", List.of(WORKER), labels(
                "com.df.scaleWorkerNodeMax", "9", "com.df.reschedule", "true", "com.df.notify", "true")));
        assertThat(set.policies()).isEmpty();
        assertThat(set.errors()).isEmpty();
    }

    // ---------------------------------------------------------------- malformed labels

    /**
     * Policy 1 of {@code svc} carries the mistake; policy 2 ({@code @node_mem_limit_total_above:0.9}, plus
     * {@code sibling}) must still parse.
     */
    record Malformed(String name, List<String> constraints, Map<String, String> labels, Map<String, String> sibling,
            String label, String value, String expectedMentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Malformed bad(String name, Map<String, String> labels, String label, String value, String mentions) {
        return new Malformed(name, List.of(WORKER), labels, Map.of(), label, value, mentions);
    }

    static Stream<Malformed> malformed() {
        String above = "@node_mem_limit_total_above:0.8";
        return Stream.of(
                bad("ratio not a number", labels("com.df.alertIf.1", "@node_mem_limit_total_above:lots"),
                        "com.df.alertIf.1", "@node_mem_limit_total_above:lots", "between 0 and 1"),
                bad("ratio above 1", labels("com.df.alertIf.1", "@node_mem_limit:1.5"),
                        "com.df.alertIf.1", "@node_mem_limit:1.5", "between 0 and 1"),
                bad("ratio below 0", labels("com.df.alertIf.1", "@node_mem_limit_total_below:-0.1"),
                        "com.df.alertIf.1", "@node_mem_limit_total_below:-0.1", "between 0 and 1"),
                bad("ratio NaN", labels("com.df.alertIf.1", "@node_mem_limit_total_below:NaN"),
                        "com.df.alertIf.1", "@node_mem_limit_total_below:NaN", "between 0 and 1"),
                bad("ratio missing", labels("com.df.alertIf.1", "@node_mem_limit_total_above"),
                        "com.df.alertIf.1", "@node_mem_limit_total_above", "between 0 and 1"),
                bad("ratio empty", labels("com.df.alertIf.1", "@node_mem_limit_total_above:"),
                        "com.df.alertIf.1", "@node_mem_limit_total_above:", "between 0 and 1"),
                bad("unknown @node_ shortcut", labels("com.df.alertIf.1", "@node_cpu_limit:0.8"),
                        "com.df.alertIf.1", "@node_cpu_limit:0.8", "@node_mem_limit_total_above:V"),
                bad("service shortcut on a type=node policy", labels("com.df.alertIf.1", "@service_mem_limit:0.8",
                        "com.df.alertLabels.1", "type=node"),
                        "com.df.alertIf.1", "@service_mem_limit:0.8", "@node_mem_limit:V"),
                bad("empty expression on a type=node policy", labels("com.df.alertIf.1", "",
                        "com.df.alertLabels.1", "type=node,scale=up"),
                        "com.df.alertIf.1", "", "PromQL"),
                bad("for without unit", labels("com.df.alertIf.1", above, "com.df.alertFor.1", "30"),
                        "com.df.alertFor.1", "30", "30s"),
                bad("for in words", labels("com.df.alertIf.1", above, "com.df.alertFor.1", "30 seconds"),
                        "com.df.alertFor.1", "30 seconds", "duration"),
                bad("for with units out of order", labels("com.df.alertIf.1", above, "com.df.alertFor.1", "30s1m"),
                        "com.df.alertFor.1", "30s1m", "duration"),
                bad("for empty", labels("com.df.alertIf.1", above, "com.df.alertFor.1", ""),
                        "com.df.alertFor.1", "", "duration"),
                bad("unknown scale", labels("com.df.alertIf.1", above, "com.df.alertLabels.1", "scale=sideways"),
                        "com.df.alertLabels.1", "scale=sideways", "scale=up"),
                bad("alertLabels without =", labels("com.df.alertIf.1", above, "com.df.alertLabels.1", "scale"),
                        "com.df.alertLabels.1", "scale", "key=value"),
                bad("alertLabels with an empty pair", labels("com.df.alertIf.1", above,
                        "com.df.alertLabels.1", "receiver=system,,type=node"),
                        "com.df.alertLabels.1", "receiver=system,,type=node", "key=value"),
                bad("alertLabels with an empty key", labels("com.df.alertIf.1", "x > 1",
                        "com.df.alertLabels.1", "type=node,=up"),
                        "com.df.alertLabels.1", "type=node,=up", "key=value"),
                bad("type other than node", labels("com.df.alertIf.1", above,
                        "com.df.alertLabels.1", "scale=up,type=service"),
                        "com.df.alertLabels.1", "scale=up,type=service", "type=node"),
                bad("bad per-policy node group", labels("com.df.alertIf.1", above,
                        "com.df.scaler.nodeGroup.1", "database"),
                        "com.df.scaler.nodeGroup.1", "database", "worker or manager"),
                new Malformed("bad service-wide node group", List.of(),
                        labels("com.df.alertIf.1", above, "com.df.scaler.nodeGroup", "both"),
                        labels("com.df.scaler.nodeGroup.2", "worker"),
                        "com.df.scaler.nodeGroup", "both", "worker or manager"),
                new Malformed("no way to tell the group", List.of(), labels("com.df.alertIf.1", above),
                        labels("com.df.scaler.nodeGroup.2", "worker"),
                        "com.df.scaler.nodeGroup", "", "node.role"),
                new Malformed("constraint naming no role we know", List.of("node.role==database"),
                        labels("com.df.alertIf.1", above),
                        labels("com.df.scaler.nodeGroup.2", "manager"),
                        "com.df.scaler.nodeGroup", "", "node.role"),
                new Malformed("max not a number", List.of(WORKER),
                        labels("com.df.alertIf.1", above, "com.df.scaleWorkerNodeMax", "lots"),
                        labels("com.df.scaler.nodeGroup.2", "manager"),
                        "com.df.scaleWorkerNodeMax", "lots", "whole number"),
                new Malformed("negative min", List.of(WORKER),
                        labels("com.df.alertIf.1", above, "com.df.scaleWorkerNodeMin", "-1"),
                        labels("com.df.scaler.nodeGroup.2", "manager"),
                        "com.df.scaleWorkerNodeMin", "-1", "at least 0"),
                new Malformed("step of zero", List.of(WORKER),
                        labels("com.df.alertIf.1", above, "com.df.scaleWorkerNodeUpBy", "0"),
                        labels("com.df.scaler.nodeGroup.2", "manager"),
                        "com.df.scaleWorkerNodeUpBy", "0", "from 1 to 100"),
                new Malformed("fractional step", List.of(WORKER),
                        labels("com.df.alertIf.1", above, "com.df.scaleWorkerNodeDownBy", "1.5"),
                        labels("com.df.scaler.nodeGroup.2", "manager"),
                        "com.df.scaleWorkerNodeDownBy", "1.5", "whole number"),
                new Malformed("manager max not a number", List.of(MANAGER),
                        labels("com.df.alertIf.1", above, "com.df.scaleManagerNodeMax", "seven"),
                        labels("com.df.scaler.nodeGroup.2", "worker"),
                        "com.df.scaleManagerNodeMax", "seven", "whole number"),
                new Malformed("min above max", List.of(WORKER),
                        labels("com.df.alertIf.1", above, "com.df.scaleWorkerNodeMin", "4",
                                "com.df.scaleWorkerNodeMax", "2"),
                        labels("com.df.scaler.nodeGroup.2", "manager"),
                        "com.df.scaleWorkerNodeMin", "4", "com.df.scaleWorkerNodeMax=2"),
                new Malformed("min above the default max", List.of(WORKER),
                        labels("com.df.alertIf.1", above, "com.df.scaleWorkerNodeMin", "6"),
                        labels("com.df.scaler.nodeGroup.2", "manager"),
                        "com.df.scaleWorkerNodeMin", "6", "5"),
                new Malformed("max below the default min", List.of(MANAGER),
                        labels("com.df.alertIf.1", above, "com.df.scaleManagerNodeMax", "2"),
                        labels("com.df.scaler.nodeGroup.2", "worker"),
                        "com.df.scaleManagerNodeMax", "2", "3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void eachMalformedLabelIsOneErrorAndOnlyItsPolicyIsSkipped(Malformed c) {
        Map<String, String> labels = merged(c.labels(), labels(
                "com.df.alertIf.2", "@node_mem_limit_total_above:0.9",
                "com.df.alertFor.2", "1m"));
        labels.putAll(c.sibling());
        ServiceInfo broken = service("svc", c.constraints(), labels);
        ServiceInfo other = service(WORKER_EXPORTER, List.of(WORKER),
                labels("com.df.alertIf.1", "@node_mem_limit_total_above:0.9"));

        PolicySet set = parse(broken, other);

        assertThat(set.errors()).hasSize(1);
        PolicyError error = set.errors().get(0);
        assertThat(error.service()).isEqualTo("svc");
        assertThat(error.label()).isEqualTo(c.label());
        assertThat(error.value()).isEqualTo(c.value());
        assertThat(error.expected()).isNotBlank().contains(c.expectedMentions());
        assertThat(error.message()).contains("svc").contains(c.label()).contains("\"" + c.value() + "\"")
                .contains(error.expected());
        assertThat(set.policies()).extracting(Policy::id)
                .containsExactly(new PolicyId(WORKER_EXPORTER, "1"), new PolicyId("svc", "2"));
        Policy sibling = set.policies().get(1);
        assertThat(sibling.holdFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(sibling.direction()).isEqualTo(ScaleDirection.UP);
    }

    // ---------------------------------------------------------------- every bad label is named (issue 12)

    /** One bad label on a service; it must come back as exactly one error naming it and what is expected. */
    record BadLabel(String name, List<String> constraints, Map<String, String> labels, String label, String value,
            String expectedMentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    static BadLabel worker(String name, Map<String, String> labels, String label, String value, String mentions) {
        return new BadLabel(name, List.of(WORKER), labels, label, value, mentions);
    }

    static Stream<BadLabel> badLabels() {
        String above = "@node_mem_limit_total_above:0.8";
        return Stream.of(
                // strict numbers: ASCII digits, no type suffix, no hex, no sign, no exponent
                worker("ratio with a float suffix", labels("com.df.alertIf.1", "@node_mem_limit_total_above:0.8f"),
                        "com.df.alertIf.1", "@node_mem_limit_total_above:0.8f", "plain decimal ASCII digits"),
                worker("ratio with a double suffix", labels("com.df.alertIf.1", "@node_mem_limit_total_below:0.05d"),
                        "com.df.alertIf.1", "@node_mem_limit_total_below:0.05d", "plain decimal ASCII digits"),
                worker("ratio in hex", labels("com.df.alertIf.1", "@node_mem_limit:0x1p-1"),
                        "com.df.alertIf.1", "@node_mem_limit:0x1p-1", "e.g. @node_mem_limit:0.8"),
                worker("ratio with an exponent", labels("com.df.alertIf.1", "@node_mem_limit:5e-1"),
                        "com.df.alertIf.1", "@node_mem_limit:5e-1", "between 0 and 1"),
                worker("ratio with a plus sign", labels("com.df.alertIf.1", "@node_mem_limit:+0.5"),
                        "com.df.alertIf.1", "@node_mem_limit:+0.5", "between 0 and 1"),
                worker("ratio in Arabic-Indic digits", labels("com.df.alertIf.1", "@node_mem_limit:\u0660.\u0668"),
                        "com.df.alertIf.1", "@node_mem_limit:\u0660.\u0668", "ASCII digits"),
                worker("ratio in full-width digits", labels("com.df.alertIf.1", "@node_mem_limit:\uff10.\uff18"),
                        "com.df.alertIf.1", "@node_mem_limit:\uff10.\uff18", "ASCII digits"),
                worker("max in an Arabic-Indic digit", labels("com.df.scaleWorkerNodeMax", "\u0664"),
                        "com.df.scaleWorkerNodeMax", "\u0664", "ASCII digits"),
                worker("max in a full-width digit", labels("com.df.scaleWorkerNodeMax", "\uff11"),
                        "com.df.scaleWorkerNodeMax", "\uff11", "ASCII digits"),
                worker("step with a plus sign", labels("com.df.scaleWorkerNodeUpBy", "+1"),
                        "com.df.scaleWorkerNodeUpBy", "+1", "ASCII digits"),
                worker("step in an Arabic digit", labels("com.df.scaleWorkerNodeDownBy", "\u0661"),
                        "com.df.scaleWorkerNodeDownBy", "\u0661", "from 1 to 100"),
                worker("min too large for a number", labels("com.df.scaleWorkerNodeMin", "99999999999"),
                        "com.df.scaleWorkerNodeMin", "99999999999", "whole number"),
                // bounds as the webhook's
                worker("alertFor over a day", labels("com.df.alertIf.1", above, "com.df.alertFor.1", "99999999h"),
                        "com.df.alertFor.1", "99999999h", "at most 24h"),
                worker("alertFor of a day and a second", labels("com.df.alertIf.1", above,
                        "com.df.alertFor.1", "1d1s"), "com.df.alertFor.1", "1d1s", "at most 24h"),
                worker("alertFor in Arabic-Indic digits", labels("com.df.alertIf.1", above,
                        "com.df.alertFor.1", "\u0663\u0660s"), "com.df.alertFor.1", "\u0663\u0660s", "30s"),
                worker("UpBy above 100 under a huge Max", labels("com.df.alertIf.1", above,
                        "com.df.scaleWorkerNodeUpBy", "100000", "com.df.scaleWorkerNodeMax", "1000000"),
                        "com.df.scaleWorkerNodeUpBy", "100000", "from 1 to 100"),
                worker("DownBy of 101", labels("com.df.scaleWorkerNodeDownBy", "101"),
                        "com.df.scaleWorkerNodeDownBy", "101", "from 1 to 100"),
                // alertLabels
                worker("scale given twice", labels("com.df.alertIf.1", above,
                        "com.df.alertLabels.1", "scale=down,scale=up"),
                        "com.df.alertLabels.1", "scale=down,scale=up", "scale appears more than once"),
                worker("type given twice", labels("com.df.alertIf.1", "x > 1",
                        "com.df.alertLabels.1", "type=node,scale=up,type=node"),
                        "com.df.alertLabels.1", "type=node,scale=up,type=node", "type appears more than once"),
                // shortcut spellings
                worker("shortcut in upper case", labels("com.df.alertIf.1", "@NODE_MEM_LIMIT_TOTAL_ABOVE:0.8"),
                        "com.df.alertIf.1", "@NODE_MEM_LIMIT_TOTAL_ABOVE:0.8",
                        "@node_mem_limit_total_above:0.8: shortcut names are lower case"),
                worker("shortcut in mixed case", labels("com.df.alertIf.1", "@Node_Mem_Limit:0.9"),
                        "com.df.alertIf.1", "@Node_Mem_Limit:0.9", "@node_mem_limit:0.9"),
                worker("shortcut without @", labels("com.df.alertIf.1", "node_mem_limit_total_above:0.8"),
                        "com.df.alertIf.1", "node_mem_limit_total_above:0.8",
                        "@node_mem_limit_total_above:0.8: a shortcut starts with @"),
                worker("upper-case shortcut without @", labels("com.df.alertIf.1", "NODE_MEM_LIMIT_TOTAL_BELOW:0.1"),
                        "com.df.alertIf.1", "NODE_MEM_LIMIT_TOTAL_BELOW:0.1", "@node_mem_limit_total_below:0.1"),
                // keys that look like ours but are not
                worker("alertif in lower case", labels("com.df.alertif", above),
                        "com.df.alertif", above, "com.df.alertIf "),
                worker("alertIf with two numbers", labels("com.df.alertIf.1.1", above),
                        "com.df.alertIf.1.1", above, "com.df.alertIf.1 "),
                worker("alertFor in upper case", labels("com.df.alertIf.1", above, "com.df.ALERTFOR.1", "30s"),
                        "com.df.ALERTFOR.1", "30s", "com.df.alertFor.1 "),
                worker("prefix in upper case", labels("COM.DF.alertIf.1", above),
                        "COM.DF.alertIf.1", above, "com.df.alertIf.1 "),
                worker("bound key in lower case", labels("com.df.scaleworkernodemax", "3"),
                        "com.df.scaleworkernodemax", "3", "com.df.scaleWorkerNodeMax "),
                worker("bound key with a number", labels("com.df.scaleWorkerNodeMax.1", "3"),
                        "com.df.scaleWorkerNodeMax.1", "3", "com.df.scaleWorkerNodeMax "),
                worker("node group key in lower case", labels("com.df.alertIf.1", above,
                        "com.df.scaler.nodegroup", "worker"),
                        "com.df.scaler.nodegroup", "worker", "com.df.scaler.nodeGroup "),
                worker("reschedule key capitalised", labels("com.df.Reschedule", "true"),
                        "com.df.Reschedule", "true", "com.df.reschedule "),
                // a policy's labels with no alertIf of their number
                worker("alertFor.2 with no alertIf.2", labels("com.df.alertIf.1", above, "com.df.alertFor.2", "5m"),
                        "com.df.alertFor.2", "5m", "com.df.alertIf.2"),
                worker("alertName.2 with no alertIf.2", labels("com.df.alertIf.1", above,
                        "com.df.alertName.2", "memory"), "com.df.alertName.2", "memory", "com.df.alertIf.2"),
                worker("alertLabels.2 with no alertIf.2", labels("com.df.alertIf.1", above,
                        "com.df.alertLabels.2", "scale=no"), "com.df.alertLabels.2", "scale=no", "com.df.alertIf.2"),
                worker("unnumbered alertFor beside numbered policies", labels("com.df.alertIf.1", above,
                        "com.df.alertFor", "5m"), "com.df.alertFor", "5m", "com.df.alertIf.1"),
                worker("alertFor on a service with no alertIf", labels("com.df.alertFor.1", "30s"),
                        "com.df.alertFor.1", "30s", "none"),
                // bounds count on any service, whatever its group, with or without policies
                worker("bad manager max on a worker policy's service", labels("com.df.alertIf.1", above,
                        "com.df.scaleManagerNodeMax", "lots"), "com.df.scaleManagerNodeMax", "lots", "whole number"),
                new BadLabel("bad max on a service with no policy", List.of(), labels("com.df.scaleWorkerNodeMax",
                        "lots"), "com.df.scaleWorkerNodeMax", "lots", "whole number"),
                new BadLabel("bad max beside a docker-flow-monitor service alert", List.of(), labels(
                        "com.df.alertIf.1", "@service_mem_limit:0.8", "com.df.scaleWorkerNodeMax", "lots"),
                        "com.df.scaleWorkerNodeMax", "lots", "whole number"),
                new BadLabel("min above max on a service with no policy", List.of(), labels(
                        "com.df.scaleManagerNodeMin", "5", "com.df.scaleManagerNodeMax", "4"),
                        "com.df.scaleManagerNodeMin", "5", "com.df.scaleManagerNodeMax=4"),
                // reschedule
                new BadLabel("reschedule=yes", List.of(), labels("com.df.reschedule", "yes"),
                        "com.df.reschedule", "yes", "true or false"),
                new BadLabel("reschedule=1", List.of(), labels("com.df.reschedule", "1"),
                        "com.df.reschedule", "1", "true or false"),
                worker("auto in capitals", labels("com.df.scaleWorkerNodeUpBy", "AUTO"),
                        "com.df.scaleWorkerNodeUpBy", "AUTO", "or auto (target tracking)"),
                worker("auto on a policy that is not the group's memory", labels("com.df.alertIf.1",
                                "@node_mem_limit:0.8", "com.df.scaleWorkerNodeUpBy", "auto"),
                        "com.df.scaleWorkerNodeUpBy", "auto", "needs the group's memory ratio"),
                worker("auto as a down step", labels("com.df.scaleWorkerNodeDownBy", "auto"),
                        "com.df.scaleWorkerNodeDownBy", "auto", "from 1 to 100"),
                worker("node shape without units", labels("com.df.scaler.nodeShape", "cpus=2,memory=4"),
                        "com.df.scaler.nodeShape", "cpus=2,memory=4", "cpus=2,memory=4GiB"),
                worker("node shape of no CPU", labels("com.df.scaler.nodeShape", "cpus=0,memory=4GiB"),
                        "com.df.scaler.nodeShape", "cpus=0,memory=4GiB", "cpus=2,memory=4GiB"),
                worker("node shape key in another case", labels("com.df.scaler.nodeshape", "cpus=2,memory=4GiB"),
                        "com.df.scaler.nodeshape", "cpus=2,memory=4GiB", "com.df.scaler.nodeShape "),
                // warm pools
                worker("standby managers", labels("com.df.scaleManagerNodeWarm", "1"),
                        "com.df.scaleManagerNodeWarm", "1", "use com.df.scaleWorkerNodeWarm"),
                worker("a warm pool that is no number", labels("com.df.scaleWorkerNodeWarm", "some"),
                        "com.df.scaleWorkerNodeWarm", "some", "from 0 to 100"),
                worker("warm key in another case", labels("com.df.scaleworkernodewarm", "1"),
                        "com.df.scaleworkernodewarm", "1", "com.df.scaleWorkerNodeWarm "),
                // trend policies
                worker("a horizon that is no duration", labels("com.df.alertIf.1", above,
                        "com.df.scaler.predict.1", "soon"), "com.df.scaler.predict.1", "soon", "a horizon"),
                worker("a prediction on a scale-down policy", labels("com.df.alertIf.1",
                        "@node_mem_limit_total_below:0.3", "com.df.scaler.predict.1", "10m"),
                        "com.df.scaler.predict.1", "10m", "never scales down"),
                worker("a prediction of an expression without a threshold", labels("com.df.alertIf.1",
                        "up == 0 and on() vector(1)", "com.df.alertLabels.1", "scale=up,type=node",
                        "com.df.scaler.predict.1", "10m"), "com.df.scaler.predict.1", "10m",
                        "compares with a number"),
                worker("predict key in another case", labels("com.df.alertIf.1", above,
                        "com.df.scaler.Predict.1", "10m"), "com.df.scaler.Predict.1", "10m",
                        "com.df.scaler.predict.1 "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLabels")
    void everyBadLabelIsNamed(BadLabel c) {
        PolicySet set = parse(service("svc", c.constraints(), c.labels()));

        assertThat(set.errors()).as("errors").hasSize(1);
        PolicyError error = set.errors().get(0);
        assertThat(error.service()).isEqualTo("svc");
        assertThat(error.label()).isEqualTo(c.label());
        assertThat(error.value()).isEqualTo(c.value());
        assertThat(error.expected()).contains(c.expectedMentions().strip());
        if (c.expectedMentions().endsWith(" ")) {
            // a look-alike key: the expected key is named whole, not as the start of a longer one
            assertThat(error.expected()).containsPattern(java.util.regex.Pattern.quote(c.expectedMentions().strip())
                    + "[ ;)]");
        }
        assertThat(error.message()).contains("svc").contains(c.label()).contains("\"" + c.value() + "\"");
    }

    @Test
    void aPolicyWhoseGroupHasBadBoundsIsSkippedAndTheOtherGroupsPolicyStillWorks() {
        PolicySet set = parse(service("svc", List.of(), labels(
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.scaler.nodeGroup.1", "worker",
                "com.df.alertIf.2", "@node_mem_limit_total_above:0.8", "com.df.scaler.nodeGroup.2", "manager",
                "com.df.scaleWorkerNodeUpBy", "101")));

        assertThat(set.errors()).extracting(PolicyError::label).containsExactly("com.df.scaleWorkerNodeUpBy");
        assertThat(set.policies()).extracting(Policy::id).containsExactly(new PolicyId("svc", "2"));
    }

    @Test
    void aNodeShapeLabelSizesTheNewNodesOfTheGroupItsServiceScales() {
        PolicySet set = parse(service("svc", List.of("node.role==worker"), labels(
                "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.scaler.nodeShape",
                "cpus=1.5, memory=512MiB")));

        assertThat(set.errors()).isEmpty();
        assertThat(set.groups().nodeShapes()).containsExactly(Map.entry(NodeRole.WORKER, new NodeShape(1_500_000_000L,
                512L << 20)));
    }

    @Test
    void aTrendPolicyPredictsOverTheConfiguredLookback() {
        PolicySet set = new PolicyParser(new PolicyParser.Settings(PolicyParser.Settings.defaults().defaultBounds(),
                false, "com.df.reschedule", java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(10)))
                .parse(List.of(service("svc", List.of("node.role==worker"), labels(
                        "com.df.alertIf.1", "@node_mem_limit_total_above:0.8", "com.df.scaler.predict.1", "10m"))));

        assertThat(set.errors()).isEmpty();
        Trend trend = set.policies().get(0).trend().orElseThrow();
        assertThat(trend).isEqualTo(new Trend(java.time.Duration.ofMinutes(10), java.time.Duration.ofMinutes(5),
                java.time.Duration.ofSeconds(10)));
        assertThat(trend.predictionQuery("X")).isEqualTo("predict_linear((X)[5m:10s], 600)");
        assertThat(trend.samplesNeeded()).isEqualTo(30);
    }

    @Test
    void theLargestWarmPoolAServiceAsksForIsTheGroups() {
        PolicySet set = new PolicyParser(PolicyParser.Settings.defaults()).parse(List.of(
                service("a", List.of(), labels("com.df.scaleWorkerNodeWarm", "1")),
                service("b", List.of(), labels("com.df.scaleWorkerNodeWarm", "2")),
                service("c", List.of(), labels())));

        assertThat(set.errors()).isEmpty();
        assertThat(set.groups().warmPools()).containsExactly(Map.entry(NodeRole.WORKER, 2));
    }

    @Test
    void theRescheduleLabelIsTheConfiguredOne() {
        PolicyParser parser = new PolicyParser(new PolicyParser.Settings(
                PolicyParser.Settings.defaults().defaultBounds(), false, "example.reschedule"));
        PolicySet set = parser.parse(List.of(service("svc", List.of(), labels(
                "example.reschedule", "yes", "com.df.reschedule", "whatever"))));

        assertThat(set.errors()).extracting(PolicyError::label).containsExactly("example.reschedule");
    }

    @Test
    void theAlertIfLabelOfAPolicyIsNamedForErrorsFoundLater() {
        assertThat(PolicyParser.alertIfLabel(new PolicyId("svc", "2"))).isEqualTo("com.df.alertIf.2");
        assertThat(PolicyParser.alertIfLabel(new PolicyId("svc", ""))).isEqualTo("com.df.alertIf");
    }
}
