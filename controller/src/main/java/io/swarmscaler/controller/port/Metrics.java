package io.swarmscaler.controller.port;

import io.swarmscaler.model.QueryResult;
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
}
