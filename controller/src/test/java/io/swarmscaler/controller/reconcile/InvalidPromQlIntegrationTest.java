package io.swarmscaler.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.controller.local.PrometheusProcess;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.prometheus.Prometheus;
import io.swarmscaler.model.Policy;
import io.swarmscaler.model.PolicyError;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.PolicySet;
import io.swarmscaler.model.QueryResult;
import io.swarmscaler.model.ServiceInfo;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PromQL label Prometheus cannot parse is named as a label error when read, not shown as "no data". */
class InvalidPromQlIntegrationTest {

    @Test
    void prometheusParseErrorBecomesAnErrorOfTheAlertIfLabel(@TempDir Path dir) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (PrometheusProcess prometheus = PrometheusProcess.start(dir, port, List.of(), Duration.ofSeconds(1))) {
            Metrics metrics = Prometheus.connect(prometheus.address());
            PolicySet read = new PolicyParser(PolicyParser.Settings.defaults()).parse(List.of(new ServiceInfo("id",
                    "svc", Map.of(
                            "com.df.alertIf.1", "up) or vector(1", "com.df.alertLabels.1", "type=node,scale=up",
                            "com.df.alertIf.2", "vector(1) > 0.5", "com.df.alertLabels.2", "type=node,scale=up",
                            "com.df.alertIf.3", "x > 0.8f", "com.df.alertLabels.3", "type=node,scale=up"),
                    List.of("node.role==worker"), 1)));
            assertThat(read.errors()).as("nothing is wrong before Prometheus reads the expressions").isEmpty();
            Map<PolicyId, QueryResult> results = new HashMap<>();
            for (Policy policy : read.policies()) {
                results.put(policy.id(), metrics.query(policy.condition().query()));
            }

            LabelErrors.Checked checked = LabelErrors.rejectInvalidQueries(read, results);

            assertThat(checked.policies().errors()).extracting(PolicyError::label)
                    .containsExactly("com.df.alertIf.1", "com.df.alertIf.3");
            assertThat(checked.policies().errors()).allSatisfy(e -> assertThat(e.expected())
                    .startsWith("a PromQL expression Prometheus can parse; it says: ").contains("parse error"));
            assertThat(checked.policies().errors().get(0).value()).isEqualTo("up) or vector(1");
            assertThat(checked.policies().policies()).extracting(Policy::id)
                    .containsExactly(new PolicyId("svc", "2"));
            assertThat(checked.results().get(new PolicyId("svc", "2"))).isInstanceOf(QueryResult.Samples.class);
        }
    }
}
