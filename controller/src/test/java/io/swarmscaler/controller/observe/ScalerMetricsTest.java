package io.swarmscaler.controller.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmscaler.controller.fake.FakeNodeGroup;
import io.swarmscaler.controller.fake.FakeSwarm;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.QueryResult;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScalerMetricsTest {
    private final ScalerMetrics metrics = new ScalerMetrics();

    @Test
    void backendCallsAreTimedPerBackendAndCallAndFailuresCounted() {
        metrics.timeCall("docker", "nodes", () -> "ok");
        metrics.timeCall("docker", "nodes", () -> "ok");
        assertThatThrownBy(() -> metrics.timeCall("aws", "set_desired_capacity", () -> {
            throw new IllegalStateException("throttled");
        })).hasMessage("throttled");

        String text = metrics.scrape();
        assertThat(text).contains("swarm_scaler_backend_call_seconds_count{backend=\"docker\",call=\"nodes\",} 2.0");
        assertThat(text).contains("swarm_scaler_backend_call_seconds_count{backend=\"aws\",call=\"set_desired_capacity\",} 1.0");
        assertThat(text).contains("swarm_scaler_backend_errors_total{backend=\"aws\",call=\"set_desired_capacity\",} 1.0");
        assertThat(text).doesNotContain("swarm_scaler_backend_errors_total{backend=\"docker\"");
    }

    @Test
    void everyCallOfTheSwarmAndGroupPortsIsTimedUnderItsSnakeCaseNameAndFailuresPassThrough() {
        FakeSwarm fake = new FakeSwarm();
        FakeNodeGroup fakeGroup = new FakeNodeGroup(NodeRole.WORKER, fake, 1);
        Swarm swarm = InstrumentedPorts.swarm(fake, metrics);
        NodeGroup group = InstrumentedPorts.groups(List.of(fakeGroup), metrics).get(0);
        swarm.nodes();
        swarm.pendingTasks(Set.of());
        fake.failNextScales(1);
        assertThatThrownBy(() -> swarm.scaleService("none", 2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("update out of sequence");
        group.setDesiredCapacity(2);
        assertThat(group.role()).isEqualTo(NodeRole.WORKER);
        assertThat(fakeGroup.desiredCapacities()).containsExactly(2);

        assertThat(metrics.scrape()).contains(
                "swarm_scaler_backend_call_seconds_count{backend=\"docker\",call=\"nodes\",} 1.0",
                "swarm_scaler_backend_call_seconds_count{backend=\"docker\",call=\"pending_tasks\",} 1.0",
                "swarm_scaler_backend_errors_total{backend=\"docker\",call=\"scale_service\",} 1.0",
                "swarm_scaler_backend_call_seconds_count{backend=\"fake\",call=\"set_desired_capacity\",} 1.0")
                .doesNotContain("call=\"role\"");
    }

    @Test
    void prometheusNoDataCountsAsAnErrorOnlyWhenPrometheusFailed() {
        Metrics unreachable = new Metrics() {
            @Override
            public QueryResult query(String promql) {
                // As the adapter answers: an empty vector is Samples without any, a failure is NoData.
                return promql.equals("empty") ? new QueryResult.Samples(List.of())
                        : new QueryResult.NoData("Prometheus at http://127.0.0.1:1 is unreachable: refused");
            }

            @Override
            public Optional<String> unavailable() {
                return Optional.empty();
            }
        };
        Metrics timed = InstrumentedPorts.metrics(unreachable, metrics);
        timed.query("empty");
        timed.query("up");
        assertThat(metrics.scrape())
                .contains("swarm_scaler_backend_errors_total{backend=\"prometheus\",call=\"query\",} 1.0")
                .contains("swarm_scaler_backend_call_seconds_count{backend=\"prometheus\",call=\"query\",} 2.0");
    }

    @Test
    void cyclesGroupsPoliciesActionsAndRequestsAreExported() {
        metrics.cycle(true, TimeUnit.MILLISECONDS.toNanos(30), 1_700_000_000);
        metrics.cycle(false, TimeUnit.MILLISECONDS.toNanos(5), 1_700_000_010);
        metrics.groupNodes("worker", "local", "desired", 3);
        metrics.policy("exporter#1", "worker", "up", 0.42, 0.8);
        metrics.scaleAction("worker", "up", "success");
        metrics.drainStep("drain", "error");
        metrics.reschedule("success", 2);
        metrics.httpRequest("/v1/scale-nodes", 409, TimeUnit.MILLISECONDS.toNanos(12));

        String text = metrics.scrape();
        assertThat(text).contains(
                "swarm_scaler_reconcile_cycles_total{outcome=\"success\",} 1.0",
                "swarm_scaler_reconcile_cycles_total{outcome=\"failure\",} 1.0",
                "swarm_scaler_reconcile_cycle_count 2.0",
                "swarm_scaler_last_successful_cycle_timestamp_seconds 1.7E9",
                "swarm_scaler_group_nodes{group=\"worker\",backend=\"local\",kind=\"desired\",} 3.0",
                "swarm_scaler_policy_value{policy=\"exporter#1\",group=\"worker\",direction=\"up\",} 0.42",
                "swarm_scaler_policy_threshold{policy=\"exporter#1\",group=\"worker\",direction=\"up\",} 0.8",
                "swarm_scaler_scale_actions_total{group=\"worker\",direction=\"up\",result=\"success\",} 1.0",
                "swarm_scaler_drain_steps_total{step=\"drain\",result=\"error\",} 1.0",
                "swarm_scaler_reschedules_total{result=\"success\",} 2.0",
                "swarm_scaler_http_requests_total{route=\"/v1/scale-nodes\",code=\"409\",} 1.0",
                "swarm_scaler_http_request_seconds{route=\"/v1/scale-nodes\",quantile=\"0.99\",} 0.012",
                "swarm_scaler_http_request_seconds_count{route=\"/v1/scale-nodes\",} 1.0",
                "jvm_memory_bytes_used");
    }

    @Test
    void aPolicyThatDisappearsLeavesNoSeries() {
        metrics.policy("gone#1", "worker", "up", 0.9, 0.8);
        metrics.clearPolicies();
        metrics.policy("kept#1", "worker", "down", 0.1, 0.5);
        assertThat(metrics.scrape()).doesNotContain("gone#1").contains("kept#1");
    }

    @Test
    void eachDaemonHasItsOwnRegistry() {
        new ScalerMetrics().scaleAction("worker", "up", "success");
        assertThat(metrics.scrape()).doesNotContain("swarm_scaler_scale_actions_total{");
        assertThat(List.of(metrics.scrape().split("\n"))).anyMatch(l -> l.startsWith("# TYPE swarm_scaler_scale_actions_total counter"));
    }
}
