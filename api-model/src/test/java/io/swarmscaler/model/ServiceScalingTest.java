package io.swarmscaler.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.ServiceScaling.Defaults;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The old tool's replica scaling: steps, bounds from labels or defaults (1..5), and its words. */
class ServiceScalingTest {
    static final Defaults DEFAULTS = new Defaults(1, 5);

    static ServiceInfo web(int replicas, String... labels) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return new ServiceInfo("id-web", "web", map, List.of(), replicas);
    }

    static Arguments row(ServiceInfo service, String direction, Integer by, String message) {
        return Arguments.of(service, direction, by, message);
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                row(web(2), "up", null, "Scaling web from 2 to 3 replicas (max: 5)"),
                row(web(2), "down", null, "Scaling web from 2 to 1 replicas (min: 1)"),
                row(web(2), "up", 2, "Scaling web from 2 to 4 replicas (max: 5)"),
                // a step that would cross the bound stops at it
                row(web(4), "up", 3, "Scaling web from 4 to 5 replicas (max: 5)"),
                row(web(3, "com.df.scaleMin", "2"), "down", 5, "Scaling web from 3 to 2 replicas (min: 2)"),
                // the labels' steps when the request names none
                row(web(2, "com.df.scaleUpBy", "2"), "up", null, "Scaling web from 2 to 4 replicas (max: 5)"),
                row(web(4, "com.df.scaleDownBy", "3"), "down", null, "Scaling web from 4 to 1 replicas (min: 1)"),
                // at a bound
                row(web(5), "up", null, "web is already scaled to the maximum number of 5 replicas"),
                row(web(4, "com.df.scaleMax", "4"), "up", null,
                        "web is already scaled to the maximum number of 4 replicas"),
                row(web(1), "down", null, "web is already descaled to the minimum number of 1 replicas"),
                row(web(0, "com.df.scaleMin", "0"), "down", null,
                        "web is already descaled to the minimum number of 0 replicas"),
                // above the maximum already: an up request never brings it down
                row(web(7), "up", null, "web is already scaled to the maximum number of 5 replicas"),
                row(new ServiceInfo("id-g", "agent", Map.of(), List.of(), ServiceInfo.GLOBAL), "up", null,
                        "agent is a global service (can not be scaled): expected a replicated service"),
                row(web(2, "com.df.scaleMax", "lots"), "up", null, "service web: label com.df.scaleMax=\"lots\" is not"
                        + " valid: expected a whole number of replicas in ASCII digits, at least 0"),
                row(web(2, "com.df.scaleUpBy", "0"), "up", null, "service web: label com.df.scaleUpBy=\"0\" is not"
                        + " valid: expected a whole number of replicas in ASCII digits, at least 1"),
                row(web(2, "com.df.scaleMin", "4", "com.df.scaleMax", "3"), "up", null, "service web: label"
                        + " com.df.scaleMin=\"4\" is not valid: expected a number no greater than the maximum, 3"));
    }

    @ParameterizedTest(name = "{0} {1} by {2}: {3}")
    @MethodSource("decisions")
    void decidesInTheOldToolsWords(ServiceInfo service, String direction, Integer by, String message) {
        ServiceScaling.Outcome outcome = ServiceScaling.decide(service,
                direction.equals("up") ? ScaleDirection.UP : ScaleDirection.DOWN,
                by == null ? OptionalInt.empty() : OptionalInt.of(by), DEFAULTS);
        assertThat(outcome.message()).isEqualTo(message);
    }
}
