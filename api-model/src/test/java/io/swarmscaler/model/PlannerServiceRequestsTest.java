package io.swarmscaler.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code scale-service} requests as the planner decides them: within the service's bounds, in the old tool's words,
 * an Alertmanager repeat handled once, and two requests in one pass one after the other.
 */
class PlannerServiceRequestsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Planner PLANNER = new Planner(Planner.Settings.defaults());
    private static final ServiceInfo WEB = new ServiceInfo("id-web", "web", Map.of("com.df.scaleMax", "4"), List.of(),
            2);

    private static ScaleRequest request(String id, String key, ScaleDirection direction, OptionalInt by) {
        return new ScaleRequest(id, key, new ScaleRequest.Replicas("web", by), direction, T0, "test");
    }

    private static Plan plan(ServiceInfo web, ScalerMemory memory, ScaleRequest... requests) {
        return PLANNER.plan(new ObservedState(Map.of(), List.of(), List.of(web), List.of(), Map.of(),
                List.of(requests), Map.of()), new PolicySet(List.of(), List.of()), memory, T0);
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("up by the label's step", 2, ScaleDirection.UP, OptionalInt.empty(), true,
                        "Scaling web from 2 to 3 replicas (max: 4)", 3, List.of()),
                Arguments.of("a step past the max stops at it", 3, ScaleDirection.UP, OptionalInt.of(5), true,
                        "Scaling web from 3 to 4 replicas (max: 4)", 4, List.of()),
                Arguments.of("at the max: refused, and the operator hears", 4, ScaleDirection.UP,
                        OptionalInt.empty(), false, "web is already scaled to the maximum number of 4 replicas", -1,
                        List.of("scale_service web: web is already scaled to the maximum number of 4 replicas")),
                Arguments.of("at the min: refused, nobody paged (the old tool's default)", 1, ScaleDirection.DOWN,
                        OptionalInt.empty(), false, "web is already descaled to the minimum number of 1 replicas", -1,
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void decidesWithinTheBoundsInTheOldToolsWords(String name, int replicas, ScaleDirection direction, OptionalInt by,
            boolean accepted, String message, int to, List<String> notified) {
        ServiceInfo web = new ServiceInfo(WEB.id(), WEB.name(), WEB.labels(), WEB.constraints(), replicas);

        Plan plan = plan(web, ScalerMemory.empty(), request("r1", "person:r1", direction, by));

        assertThat(plan.outcomes()).containsEntry("r1", new RequestOutcome(accepted, message));
        assertThat(plan.actions()).filteredOn(Action.ScaleService.class::isInstance)
                .extracting(a -> ((Action.ScaleService) a).scaling().to()).containsExactlyElementsOf(
                        to < 0 ? List.of() : List.of(to));
        assertThat(plan.actions()).filteredOn(Action.Notify.class::isInstance)
                .extracting(a -> ((Action.Notify) a).notification())
                .extracting(n -> n.alertName() + " " + n.service() + ": " + n.summary())
                .containsExactlyElementsOf(notified);
    }

    @Test
    void anUnknownServiceIsRefusedNamingIt() {
        Plan plan = PLANNER.plan(new ObservedState(Map.of(), List.of(), List.of(), List.of(), Map.of(),
                List.of(request("r1", "person:r1", ScaleDirection.UP, OptionalInt.empty())), Map.of()),
                new PolicySet(List.of(), List.of()), ScalerMemory.empty(), T0);

        assertThat(plan.outcomes().get("r1")).isEqualTo(new RequestOutcome(false,
                "service=\"web\" is not a service of this Swarm"));
        assertThat(plan.actions()).isEmpty();
    }

    @Test
    void twoRequestsInOnePassGoOneAfterTheOther() {
        Plan plan = plan(WEB, ScalerMemory.empty(), request("r1", "person:r1", ScaleDirection.UP, OptionalInt.empty()),
                request("r2", "person:r2", ScaleDirection.UP, OptionalInt.empty()));

        assertThat(plan.outcomes().get("r2").message()).isEqualTo("Scaling web from 3 to 4 replicas (max: 4)");
        assertThat(plan.actions()).filteredOn(Action.ScaleService.class::isInstance).hasSize(2);
    }

    @Test
    void anAlertmanagerRepeatIsHandledOnceThroughTheMemory() {
        String key = "alertmanager:{}:{alertname=\"web_mem\"}:UP:service=web";
        Plan first = plan(WEB, ScalerMemory.empty(), request("r1", key, ScaleDirection.UP, OptionalInt.empty()));

        Plan repeat = plan(WEB, first.memory(), request("r2", key, ScaleDirection.UP, OptionalInt.empty()));

        assertThat(first.memory().handledRequests()).containsKey(key);
        assertThat(repeat.outcomes().get("r2").message()).startsWith("Already handled at " + T0);
        assertThat(repeat.actions()).isEmpty();
    }
}
