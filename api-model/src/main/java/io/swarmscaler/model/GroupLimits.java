package io.swarmscaler.model;

import java.util.List;

/**
 * The sizes a group is held to: a want's own bound narrowed by the provider's limits (an ASG's MinSize/MaxSize).
 * The status shows the group's limits as its policies set them, computed here too so it cannot disagree.
 */
public record GroupLimits(int min, int max) {

    /** The largest size a want with these bounds may take the group to. */
    static int max(GroupBounds wanted, NodeGroupState group) {
        return Math.min(wanted.max(), group.providerMax());
    }

    /** The smallest size a want with these bounds may take the group to. */
    static int min(GroupBounds wanted, NodeGroupState group) {
        return Math.max(wanted.min(), group.providerMin());
    }

    /**
     * The group's limits: the tightest maximum of its scale-up policies and the tightest minimum of its scale-down
     * policies ({@code defaults} where it has none), narrowed by the provider's limits.
     */
    public static GroupLimits of(PolicySet policies, NodeGroupState group, GroupBounds defaults) {
        List<Policy> mine = policies.policies().stream().filter(p -> p.role() == group.role()).toList();
        int policyMax = mine.stream().filter(p -> p.direction() == ScaleDirection.UP)
                .mapToInt(p -> p.bounds().max()).min().orElse(defaults.max());
        int policyMin = mine.stream().filter(p -> p.direction() == ScaleDirection.DOWN)
                .mapToInt(p -> p.bounds().min()).max().orElse(defaults.min());
        int min = Math.max(policyMin, group.providerMin());
        return new GroupLimits(min, Math.max(min, Math.min(policyMax, group.providerMax())));
    }
}
