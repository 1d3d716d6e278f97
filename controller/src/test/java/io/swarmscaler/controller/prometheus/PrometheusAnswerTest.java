package io.swarmscaler.controller.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.QueryResult;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Only an expression Prometheus cannot parse is a label's mistake; every other failure is "no data". */
class PrometheusAnswerTest {
    static final PrometheusMetrics PROMETHEUS =
            new PrometheusMetrics(URI.create("http://127.0.0.1:9090"), Duration.ofSeconds(1), Duration.ofSeconds(1));

    @ParameterizedTest(name = "HTTP {0} {1} is {2}")
    @CsvSource(delimiter = '|', value = {
            "400 | bad_data  | Invalid",
            "422 | execution | NoData",
            "503 | timeout   | NoData",
            "503 | canceled  | NoData",
            "500 | internal  | NoData",
            "400 | execution | NoData"})
    void onlyAParseErrorIsInvalid(int status, String errorType, String expected) {
        String error = "1:3: parse error: unexpected right parenthesis ')'";
        QueryResult result = PROMETHEUS.parse(status,
                "{\"status\":\"error\",\"errorType\":\"%s\",\"error\":\"%s\"}".formatted(errorType, error));

        assertThat(result.getClass().getSimpleName()).isEqualTo(expected);
        if (result instanceof QueryResult.Invalid invalid) {
            assertThat(invalid.error()).isEqualTo(error);
        } else {
            assertThat(((QueryResult.NoData) result).reason()).contains(error);
        }
    }
}
