package io.swarmscaler.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.PolicyError;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.PolicySet;
import io.swarmscaler.model.QueryResult;
import io.swarmscaler.model.ServiceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LabelErrorsTest {
    static final PolicyParser PARSER = new PolicyParser(PolicyParser.Settings.defaults());
    static final String PARSE_ERROR = "1:3: parse error: unexpected right parenthesis ')'";

    static PolicySet twoPolicies() {
        return PARSER.parse(List.of(new ServiceInfo("id", "svc", Map.of(
                "com.df.alertIf.1", "up) or vector(1", "com.df.alertLabels.1", "type=node,scale=up",
                "com.df.alertIf.2", "@node_mem_limit_total_above:0.9"), List.of("node.role==worker"), 1)));
    }

    @Test
    void aQueryPrometheusCannotParseIsAnErrorOfItsAlertIfLabelAndThePolicyIsDropped() {
        PolicySet read = twoPolicies();
        QueryResult samples = new QueryResult.Samples(List.of(new QueryResult.Sample(Map.of(), 0.5)));

        LabelErrors.Checked checked = LabelErrors.rejectInvalidQueries(read, Map.of(
                new PolicyId("svc", "1"), new QueryResult.Invalid(PARSE_ERROR),
                new PolicyId("svc", "2"), samples));

        assertThat(checked.policies().errors()).containsExactly(new PolicyError("svc", "com.df.alertIf.1",
                "up) or vector(1", "a PromQL expression Prometheus can parse; it says: " + PARSE_ERROR));
        assertThat(checked.policies().policies()).extracting(p -> p.id()).containsExactly(new PolicyId("svc", "2"));
        assertThat(checked.results()).containsExactly(Map.entry(new PolicyId("svc", "2"), samples));
    }

    @Test
    void noDataIsNotALabelError() {
        PolicySet read = twoPolicies();
        QueryResult down = new QueryResult.NoData("Prometheus at http://127.0.0.1:1 is unreachable");

        LabelErrors.Checked checked = LabelErrors.rejectInvalidQueries(read, Map.of(
                new PolicyId("svc", "1"), down, new PolicyId("svc", "2"), down));

        assertThat(checked.policies()).isEqualTo(read);
        assertThat(checked.results()).hasSize(2).containsValue(down);
    }

    @Test
    void eachDistinctErrorIsLoggedAtWarningOnceNotEveryPass() {
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger logger = Logger.getLogger(LabelErrors.class.getName());
        logger.addHandler(capture);
        try {
            LabelErrors log = new LabelErrors();
            PolicyError yes = new PolicyError("svc", "com.df.reschedule", "yes", "true or false");
            PolicyError max = new PolicyError("svc", "com.df.scaleWorkerNodeMax", "lots", "a whole number");
            for (int pass = 0; pass < 5; pass++) {
                log.warnOnce(List.of(yes));
            }
            log.warnOnce(List.of(yes, max));
            log.warnOnce(List.of(max, yes));

            assertThat(records).extracting(LogRecord::getLevel).containsOnly(Level.WARNING);
            assertThat(records).extracting(LogRecord::getMessage).hasSize(2)
                    .anySatisfy(m -> assertThat(m).contains(yes.message()))
                    .anySatisfy(m -> assertThat(m).contains(max.message()));
        } finally {
            logger.removeHandler(capture);
        }
    }
}
