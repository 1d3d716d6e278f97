package io.swarmscaler.controller.fake;

import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.model.QueryResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Prometheus answering every query with one value, as a cluster whose memory use is that ratio. */
public final class FakeMetrics implements Metrics {
    private volatile double value;

    public FakeMetrics(double value) {
        this.value = value;
    }

    public void set(double value) {
        this.value = value;
    }

    @Override
    public QueryResult query(String promql) {
        return new QueryResult.Samples(List.of(new QueryResult.Sample(Map.of(), value)));
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.empty();
    }
}
