package io.swarmscaler.controller.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.http.HttpApi.Request;
import io.swarmscaler.controller.http.HttpApi.Response;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.reconcile.ScaleRequestInbox;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.PolicyError;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.ServiceScaling;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The old tool's HTTP API under {@code /v1}: scale node groups and service replicas (as requests the reconcile loop
 * plans under the same rules as a policy, with the same deduplication of Alertmanager's repeats, and only the leader
 * acts on), ping; {@link RescheduleRoutes} reschedule services. Bad input gets a 4xx that names the field and the form expected.
 */
public final class WebhookRoutes {
    private static final Logger LOG = Logger.getLogger(WebhookRoutes.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** More nodes than this in one request is a typo, not a plan. */
    static final int MAX_BY = 100;

    private final LoopIntake loop;
    private final Swarm swarm;
    private final PolicyParser parser;
    private final Clock clock;
    private final ServiceScaling.Defaults replicaDefaults;

    /**
     * The reconcile loop as the routes see it.
     *
     * @param inbox where scale requests wait for the loop, which decides on them
     * @param triggerPass asks the loop for a pass now
     * @param replyTimeout how long a reply waits for that decision before answering 202 with the request's id
     */
    public record LoopIntake(ScaleRequestInbox inbox, Runnable triggerPass, Duration replyTimeout) {}

    /** {@code GET /v1/ping}, which answers as soon as the server listens, before the backends are connected. */
    public static void registerPing(HttpApi api) {
        api.openRoute("GET", "/v1/ping", request -> Response.status(200, "pong"));
    }

    /**
     * @param replicaDefaults a service's replica bounds where its labels set none, to refuse bad labels at once
     *     (a dry run is the loop's to honour: it decides and skips)
     */
    public WebhookRoutes(LoopIntake loop, Swarm swarm, PolicyParser parser, Clock clock,
            ServiceScaling.Defaults replicaDefaults) {
        this.loop = loop;
        this.swarm = swarm;
        this.parser = parser;
        this.clock = clock;
        this.replicaDefaults = replicaDefaults;
    }

    public void register(HttpApi api) {
        registerPing(api);
        api.route("POST", "/v1/scale-nodes", this::scaleNodes);
        api.route("POST", "/v1/scale-service", this::scaleService);
        api.route("GET", "/v1/requests/{id}", this::requestOutcome);
    }

    /** Thrown for input we cannot use; becomes a 4xx with the message. */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A scale request and the key under which a client's retry of it joins it. */
    record Parsed(ScaleRequest request, String retryKey) {}

    Response scaleNodes(Request request) {
        try {
            return submit(parseScaleNodes(request));
        } catch (BadRequest e) {
            return Response.status(e.status, e.getMessage());
        }
    }

    /** {@code POST /v1/scale-service?service=NAME&by=N}: the old tool's replica scaling, decided by the loop. */
    Response scaleService(Request request) {
        try {
            return submit(parseScaleService(request));
        } catch (BadRequest e) {
            return Response.status(e.status, e.getMessage());
        }
    }

    /** Queues the request for the loop and answers with its decision, or 202 when the loop takes longer. */
    private Response submit(Parsed parsed) {
        ScaleRequest scale = parsed.request();
        Optional<ScaleRequestInbox.Ticket> queued = loop.inbox().submit(scale, parsed.retryKey());
        if (queued.isEmpty()) {
            return Response.status(503, "too many scale requests wait for the scaler; retry later")
                    .withHeader("Retry-After", "10");
        }
        ScaleRequestInbox.Ticket ticket = queued.get();
        if (ticket.id().equals(scale.id())) {
            LOG.info("Scale request %s: %s %s (%s)".formatted(scale.id(),
                    scale.direction().name().toLowerCase(Locale.ROOT), describe(scale.target()), scale.origin()));
            loop.triggerPass().run();
        } else {
            LOG.info("Scale request from %s joins request %s, the same sent within seconds".formatted(scale.origin(),
                    ticket.id()));
        }
        try {
            RequestOutcome decided = ticket.outcome().get(loop.replyTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return Response.status(decided.accepted() ? 200 : 409, decided.message());
        } catch (TimeoutException e) {
            return pending(ticket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pending(ticket);
        } catch (ExecutionException e) {
            return Response.status(503, "the scaler could not decide: " + e.getCause().getMessage());
        }
    }

    private static String describe(ScaleRequest.Target target) {
        if (target instanceof ScaleRequest.Replicas replicas) {
            return "service %s by %s".formatted(replicas.service(),
                    replicas.by().isPresent() ? replicas.by().getAsInt() : "its label's step");
        }
        ScaleRequest.Nodes nodes = (ScaleRequest.Nodes) target;
        return "%s by %d".formatted(nodes.role().word(), nodes.by());
    }

    private static Response pending(ScaleRequestInbox.Ticket ticket) {
        return Response.status(202, "Scale request %s queued; the scaler decides on its next pass; GET /v1/requests/%s"
                .formatted(ticket.id(), ticket.id()) + " gives the decision", Map.of("id", ticket.id()))
                .withHeader("Location", "/v1/requests/" + ticket.id());
    }

    /** {@code GET /v1/requests/{id}}: a scale request's decision, in the reply shape of the request itself. */
    Response requestOutcome(Request request) {
        String id = request.pathParameters().getOrDefault("id", "");
        Optional<ScaleRequestInbox.Ticket> ticket = loop.inbox().find(id);
        if (ticket.isEmpty()) {
            return Response.status(404, ("no scale request %s: expected the id of a recent request, as answered with"
                    + " 202 by POST /v1/scale-nodes or /v1/scale-service").formatted(id), Map.of("id", id));
        }
        RequestOutcome decided = ticket.get().outcome().getNow(null);
        if (decided == null) {
            return Response.status(202, "Scale request %s waits for the scaler's next pass".formatted(id),
                    Map.of("id", id));
        }
        return Response.status(decided.accepted() ? 200 : 409, decided.message(), Map.of("id", id));
    }

    Parsed parseScaleNodes(Request request) throws BadRequest {
        String byText = request.query().get("by");
        if (byText == null || byText.isBlank()) {
            throw new BadRequest(400, "query parameter by is missing: expected the number of nodes, e.g. ?by=1");
        }
        int by = by(byText);
        String typeText = request.query().get("type");
        if (typeText == null || typeText.isBlank()) {
            throw new BadRequest(400, "query parameter type is missing: expected worker or manager");
        }
        NodeRole role = NodeRole.fromWord(typeText).orElseThrow(() -> new BadRequest(400,
                "type=\"%s\" is not valid: expected worker or manager".formatted(typeText)));
        JsonNode body = body(request);
        JsonNode groupLabels = body.path("groupLabels");
        ScaleDirection direction = direction(request, groupLabels);
        String serviceName = textOrNull(groupLabels.path("service"));
        GroupBounds bounds = serviceName == null ? parser.defaultBounds(role) : serviceBounds(serviceName, role);
        String groupKey = textOrNull(body.path("groupKey"));
        String id = UUID.randomUUID().toString();
        String parameters = "scale-nodes:%s:%s:%d:%s".formatted(role.word(), direction, by, serviceName);
        // Alertmanager repeats a firing group: its groupKey makes the repeats one request for the planner's window.
        // A request without one comes from a person: each is a new request under the ordinary cooldown, and only
        // a client's retry within seconds (same parameters) joins the first.
        String dedupKey = groupKey != null ? "alertmanager:" + groupKey + ":" + direction : "person:" + id;
        String origin = groupKey != null ? "Alertmanager group " + groupKey : "POST /v1/scale-nodes";
        return new Parsed(new ScaleRequest(id, dedupKey, new ScaleRequest.Nodes(role, by, bounds), direction,
                clock.instant(), origin), groupKey != null ? dedupKey : parameters);
    }

    /**
     * The service (query, else {@code groupLabels.service}), the direction and an optional step; a service that is
     * unknown (404), global (400) or has unreadable bounds (422) is refused here, as the old tool did.
     */
    Parsed parseScaleService(Request request) throws BadRequest {
        JsonNode body = body(request);
        JsonNode groupLabels = body.path("groupLabels");
        String name = Optional.ofNullable(request.query().get("service"))
                .orElse(textOrNull(groupLabels.path("service")));
        if (name == null || name.isBlank()) {
            throw new BadRequest(400, "the service is missing: expected ?service=NAME or a body like"
                    + " {\"groupLabels\": {\"service\": \"NAME\", \"scale\": \"up\"}}");
        }
        ScaleDirection direction = direction(request, groupLabels);
        String byText = request.query().get("by");
        OptionalInt by = byText == null || byText.isBlank() ? OptionalInt.empty() : OptionalInt.of(by(byText));
        ServiceInfo service = swarm.services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new BadRequest(404, "service=\"%s\" is not a service of this Swarm".formatted(name)));
        ServiceScaling.Outcome outcome = ServiceScaling.decide(service, direction, by, replicaDefaults);
        if (outcome instanceof ServiceScaling.Global || outcome instanceof ServiceScaling.BadLabel) {
            throw new BadRequest(outcome instanceof ServiceScaling.Global ? 400 : 422, outcome.message());
        }
        String groupKey = textOrNull(body.path("groupKey"));
        String id = UUID.randomUUID().toString();
        String dedupKey = groupKey != null ? "alertmanager:%s:%s:service=%s".formatted(groupKey, direction, name)
                : "person:" + id;
        String origin = groupKey != null ? "Alertmanager group " + groupKey : "POST /v1/scale-service";
        return new Parsed(new ScaleRequest(id, dedupKey, new ScaleRequest.Replicas(name, by), direction,
                clock.instant(), origin), groupKey != null ? dedupKey : "scale-service:%s:%s:%s".formatted(name,
                        direction, by));
    }

    /** A step from 1 to {@link #MAX_BY}, in ASCII digits: Integer.parseInt would take "+1", "１" and "١" too. */
    static int by(String byText) throws BadRequest {
        if (!byText.strip().matches("-?[0-9]{1,9}")) {
            throw new BadRequest(400, "by=\"%s\" is not valid: expected a whole number from 1 to %d"
                    .formatted(byText, MAX_BY));
        }
        int by = Integer.parseInt(byText.strip());
        if (by < 1 || by > MAX_BY) {
            throw new BadRequest(400, "by=%d is not valid: expected a whole number from 1 to %d".formatted(by, MAX_BY));
        }
        return by;
    }

    /** {@code groupLabels.scale} of the body, else the query's {@code scale}: up or down. */
    static ScaleDirection direction(Request request, JsonNode groupLabels) throws BadRequest {
        String scaleText = textOrNull(groupLabels.path("scale"));
        if (scaleText == null) {
            scaleText = request.query().get("scale");
        }
        if (scaleText == null || scaleText.isBlank()) {
            throw new BadRequest(400, "groupLabels.scale is missing: expected a body like"
                    + " {\"groupLabels\": {\"scale\": \"up\"}} with up or down");
        }
        String scale = scaleText;
        return switch (scaleText.strip().toLowerCase(Locale.ROOT)) {
            case "up" -> ScaleDirection.UP;
            case "down" -> ScaleDirection.DOWN;
            default -> throw new BadRequest(400, "groupLabels.scale=\"%s\" is not valid: expected up or down"
                    .formatted(scale));
        };
    }

    private GroupBounds serviceBounds(String serviceName, NodeRole role) throws BadRequest {
        ServiceInfo service = swarm.services().stream().filter(s -> s.name().equals(serviceName)).findFirst()
                .orElseThrow(() -> new BadRequest(404, ("groupLabels.service=\"%s\" is not a service of this Swarm:"
                        + " expected the name of the service whose com.df.scale%sNode* labels bound the group")
                        .formatted(serviceName, role.labelInfix())));
        PolicyParser.Bounds bounds = parser.bounds(service, role);
        if (!bounds.errors().isEmpty()) {
            throw new BadRequest(422, String.join("; ", bounds.errors().stream().map(PolicyError::message).toList()));
        }
        return bounds.bounds().orElseThrow();
    }

    static JsonNode body(Request request) throws BadRequest {
        if (request.body().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode body = JSON.readTree(request.body());
            if (body == null || !body.isObject()) {
                throw new BadRequest(400, "the body is not a JSON object: expected Alertmanager's webhook body"
                        + " or {\"groupLabels\": {\"scale\": \"up\"}}");
            }
            return body;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRequest(400, "the body is not valid JSON (%s): expected Alertmanager's webhook body or"
                    .formatted(e.getOriginalMessage()) + " {\"groupLabels\": {\"scale\": \"up\"}}");
        } catch (IOException e) {
            throw new BadRequest(400, "the body cannot be read: " + e.getMessage());
        }
    }

    static String textOrNull(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}
