package io.swarmscaler.controller.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.model.Condition;
import io.swarmscaler.model.QueryResult;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link Metrics} over Prometheus' HTTP API ({@code /api/v1/query}). */
final class PrometheusMetrics implements Metrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    PrometheusMetrics(URI base, Duration connectTimeout, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        // Prometheus speaks HTTP/1.1 on plain http: offering an upgrade to HTTP/2 on every query only costs time.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .build();
    }

    @Override
    public QueryResult query(String promql) {
        URI uri = resolve("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new QueryResult.NoData(unreachable(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new QueryResult.NoData("interrupted while querying Prometheus");
        }
        return parse(response.statusCode(), response.body());
    }

    /** Prometheus keeps at most 11,000 points a series in a range answer. */
    private static final int MAX_POINTS = 10_000;
    /** Points over the lookback: the breach's start is read to within a 200th of the {@code alertFor}. */
    private static final int POINTS = 200;
    private static final long FINEST_STEP_MILLIS = 10;
    private static final long COARSEST_STEP_MILLIS = 1000;

    @Override
    public Optional<Instant> holdingSince(Condition.Threshold condition, Duration lookback, Instant now) {
        // 1 where any series holds, as the planner reads the condition; a missing point is a gap.
        String promql = "max((%s) %s bool %s)".formatted(condition.query(), condition.comparison().symbol(),
                condition.threshold());
        long stepMillis = stepMillis(lookback);
        Instant start = now.minus(lookback);
        URI uri = resolve("api/v1/query_range?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&start=" + seconds(start) + "&end=" + seconds(now) + "&step=" + stepMillis / 1000.0);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200
                    ? trailingRun(JSON.readTree(response.body()).path("data").path("result").path(0).path("values"),
                            stepMillis, now)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The step of the history over {@code lookback}. Since when the condition held is read to within one step, which
     * delays the action as much: a 200th of the lookback, from 10 ms (a short {@code alertFor}) to 1 s (a long one),
     * coarser only where 1 s steps would pass the points Prometheus answers.
     */
    static long stepMillis(Duration lookback) {
        long step = Math.min(COARSEST_STEP_MILLIS, Math.max(FINEST_STEP_MILLIS, lookback.toMillis() / POINTS));
        return Math.max(step, lookback.toMillis() / MAX_POINTS);
    }

    /** The first point of the run of 1s that ends at the last point, if that point is recent. */
    static Optional<Instant> trailingRun(JsonNode values, long stepMillis, Instant now) {
        Instant since = null;
        Instant after = null;
        for (int i = values.size() - 1; i >= 0; i--) {
            Instant at = Instant.ofEpochMilli(Math.round(values.path(i).path(0).asDouble() * 1000));
            boolean gap = (after == null ? now : after).toEpochMilli() - at.toEpochMilli() > 2 * stepMillis;
            if (!"1".equals(values.path(i).path(1).asText()) || gap) {
                break;
            }
            since = at;
            after = at;
        }
        return Optional.ofNullable(since);
    }

    private static String seconds(Instant at) {
        return String.valueOf(at.toEpochMilli() / 1000.0);
    }

    @Override
    public Optional<String> unavailable() {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(resolve("-/ready")).timeout(timeout)
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200 ? Optional.empty() : Optional.of(
                    "Prometheus at %s is not ready (HTTP %d on /-/ready)".formatted(base, response.statusCode()));
        } catch (IOException e) {
            return Optional.of(unreachable(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking Prometheus whether it is ready");
        }
    }

    private String unreachable(IOException e) {
        if (e instanceof java.net.http.HttpTimeoutException) {
            // A stopped or hung server accepts the connection and never answers.
            return "Prometheus at %s is unreachable: no answer within %dms (%s)".formatted(base, timeout.toMillis(),
                    e.getClass().getSimpleName());
        }
        return "Prometheus at %s is unreachable: %s".formatted(base,
                e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /** Relative to the address's path: docker-flow-monitor serves Prometheus under a route prefix (/monitor). */
    private URI resolve(String relative) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        return URI.create(root + relative);
    }

    /**
     * Reads Prometheus' answer: an expression it cannot parse is {@link QueryResult.Invalid}; anything else but a
     * success with a vector or scalar is no data, with the reason.
     */
    QueryResult parse(int status, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return new QueryResult.NoData("Prometheus at %s answered HTTP %d with a body that is not JSON"
                    .formatted(base, status));
        }
        if (status == 400 && "bad_data".equals(root.path("errorType").asText())) {
            // The expression does not parse: a mistake in the label, which waiting will not cure.
            return new QueryResult.Invalid(root.path("error").asText("no error given"));
        }
        if (!"success".equals(root.path("status").asText())) {
            return new QueryResult.NoData("Prometheus at %s rejected the query (HTTP %d): %s".formatted(base, status,
                    root.path("error").asText("no error given")));
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText();
        List<QueryResult.Sample> samples = new ArrayList<>();
        switch (type) {
            case "vector" -> {
                for (JsonNode series : data.path("result")) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    series.path("metric").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
                    samples.add(new QueryResult.Sample(labels, value(series.path("value"))));
                }
            }
            case "scalar" -> samples.add(new QueryResult.Sample(Map.of(), value(data.path("result"))));
            default -> {
                return new QueryResult.NoData("Prometheus answered a %s, expected an instant vector".formatted(type));
            }
        }
        return new QueryResult.Samples(samples);
    }

    /** {@code [timestamp, "0.9"]}; Prometheus writes NaN and infinities as strings too. */
    private static double value(JsonNode pair) {
        try {
            return Double.parseDouble(pair.path(1).asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
