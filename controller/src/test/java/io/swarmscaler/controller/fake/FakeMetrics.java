package io.swarmscaler.controller.fake;

import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.model.QueryResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Prometheus answering every query with one value, as a cluster whose memory use is that ratio. */
public final class FakeMetrics implements Metrics {
    private volatile double value;
    private final Map<String, Double> byPrefix = new java.util.concurrent.ConcurrentHashMap<>();

    public FakeMetrics(double value) {
        this.value = value;
    }

    public void set(double value) {
        this.value = value;
    }

    /** Queries that start with {@code prefix} (a function, as a trend policy's queries do) answer {@code value}. */
    public void setFor(String prefix, double value) {
        byPrefix.put(prefix, value);
    }

    @Override
    public QueryResult query(String promql) {
        double answer = byPrefix.entrySet().stream().filter(e -> promql.startsWith(e.getKey()))
                .mapToDouble(Map.Entry::getValue).findFirst().orElse(value);
        return new QueryResult.Samples(List.of(new QueryResult.Sample(Map.of(), answer)));
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.empty();
    }
}
