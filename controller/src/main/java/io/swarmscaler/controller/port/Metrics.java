package io.swarmscaler.controller.port;

import io.swarmscaler.model.Condition;
import io.swarmscaler.model.QueryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Instant queries against Prometheus. */
public interface Metrics {

    /**
     * Never throws: an expression Prometheus cannot parse is {@link QueryResult.Invalid}; an unreachable server or
     * any other failure is {@link QueryResult.NoData} with the reason.
     */
    QueryResult query(String promql);

    /** Empty when Prometheus says it is ready to serve queries; otherwise why not, for {@code /readyz}. */
    Optional<String> unavailable();

    /**
     * Since when, within the last {@code lookback} before {@code now}, the condition has held without a gap by
     * Prometheus' own history; empty when it does not hold now or the history cannot be read.
     */
    default Optional<Instant> holdingSince(Condition.Threshold condition, Duration lookback, Instant now) {
        return Optional.empty();
    }
}
