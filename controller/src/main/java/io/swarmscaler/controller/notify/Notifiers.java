package io.swarmscaler.controller.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.model.Notification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where notifications go: always the log; Alertmanager's v2 API when {@code ALERTMANAGER_ADDRESS} is set (with the
 * labels the seed's Alertmanager configuration routes: {@code alertname}, {@code service}, {@code status}); a Slack
 * incoming webhook when {@code SLACK_WEBHOOK_URL} is set. Each remote one is asynchronous and bounded.
 */
public final class Notifiers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Our alerts are events, not conditions: Alertmanager resolves them after this. */
    static final Duration ALERT_LIFETIME = Duration.ofMinutes(5);

    private Notifiers() {}

    public static Notifier from(ScalerConfig.Http config, Clock clock) {
        List<Notifier> all = new ArrayList<>();
        all.add(new LoggingNotifier());
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        config.alertmanagerAddress().ifPresent(address -> all.add(new AsyncNotifier("Alertmanager at " + address,
                n -> post(http, address.resolve(stripSlash(address) + "/api/v2/alerts"), alertmanagerBody(n, clock)))));
        config.slackWebhookUrl().ifPresent(url -> all.add(new AsyncNotifier("Slack",
                n -> post(http, url, JSON.writeValueAsString(Map.of("text", slackText(n)))))));
        return notification -> all.forEach(n -> n.send(notification));
    }

    private static String stripSlash(URI address) {
        String path = address.getPath() == null ? "" : address.getPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    static String alertmanagerBody(Notification n, Clock clock) throws IOException {
        Instant now = clock.instant();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", n.alertName());
        labels.put("service", n.service());
        labels.put("status", n.status().name().toLowerCase(Locale.ROOT));
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("labels", labels);
        alert.put("annotations", Map.of("summary", n.summary(), "request", n.request()));
        alert.put("startsAt", now.toString());
        alert.put("endsAt", now.plus(ALERT_LIFETIME).toString());
        return JSON.writeValueAsString(List.of(alert));
    }

    static String slackText(Notification n) {
        return "%s %s: %s".formatted(n.alertName(), n.status().name().toLowerCase(Locale.ROOT), n.summary());
    }

    private static void post(HttpClient http, URI uri, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            // The URL may be a secret (Slack): name the host only.
            throw new IOException("HTTP %d from %s".formatted(response.statusCode(), uri.getHost()));
        }
    }
}
