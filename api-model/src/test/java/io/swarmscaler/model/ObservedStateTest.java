package io.swarmscaler.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObservedStateTest {
    private static SwarmNode node(String id) {
        return new SwarmNode(id, "host-" + id, "10.0.0.1", NodeRole.WORKER, true, "active", false, Map.of(),
                Map.of(), 1, 1, Instant.EPOCH);
    }

    private static ServiceInfo service(String id, String name) {
        return new ServiceInfo(id, name, Map.of(), List.of(), 1);
    }

    private static TaskInfo task(String id, String service, String node) {
        return new TaskInfo(id, service, node, true, true, 0, 0);
    }

    private final ObservedState state = new ObservedState(Map.of(), List.of(node("n1"), node("n2")),
            List.of(service("s1", "web"), service("s2", "db"), service("s1", "duplicate")),
            List.of(task("t1", "s1", "n1"), task("t2", "s2", "n1"), task("t3", "s1", "n2"), task("t4", "s1", "")),
            Map.of(), List.of(), Map.of());

    @Test
    void findsNodesAndServicesByIdAsTheFirstOfThatIdInTheList() {
        assertThat(state.node("n2")).map(SwarmNode::hostname).contains("host-n2");
        assertThat(state.node("n9")).isEmpty();
        assertThat(state.service("s1")).map(ServiceInfo::name).contains("web");
        assertThat(state.service("s9")).isEmpty();
    }

    @Test
    void groupsTasksByNodeAndByServiceInObservedOrder() {
        assertThat(state.tasksOnNode("n1")).extracting(TaskInfo::id).containsExactly("t1", "t2");
        assertThat(state.tasksOnNode("")).extracting(TaskInfo::id).containsExactly("t4");
        assertThat(state.tasksOnNode("n9")).isEmpty();
        assertThat(state.tasksOfService("s1")).extracting(TaskInfo::id).containsExactly("t1", "t3", "t4");
        assertThat(state.tasksOfService("s9")).isEmpty();
    }
}
