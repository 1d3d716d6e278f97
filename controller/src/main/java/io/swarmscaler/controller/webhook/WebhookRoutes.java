package io.swarmscaler.controller.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.http.HttpApi.Request;
import io.swarmscaler.controller.http.HttpApi.Response;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.PolicyError;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ServiceInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The old tool's HTTP API under {@code /v1}: scale node groups (as a request the reconcile loop plans under the
 * same rules as a policy, never a direct cloud call), reschedule services, ping. Bad input gets a 4xx that names
 * the field and the form expected.
 */
public final class WebhookRoutes {
    private static final Logger LOG = Logger.getLogger(WebhookRoutes.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** More nodes than this in one request is a typo, not a plan. */
    static final int MAX_BY = 100;

    private final Function<ScaleRequest, CompletableFuture<RequestOutcome>> submit;
    private final Swarm swarm;
    private final PolicyParser parser;
    private final String rescheduleLabel;
    private final Notifier notifier;
    private final Clock clock;
    private final Duration replyTimeout;
    private final boolean dryRun;

    /**
     * @param submit hands a scale request to the reconcile loop; completes with the planner's decision
     * @param replyTimeout how long a reply waits for that decision before answering 202
     * @param dryRun say what a reschedule would do and do nothing (scale requests are the loop's to skip)
     */
    public WebhookRoutes(Function<ScaleRequest, CompletableFuture<RequestOutcome>> submit, Swarm swarm,
            PolicyParser parser, String rescheduleLabel, Notifier notifier, Clock clock, Duration replyTimeout,
            boolean dryRun) {
        this.submit = submit;
        this.swarm = swarm;
        this.parser = parser;
        this.rescheduleLabel = rescheduleLabel;
        this.notifier = notifier;
        this.clock = clock;
        this.replyTimeout = replyTimeout;
        this.dryRun = dryRun;
    }

    public void register(HttpApi api) {
        api.openRoute("GET", "/v1/ping", request -> Response.status(200, "pong"));
        api.route("POST", "/v1/scale-nodes", this::scaleNodes);
        api.route("POST", "/v1/reschedule-services", this::rescheduleServices);
        api.route("POST", "/v1/reschedule-service", this::rescheduleService);
        api.route("POST", "/v1/scale-service", request -> Response.status(501,
                "scaling service replicas is not available in this version; scale nodes with /v1/scale-nodes"));
    }

    /** Thrown for input we cannot use; becomes a 4xx with the message. */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    Response scaleNodes(Request request) {
        ScaleRequest scale;
        try {
            scale = parseScaleNodes(request);
        } catch (BadRequest e) {
            return Response.status(e.status, e.getMessage());
        }
        LOG.info("Scale request %s: %s %s by %d".formatted(scale.id(), scale.direction().name().toLowerCase(Locale.ROOT),
                scale.role().word(), scale.by()));
        CompletableFuture<RequestOutcome> outcome = submit.apply(scale);
        try {
            RequestOutcome decided = outcome.get(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return Response.status(decided.accepted() ? 200 : 409, decided.message());
        } catch (TimeoutException e) {
            return Response.status(202, "Scale request queued; the scaler decides on its next pass (see the log)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.status(503, "interrupted while waiting for the scaler's decision");
        } catch (ExecutionException e) {
            return Response.status(503, "the scaler could not decide: " + e.getCause().getMessage());
        }
    }

    ScaleRequest parseScaleNodes(Request request) throws BadRequest {
        String byText = request.query().get("by");
        if (byText == null || byText.isBlank()) {
            throw new BadRequest(400, "query parameter by is missing: expected the number of nodes, e.g. ?by=1");
        }
        int by;
        try {
            by = Integer.parseInt(byText.strip());
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "by=\"%s\" is not valid: expected a whole number from 1 to %d"
                    .formatted(byText, MAX_BY));
        }
        if (by < 1 || by > MAX_BY) {
            throw new BadRequest(400, "by=%d is not valid: expected a whole number from 1 to %d".formatted(by, MAX_BY));
        }
        String typeText = request.query().get("type");
        if (typeText == null || typeText.isBlank()) {
            throw new BadRequest(400, "query parameter type is missing: expected worker or manager");
        }
        NodeRole role = NodeRole.fromWord(typeText).orElseThrow(() -> new BadRequest(400,
                "type=\"%s\" is not valid: expected worker or manager".formatted(typeText)));
        JsonNode body = body(request);
        JsonNode groupLabels = body.path("groupLabels");
        String scaleText = textOrNull(groupLabels.path("scale"));
        if (scaleText == null) {
            scaleText = request.query().get("scale");
        }
        if (scaleText == null || scaleText.isBlank()) {
            throw new BadRequest(400, "groupLabels.scale is missing: expected a body like"
                    + " {\"groupLabels\": {\"scale\": \"up\"}} with up or down");
        }
        ScaleDirection direction = switch (scaleText.strip().toLowerCase(Locale.ROOT)) {
            case "up" -> ScaleDirection.UP;
            case "down" -> ScaleDirection.DOWN;
            default -> throw new BadRequest(400, "groupLabels.scale=\"%s\" is not valid: expected up or down"
                    .formatted(scaleText));
        };
        String serviceName = textOrNull(groupLabels.path("service"));
        GroupBounds bounds = serviceName == null ? parser.defaultBounds(role) : serviceBounds(serviceName, role);
        String groupKey = textOrNull(body.path("groupKey"));
        String dedupKey = groupKey != null ? "alertmanager:" + groupKey + ":" + direction
                : "scale-nodes:%s:%s:%d:%s".formatted(role.word(), direction, by, serviceName);
        String origin = groupKey != null ? "Alertmanager group " + groupKey : "POST /v1/scale-nodes";
        return new ScaleRequest(UUID.randomUUID().toString(), dedupKey, role, direction, by, bounds, clock.instant(),
                origin);
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

    private static JsonNode body(Request request) throws BadRequest {
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

    private static String textOrNull(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    Response rescheduleServices(Request request) {
        List<ServiceInfo> labelled = swarm.services().stream()
                .filter(s -> "true".equalsIgnoreCase(s.labels().get(rescheduleLabel))).toList();
        if (labelled.isEmpty()) {
            return Response.status(200, "No service is labelled %s=true; nothing to reschedule".formatted(rescheduleLabel));
        }
        return reschedule(labelled);
    }

    Response rescheduleService(Request request) {
        String name = request.query().get("service");
        if (name == null || name.isBlank()) {
            return Response.status(400, "query parameter service is missing: expected ?service=NAME");
        }
        Optional<ServiceInfo> service = swarm.services().stream().filter(s -> s.name().equals(name)).findFirst();
        if (service.isEmpty()) {
            return Response.status(404, "service=\"%s\" is not a service of this Swarm".formatted(name));
        }
        return reschedule(List.of(service.get()));
    }

    private Response reschedule(List<ServiceInfo> services) {
        if (dryRun) {
            String text = "dry run, not done: reschedule services "
                    + String.join(", ", services.stream().map(ServiceInfo::name).toList());
            LOG.info(text);
            return Response.status(200, text);
        }
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (ServiceInfo service : services) {
            try {
                swarm.forceUpdate(service.id());
                done.add(service.name());
            } catch (RuntimeException e) {
                failed.add(service.name() + " (" + e.getMessage() + ")");
            }
        }
        String text = done.isEmpty() ? "" : "Rescheduled services " + String.join(", ", done);
        if (!failed.isEmpty()) {
            text = (text.isEmpty() ? "" : text + "; ") + "failed to reschedule " + String.join(", ", failed);
        }
        notifier.send(new Notification(Planner.RESCHEDULE_ALERT, String.join(",", done),
                failed.isEmpty() ? Notification.Status.SUCCESS : Notification.Status.ERROR, text,
                "POST /v1/reschedule-service"));
        return Response.status(failed.isEmpty() ? 200 : 502, text);
    }
}
