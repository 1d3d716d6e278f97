package io.swarmscaler.controller.prometheus;

import io.swarmscaler.controller.port.Metrics;
import java.net.URI;
import java.time.Duration;

/** Connects the {@link Metrics} port to a Prometheus server. */
public final class Prometheus {
    /** Prometheus on the same network accepts a connection in milliseconds. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /**
     * An instant query of the scaler's kind answers in milliseconds; a hung Prometheus (stopped, swapping) fails
     * the pass's readiness check after this long, and the pass goes on without it.
     */
    public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

    private Prometheus() {}

    /** With the timeouts above. */
    public static Metrics connect(URI address) {
        return connect(address, CONNECT_TIMEOUT, QUERY_TIMEOUT);
    }

    public static Metrics connect(URI address, Duration connectTimeout, Duration queryTimeout) {
        return new PrometheusMetrics(address, connectTimeout, queryTimeout);
    }
}
