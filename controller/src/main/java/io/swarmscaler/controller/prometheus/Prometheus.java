package io.swarmscaler.controller.prometheus;

import io.swarmscaler.controller.port.Metrics;
import java.net.URI;
import java.time.Duration;

/** Connects the {@link Metrics} port to a Prometheus server. */
public final class Prometheus {
    private Prometheus() {}

    public static Metrics connect(URI address, Duration timeout) {
        return new PrometheusMetrics(address, timeout);
    }
}
