package io.swarmscaler.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.config.ConfigException;
import io.swarmscaler.controller.webhook.WebhookAuth;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code status}: asks a running daemon for its {@code /status} and prints it for people. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Prints a running daemon's status: node groups, policies with their values, and the"
                + " decisions with their reasons.",
                "Exit status: 0 ready, 1 running but not ready, 2 not reachable, 3 credentials refused (HTTP 401)."})
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:SCALER_URL:-http://127.0.0.1:8080}",
            description = "The daemon's HTTP API, with SERVER_PREFIX if any (env SCALER_URL, default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--auth-file", paramLabel = "FILE", defaultValue = "${env:WEBHOOK_AUTH_FILE}",
            description = "Credentials file when the API requires them (env WEBHOOK_AUTH_FILE).")
    Path authFile;

    @Option(names = "--json", description = "Print the status as the daemon's JSON.")
    boolean json;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws InterruptedException {
        String base = url.toString().endsWith("/") ? url.toString() : url + "/";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "status"))
                .timeout(Duration.ofSeconds(10));
        try {
            Optional.ofNullable(authFile).map(WebhookAuth::fromFile)
                    .ifPresent(auth -> request.header("Authorization", auth.authorizationHeader()));
        } catch (ConfigException e) {
            err.println("swarm-scaler status: " + e.getMessage());
            return 2;
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.printf("swarm-scaler status: no daemon answers at %s (%s); is it running, and is --url right?%n",
                    base, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return 2;
        }
        if (response.statusCode() == 401) {
            err.printf("swarm-scaler status: %s refused the credentials (HTTP 401): %s; pass --auth-file (or"
                    + " WEBHOOK_AUTH_FILE) with the daemon's credentials file%n", base + "status",
                    authFile == null ? "none were sent" : "those of " + authFile + " are not the daemon's");
            return 3;
        }
        if (response.statusCode() != 200) {
            err.printf("swarm-scaler status: %s answered HTTP %d: %s%n", base + "status", response.statusCode(),
                    response.body());
            return 2;
        }
        JsonNode status;
        try {
            status = JSON.readTree(response.body());
        } catch (IOException e) {
            err.printf("swarm-scaler status: %s did not answer JSON; is that Swarm Scaler?%n", base + "status");
            return 2;
        }
        if (json) {
            out.println(status.toPrettyString());
        } else {
            print(status);
        }
        return status.path("ready").asBoolean() ? 0 : 1;
    }

    private void print(JsonNode s) {
        out.printf("%s%s, backend %s: %s%n", s.path("ready").asBoolean() ? "Ready" : "NOT READY",
                s.path("dryRun").asBoolean() ? " (dry run)" : "", s.path("backend").asText(),
                s.path("readiness").asText());
        out.println();
        out.println("Node groups:");
        for (JsonNode g : s.path("groups")) {
            JsonNode pool = g.path("warmPool");
            out.printf("  %-8s desired %d, ready %d, joining %d, draining %d, bounds %d..%d%s%s%s%s%n",
                    g.path("group").asText(), g.path("desired").asInt(), g.path("ready").asInt(),
                    g.path("joining").asInt(), g.path("draining").size(), g.path("min").asInt(), g.path("max").asInt(),
                    pool.path("wanted").asInt() == 0 ? "" : "; standby %d of %d, %d refilling".formatted(
                            pool.path("ready").asInt(), pool.path("wanted").asInt(), pool.path("refilling").asInt()),
                    when(g, "scaleUpCooldownUntil", "; no scale-up until "),
                    when(g, "scaleDownCooldownUntil", "; no scale-down until "),
                    g.path("backoffUntil").isNull() ? "" : "; backing off until %s: %s".formatted(
                            g.path("backoffUntil").asText(), g.path("backoffReason").asText()));
        }
        out.println();
        out.println("Policies:");
        for (JsonNode p : s.path("policies")) {
            String value = p.path("value").isNull() ? "no data (" + p.path("noData").asText() + ")"
                    : String.format(Locale.ROOT, "%.3f", p.path("value").asDouble()).replaceAll("\\.?0+$", "");
            if (p.has("predictHorizon")) {
                value += p.path("predicted").isNull() ? " (no prediction: %s)".formatted(
                        p.path("predictionUnused").asText("none this pass")) : " (predicted %s in %s)".formatted(
                        p.path("predicted").asText(), p.path("predictHorizon").asText());
            }
            String condition = p.has("comparison")
                    ? " %s %s".formatted(p.path("comparison").asText(), p.path("threshold").asText()) : "";
            out.printf("  %s: value %s%s, for %s, scale %s %s%s%n", p.path("id").asText(), value, condition,
                    p.path("for").asText(), p.path("scale").asText(), p.path("group").asText(),
                    when(p, "trueSince", ", holds since "));
        }
        for (JsonNode e : s.path("labelErrors")) {
            out.println("  label error: " + e.path("message").asText());
        }
        out.println();
        out.println("Decisions:");
        for (JsonNode d : s.path("decisions")) {
            out.printf("  %s: %s%n", d.path("subject").asText(), d.path("text").asText());
        }
    }

    private static String when(JsonNode node, String field, String prefix) {
        return node.path(field).isNull() || node.path(field).isMissingNode() ? "" : prefix + node.path(field).asText();
    }
}
