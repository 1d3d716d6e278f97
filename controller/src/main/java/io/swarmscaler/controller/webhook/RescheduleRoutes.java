package io.swarmscaler.controller.webhook;

import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.http.HttpApi.Request;
import io.swarmscaler.controller.http.HttpApi.Response;
import io.swarmscaler.controller.port.Notifier;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.Notification;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.ServiceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The old tool's {@code POST /v1/reschedule-services} and {@code /v1/reschedule-service?service=NAME}: force-update
 * services so that Swarm spreads their tasks over the nodes there are now. A Swarm update that changes no capacity,
 * so it is done at once, not planned.
 */
public final class RescheduleRoutes {
    private static final Logger LOG = Logger.getLogger(RescheduleRoutes.class.getName());

    private final Swarm swarm;
    private final String rescheduleLabel;
    private final Notifier notifier;
    private final boolean dryRun;

    /**
     * @param rescheduleLabel services with this label set to {@code true} are the ones reschedule-services updates
     * @param dryRun say what a reschedule would do and do nothing
     */
    public RescheduleRoutes(Swarm swarm, String rescheduleLabel, Notifier notifier, boolean dryRun) {
        this.swarm = swarm;
        this.rescheduleLabel = rescheduleLabel;
        this.notifier = notifier;
        this.dryRun = dryRun;
    }

    public void register(HttpApi api) {
        api.route("POST", "/v1/reschedule-services", this::rescheduleServices);
        api.route("POST", "/v1/reschedule-service", this::rescheduleService);
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
