package io.swarmscaler.model;

/** A rule that sizes a change of a group in one direction, for a want the {@link GroupGate} let through. */
interface GroupRule {
    void apply(Want want, NodeGroupState group);
}
