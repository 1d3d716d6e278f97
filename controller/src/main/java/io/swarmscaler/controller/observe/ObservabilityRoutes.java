package io.swarmscaler.controller.observe;

import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.http.HttpApi.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /metrics}, {@code /healthz}, {@code /readyz} (open, for Prometheus, Swarm's health check and load
 * balancers), and {@code /status} with its page at {@code /} (behind the API's credentials when they are set). All
 * answer from what the last reconcile pass saw: none calls Docker or Prometheus.
 */
public final class ObservabilityRoutes {
    private final Observer observer;
    private final ScalerMetrics metrics;
    private final String page;

    public ObservabilityRoutes(Observer observer, ScalerMetrics metrics) {
        this.observer = observer;
        this.metrics = metrics;
        this.page = resource("status.html");
    }

    /**
     * The probes while the daemon starts, before {@link #register} replaces them: alive (a start that fails ends
     * the process), not ready. A probe never meets a 404 on a starting daemon.
     */
    public static void registerStarting(HttpApi api) {
        String starting = "starting: connecting to Docker, the node groups and the scaler's state";
        api.openRoute("GET", "/healthz", request -> Response.status(200, starting));
        api.openRoute("GET", "/readyz", request -> Response.status(503, starting));
        api.route("GET", "/status", request -> Response.status(503, starting));
    }

    public void register(HttpApi api) {
        api.openRoute("GET", "/metrics", request -> Response.text(200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape()));
        api.openRoute("GET", "/healthz", request -> {
            Observer.Liveness liveness = observer.liveness();
            return Response.status(liveness.alive() ? 200 : 503, liveness.reason());
        });
        api.openRoute("GET", "/readyz", request -> {
            Observer.Readiness readiness = observer.readiness();
            return Response.json(readiness.ready() ? 200 : 503, Map.of(
                    "status", readiness.ready() ? "OK" : "NOK", "message", readiness.reason()));
        });
        api.route("GET", "/status", request -> new Response(200, "application/json", observer.statusJson()));
        api.route("GET", "/", request -> Response.text(200, "text/html; charset=utf-8", page));
    }

    private static String resource(String name) {
        try (InputStream in = ObservabilityRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " in the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
