package io.swarmscaler.controller.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.http.HttpApi.Request;
import io.swarmscaler.controller.http.HttpApi.Response;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.webhook.WebhookRoutes.BadRequest;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.Observation.AlreadyHandled;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.ServiceScaling;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.logging.Logger;

/**
 * {@code POST /v1/scale-service?service=NAME&by=N}: the old tool's replica scaling, which docker-flow-monitor's
 * service alerts call through Alertmanager. It changes the replica count at once through the Swarm, as the
 * reschedule routes do (a Swarm update, not a cloud call, so no cooldown of the planner's applies), within the
 * bounds and in the words of {@link ServiceScaling}; a service scaled beyond the cluster then has pending tasks,
 * which bring their nodes. An Alertmanager repeat of a {@code groupKey} that scaled within the repeat window, and a
 * client's retry of the same call within seconds, get the first answer and change nothing more.
 */
public final class ServiceScaleRoute {
    private static final Logger LOG = Logger.getLogger(ServiceScaleRoute.class.getName());
    /** The alert name the seed's Alertmanager route sends to Slack. */
    public static final String SCALE_SERVICE_ALERT = "scale_service";
    /** A client's retry of the same call within this time joins the first, as for /v1/scale-nodes. */
    static final Duration RETRY_WINDOW = Duration.ofSeconds(10);

    private final Swarm swarm;
    private final Notifier notifier;
    private final Clock clock;
    private final ServiceScaling.Defaults defaults;
    private final Duration repeatWindow;
    private final boolean dryRun;
    /** Answers given, by the key of their repeats, until their window ends. */
    private final Map<String, Answered> answered = new HashMap<>();

    private record Answered(Instant until, Response response) {}

    /** What a call asks, and who asks. */
    private record Call(String service, ScaleDirection direction, OptionalInt by, Optional<String> groupKey) {
        String origin() {
            return groupKey.map(k -> "Alertmanager group " + k).orElse("POST /v1/scale-service");
        }

        /** The old tool's {@code request} annotation. */
        String request() {
            return "Scale service %s: %s".formatted(direction.name().toLowerCase(Locale.ROOT), service);
        }
    }

    /**
     * @param repeatWindow an Alertmanager repeat of a call that scaled, within this time, scales nothing (the longer
     *     of the node cooldowns, as for /v1/scale-nodes)
     * @param dryRun say what would change and change nothing
     */
    public ServiceScaleRoute(Swarm swarm, Notifier notifier, Clock clock, ServiceScaling.Defaults defaults,
            Duration repeatWindow, boolean dryRun) {
        this.swarm = swarm;
        this.notifier = notifier;
        this.clock = clock;
        this.defaults = defaults;
        this.repeatWindow = repeatWindow;
        this.dryRun = dryRun;
    }

    public void register(HttpApi api) {
        api.route("POST", "/v1/scale-service", this::scaleService);
    }

    Response scaleService(Request request) {
        Call call;
        try {
            call = parse(request);
        } catch (BadRequest e) {
            return Response.status(e.status, e.getMessage());
        }
        String retryKey = "%s:%s:%s".formatted(call.service(), call.direction(), call.by());
        String repeatKey = call.groupKey().map(k -> "alertmanager:" + k + ":" + call.direction()).orElse(retryKey);
        Instant now = clock.instant();
        synchronized (this) {
            answered.values().removeIf(a -> !now.isBefore(a.until()));
            Answered earlier = answered.get(repeatKey);
            if (earlier != null) {
                return earlier.response();
            }
            Response response = act(call);
            if (call.groupKey().isEmpty()) {
                answered.put(retryKey, new Answered(now.plus(RETRY_WINDOW), response));
            } else if (response.status() == 200 && !dryRun) {
                answered.put(repeatKey, new Answered(now.plus(repeatWindow), Response.status(200,
                        new AlreadyHandled(now, call.origin()).message())));
            }
            return response;
        }
    }

    private Call parse(Request request) throws BadRequest {
        JsonNode body = WebhookRoutes.body(request);
        JsonNode groupLabels = body.path("groupLabels");
        String service = Optional.ofNullable(request.query().get("service"))
                .orElse(WebhookRoutes.textOrNull(groupLabels.path("service")));
        if (service == null || service.isBlank()) {
            throw new BadRequest(400, "the service is missing: expected ?service=NAME or a body like"
                    + " {\"groupLabels\": {\"service\": \"NAME\", \"scale\": \"up\"}}");
        }
        ScaleDirection direction = WebhookRoutes.direction(request, groupLabels);
        String byText = request.query().get("by");
        OptionalInt by = byText == null || byText.isBlank() ? OptionalInt.empty()
                : OptionalInt.of(WebhookRoutes.by(byText));
        return new Call(service, direction, by, Optional.ofNullable(WebhookRoutes.textOrNull(body.path("groupKey"))));
    }

    private Response act(Call call) {
        Optional<ServiceInfo> service = swarm.services().stream().filter(s -> s.name().equals(call.service()))
                .findFirst();
        if (service.isEmpty()) {
            return Response.status(404, "service=\"%s\" is not a service of this Swarm".formatted(call.service()));
        }
        ServiceScaling.Outcome outcome = ServiceScaling.decide(service.get(), call.direction(), call.by(), defaults);
        if (outcome instanceof ServiceScaling.Scaling scaling) {
            return scale(call, service.get(), scaling);
        }
        if (outcome instanceof ServiceScaling.AtBound atBound) {
            return atBound(call, atBound);
        }
        return Response.status(outcome instanceof ServiceScaling.Global ? 400 : 422, outcome.message());
    }

    /** As the old tool by default: the operator hears of a service held at its maximum, not at its minimum. */
    private Response atBound(Call call, ServiceScaling.AtBound atBound) {
        LOG.info("%s: %s".formatted(call.request(), atBound.message()));
        if (call.direction() == ScaleDirection.UP && !dryRun) {
            notifier.send(new Notification(SCALE_SERVICE_ALERT, call.service(), Notification.Status.ERROR,
                    atBound.message(), call.request()));
        }
        return Response.status(409, atBound.message());
    }

    private Response scale(Call call, ServiceInfo service, ServiceScaling.Scaling scaling) {
        if (dryRun) {
            String text = "dry run, not done: " + scaling.message();
            LOG.info(text);
            return Response.status(200, text);
        }
        try {
            swarm.scaleService(service.id(), scaling.to());
        } catch (RuntimeException e) {
            String text = "Could not scale %s: %s".formatted(call.service(), e.getMessage());
            LOG.warning(text);
            notifier.send(new Notification(SCALE_SERVICE_ALERT, call.service(), Notification.Status.ERROR, text,
                    call.request()));
            return Response.status(502, text);
        }
        LOG.info("%s (%s): %s".formatted(call.request(), call.origin(), scaling.message()));
        notifier.send(new Notification(SCALE_SERVICE_ALERT, call.service(), Notification.Status.SUCCESS,
                scaling.message(), call.request()));
        return Response.status(200, scaling.message());
    }
}
