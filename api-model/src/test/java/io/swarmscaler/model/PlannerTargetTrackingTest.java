package io.swarmscaler.model;

import static io.swarmscaler.model.PlannerScaleDownTest.cluster;
import static io.swarmscaler.model.PlannerTest.ID1;
import static io.swarmscaler.model.PlannerTest.OVER_08;
import static io.swarmscaler.model.PlannerTest.PLANNER;
import static io.swarmscaler.model.PlannerTest.T0;
import static io.swarmscaler.model.PlannerTest.policy;
import static io.swarmscaler.model.PlannerTest.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Action.ScaleGroup;
import io.swarmscaler.model.Observation.Tracking;
import io.swarmscaler.model.Observation.Wanted;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code com.df.scaleWorkerNodeUpBy=auto}: a breach of {@code @node_mem_limit_total_above:0.8} adds
 * {@code ceil(n × value / target) − n} nodes, target 0.8 − 0.05, at least one, never beyond the maximum.
 */
class PlannerTargetTrackingTest {

    @ParameterizedTest(name = "{0} node(s) at {1}, max {2}: to {3}")
    @CsvSource({
            // nodes, value, max, to
            "1, 0.9, 10, 2",
            "3, 0.95, 10, 4",
            "2, 1.0, 10, 3",
            "4, 0.99, 10, 6",
            // 5 × 0.9 / 0.75 is 6 exactly: no seventh node for a rounding error
            "5, 0.9, 10, 6",
            // just over the threshold: still at least one node
            "10, 0.81, 20, 11",
            "4, 1.0, 5, 5",
    })
    void addsTheNodesThatBringTheRatioToTheTarget(int nodes, double ratio, int max, int to) {
        Policy auto = policy(ID1, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO,
                new GroupBounds(0, max, GroupBounds.UP_BY_TARGET, 1), OVER_08);

        Plan plan = PLANNER.plan(cluster().workers(nodes).result(ID1, value(ratio)).state(),
                new PolicySet(List.of(auto), List.of()), ScalerMemory.empty(), T0);

        assertThat(PlannerTest.actions(plan, ScaleGroup.class)).singleElement()
                .extracting(ScaleGroup::role, ScaleGroup::from, ScaleGroup::to)
                .containsExactly(NodeRole.WORKER, nodes, to);
        assertThat(PlannerTest.reasons(plan)).filteredOn(Tracking.class::isInstance).singleElement()
                .extracting(r -> ((Tracking) r).target()).isEqualTo(0.8 - 0.05);
    }

    @ParameterizedTest(name = "value {0} does not breach: no step")
    @CsvSource({"0.8", "0.5"})
    void noBreachNoStep(double ratio) {
        Policy auto = policy(ID1, ScaleDirection.UP, NodeRole.WORKER, Duration.ZERO,
                new GroupBounds(0, 10, GroupBounds.UP_BY_TARGET, 1), OVER_08);

        Plan plan = PLANNER.plan(cluster().workers(2).result(ID1, value(ratio)).state(),
                new PolicySet(List.of(auto), List.of()), ScalerMemory.empty(), T0);

        assertThat(plan.actions()).noneMatch(ScaleGroup.class::isInstance);
        assertThat(plan.decisions()).isNotEmpty().noneMatch(d -> d.reason() instanceof Wanted);
    }
}
