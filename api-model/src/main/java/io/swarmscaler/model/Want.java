package io.swarmscaler.model;

import java.util.Optional;

/**
 * Something asking a group to change: a policy whose condition held long enough, or a scale request.
 *
 * @param trigger what was seen or asked, the first half of every decision about this want
 * @param why who asked and on what grounds, for the action and the notification
 */
record Want(String subject, Reason trigger, NodeRole role, ScaleDirection direction, int by, GroupBounds bounds, String why,
        Optional<PolicyId> policy, Optional<ScaleRequest> request) {

    /** A decision about this want: what it saw, then what came of it. */
    Observation.Wanted outcome(Reason result) {
        return new Observation.Wanted(trigger, result);
    }
}
