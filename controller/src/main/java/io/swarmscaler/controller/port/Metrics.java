package io.swarmscaler.controller.port;

import io.swarmscaler.model.QueryResult;
import java.util.Optional;

/** Instant queries against Prometheus. */
public interface Metrics {

    /** Never throws: an unreachable server or a rejected query is {@link QueryResult.NoData} with the reason. */
    QueryResult query(String promql);

    /** Empty when Prometheus says it is ready to serve queries; otherwise why not, for {@code /readyz}. */
    Optional<String> unavailable();
}
