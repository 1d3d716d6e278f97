package io.swarmscaler.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Why a group may not change now, or why a node may not go. */
public sealed interface Refusal extends Reason {

    record NoGroup(NodeRole role) implements Refusal {
        public String message() {
            return "no %s node group is configured on this backend, nothing to scale".formatted(role.word());
        }
    }

    record ChangedThisPass(NodeRole role) implements Refusal {
        public String message() {
            return role.word() + " nodes were already changed in this cycle";
        }
    }

    /** A group that failed is left alone until {@code until}. */
    record BackingOff(NodeRole role, Instant until, String after) implements Refusal {
        public String message() {
            return "%s nodes are in backoff until %s after: %s".formatted(role.word(), until, after);
        }

        public Object shape() {
            return List.of(getClass(), until);
        }
    }

    /** Capacity asked for is not Ready yet: no second change until it is. */
    record Joining(NodeRole role, int count) implements Refusal {
        public String message() {
            return "waiting for %d requested %s node(s) to join before scaling again".formatted(count, role.word());
        }
    }

    /** No scale-{@code blocked} within {@code length} of the last scale-{@code after}. */
    record Cooldown(ScaleDirection blocked, ScaleDirection after, Duration length, Instant until) implements Refusal {
        public String message() {
            return "no scale-%s within %s of the last scale-%s; waiting until %s".formatted(Wording.direction(blocked),
                    Durations.format(length), Wording.direction(after), until);
        }

        public Object shape() {
            return List.of(getClass(), blocked, after, until);
        }
    }

    record DrainInProgress(NodeRole role) implements Refusal {
        public String message() {
            return "a %s node is being drained already; one at a time".formatted(role.word());
        }
    }

    record AtMax(NodeRole role, String backend, int max) implements Refusal {
        public String message() {
            return "%s nodes on %s are at the maximum of %d; not scaling up".formatted(Wording.capitalised(role.word()),
                    backend, max);
        }
    }

    record AtMin(NodeRole role, String backend, int min) implements Refusal {
        public String message() {
            return "%s nodes on %s are at the minimum of %d; not scaling down".formatted(Wording.capitalised(role.word()),
                    backend, min);
        }
    }

    /**
     * A policy would take the group's last node: its policies would then have nothing to measure and could never
     * scale it up again. Only a scale request takes a group to zero.
     */
    record LastNode(NodeRole role, String backend) implements Refusal {
        public String message() {
            return ("not removing the last %s node on %s: its policies would have no node to measure and could"
                    + " never scale up again; only a scale request may take the group to zero")
                    .formatted(role.word(), backend);
        }
    }

    /** Tasks wait for room that the group's nodes give: removing one would only make more of them wait. */
    record TasksPending(NodeRole role, String service, long count) implements Refusal {
        public String message() {
            return "%d task(s) of service %s are pending and could run on %s nodes; not removing any"
                    .formatted(count, service, role.word());
        }

        public Object shape() {
            return java.util.List.of(getClass(), service);
        }
    }

    record ManagersStayOdd(int removing, int left) implements Refusal {
        public String message() {
            return "removing %d would leave an even number of managers (%d); managers stay odd to keep Raft quorum"
                    .formatted(removing, left);
        }
    }

    record QuorumLoss(long reachable, long members) implements Refusal {
        public String message() {
            return "only %d of the %d remaining managers would be reachable: Raft would lose quorum"
                    .formatted(reachable, members);
        }
    }

    record NoCandidate(NodeRole role) implements Refusal {
        public String message() {
            return ("no %s node may be removed: each is protected (%s=true), busy draining, not Ready,"
                    + " or not one of the group's instances").formatted(role.word(), Planner.PROTECT_LABEL);
        }
    }

    /** A candidate passed over, and why. */
    record NodeKept(String hostname, Reason why) implements Refusal {
        public String message() {
            return "not removing %s: %s".formatted(hostname, why.message());
        }

        public Object shape() {
            return List.of(getClass(), hostname, why.shape());
        }
    }

    record UncheckableConstraint(String service, List<String> constraints) implements Refusal {
        public String message() {
            return "service %s has a placement constraint that cannot be checked (%s)".formatted(service,
                    String.join(", ", constraints));
        }
    }

    record NoEligibleNode(String service, List<String> constraints) implements Refusal {
        public String message() {
            return "a task of service %s could run on no remaining node (constraints: %s)".formatted(service,
                    constraints.isEmpty() ? "none" : String.join(", ", constraints));
        }
    }

    record NoRoom(String service, long nanoCpus, long memoryBytes) implements Refusal {
        public String message() {
            return "a task of service %s reserves %s, and no remaining node has room"
                    .formatted(service, Wording.resources(nanoCpus, memoryBytes));
        }
    }

    /** The group's memory ratio after the removal would come too close to its scale-up threshold. */
    record MemoryPrediction(double from, double to, double threshold, double margin) implements Refusal {
        public String message() {
            return "memory would rise from %s to %s, not below the scale-up threshold %s minus the margin %s"
                    .formatted(Wording.show(from), Wording.show(to), Wording.show(threshold), Wording.show(margin));
        }
    }

    // ---- pending tasks that no new node would cure: never a reason to scale

    /** A pending task reserves more than an empty new node of any group offers. */
    record TooBigForNewNode(String service, long nanoCpus, long memoryBytes) implements Refusal {
        public String message() {
            return "a task of service %s is pending and reserves %s, more than a new node of any group offers;"
                    .formatted(service, Wording.resources(nanoCpus, memoryBytes)) + Wording.NO_REASON_TO_SCALE;
        }
    }

    /** A pending task whose constraints no new node would meet: pinned to a hostname, or a label no group has. */
    record NoNewNodeAllowed(String service, List<String> constraints) implements Refusal {
        public String message() {
            return "a task of service %s is pending and its constraints (%s) allow no new node of any group;"
                    .formatted(service, String.join(", ", constraints)) + Wording.NO_REASON_TO_SCALE;
        }
    }

    /**
     * The scheduler holds a task back for something other than room or constraints (max replicas per node, ...):
     * not sized into nodes here, so not counted.
     */
    record NotForLackOfNodes(String service, String schedulerError) implements Refusal {
        public String message() {
            return "a task of service %s is pending for another reason than room or constraints (%s);".formatted(service,
                    schedulerError) + Wording.NO_REASON_TO_SCALE;
        }

        public Object shape() {
            return List.of(getClass(), service);
        }
    }

    /** An empty group with no {@code com.df.scaler.nodeShape}: the size of its new nodes is unknown. */
    record NoShape(NodeRole role) implements Refusal {
        public String message() {
            return "the " + role.word() + " group has no node to learn a new node's size from and no "
                    + NodeShape.LABEL + " label gives it; pending tasks cannot be sized for it";
        }
    }

    /** A service's replicas stay: it is at the bound, global, unknown, or its labels cannot be read. */
    record ServiceUnchanged(String service, String why) implements Refusal {
        public String message() {
            return why;
        }
    }
}
