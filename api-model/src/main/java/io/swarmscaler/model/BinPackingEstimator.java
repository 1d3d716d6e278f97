package io.swarmscaler.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How many new nodes of one shape a set of pending tasks needs, by their CPU and memory reservations: first fit
 * decreasing (largest memory first, then largest CPU), as Cluster Autoscaler's binpacking estimator. Every task must
 * fit an empty node of the shape; the caller sorts out those that do not.
 */
final class BinPackingEstimator {
    private static final Comparator<TaskInfo> LARGEST_FIRST = Comparator
            .comparingLong(TaskInfo::reservedMemoryBytes).thenComparingLong(TaskInfo::reservedNanoCpus).reversed();

    private BinPackingEstimator() {}

    static int newNodes(List<TaskInfo> tasks, NodeShape shape) {
        List<TaskInfo> largestFirst = new ArrayList<>(tasks);
        largestFirst.sort(LARGEST_FIRST);
        // What is left on each new node: {nano CPUs, memory bytes}.
        List<long[]> free = new ArrayList<>();
        for (TaskInfo task : largestFirst) {
            if (!shape.holds(task)) {
                throw new IllegalArgumentException("task " + task.id() + " fits no node of " + shape.words());
            }
            long[] room = free.stream().filter(r -> r[0] >= task.reservedNanoCpus()
                    && r[1] >= task.reservedMemoryBytes()).findFirst().orElse(null);
            if (room == null) {
                room = new long[] {shape.nanoCpus(), shape.memoryBytes()};
                free.add(room);
            }
            room[0] -= task.reservedNanoCpus();
            room[1] -= task.reservedMemoryBytes();
        }
        return free.size();
    }
}
