package io.swarmscaler.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A change of capacity, and how it goes on: nodes joining, drains, failures. */
public sealed interface Progress extends Reason {

    record ScalingUp(NodeRole role, String backend, int from, int to) implements Progress {
        public String message() {
            return Wording.change(role, backend, from, to);
        }

        public Object shape() {
            return List.of(getClass(), from, to);
        }
    }

    /** A scale-down decided: these nodes are drained, then removed. */
    record ScalingDown(NodeRole role, String backend, int from, int to, List<String> victims,
            Optional<Reason> passedOver) implements Progress {
        public ScalingDown {
            victims = List.copyOf(victims);
        }

        public String message() {
            return "%s: draining %s (fewest tasks%s)".formatted(Wording.change(role, backend, from, to),
                    String.join(", ", victims), passedOver.map(r -> "; " + r.message()).orElse(""));
        }

        public Object shape() {
            return List.of(getClass(), from, to, victims);
        }
    }

    record NodesReady(NodeRole role, String backend, int ready, int target, List<String> rescheduling,
            String rescheduleLabel) implements Progress {
        public NodesReady {
            rescheduling = List.copyOf(rescheduling);
        }

        public String message() {
            String readyText = "%d of %d %s nodes are Ready on %s".formatted(ready, target, role.word(), backend);
            return rescheduling.isEmpty()
                    ? readyText + "; no service is labelled " + rescheduleLabel + "=true, nothing to reschedule"
                    : readyText + "; rescheduling " + String.join(", ", rescheduling);
        }
    }

    /**
     * A scale-up remembered but never asked of the backend: a standby node left activating shows that the daemon
     * died in the pass that decided it, after storing its memory and before asking for the capacity.
     */
    record ScaleUpCutShort(NodeRole role, String backend, int desired, int target) implements Progress {
        public String message() {
            return ("a restart cut short the scale-up of %s nodes on %s to %d before it was asked for (a standby node"
                    + " was left activating; the group wants %d): not waiting for it").formatted(role.word(), backend,
                    target, desired);
        }
    }

    record WaitingForNodes(String backend, int ready, int target) implements Progress {
        public String message() {
            return "waiting for new nodes: %d of %d Ready on %s".formatted(ready, target, backend);
        }

        public Object shape() {
            return List.of(getClass(), target);
        }
    }

    record LaunchFailed(NodeRole role, String backend, String failure, int ready, int target) implements Progress {
        public String message() {
            return "Launching %s nodes on %s failed: %s; %d of %d Ready, services were not rescheduled"
                    .formatted(role.word(), backend, failure, ready, target);
        }
    }

    record ProvisionTimedOut(NodeRole role, String backend, int ready, int target, Duration timeout, int from)
            implements Progress {
        public String message() {
            return ("Gave up waiting for %s nodes on %s: %d of %d Ready %s after the scale-up from %d;"
                    + " services were not rescheduled").formatted(role.word(), backend, ready, target,
                            Durations.format(timeout), from);
        }
    }

    /** A failure that put the group in backoff for {@code length}. */
    record BackedOff(Reason cause, Duration length) implements Progress {
        public String message() {
            return cause.message() + "; backing off for " + Durations.format(length);
        }

        public Object shape() {
            return List.of(getClass(), cause.shape());
        }
    }

    record Drained(String hostname) implements Progress {
        public String message() {
            return "%s is drained; its tasks run elsewhere: removing it".formatted(hostname);
        }
    }

    record Draining(Instant since, Reason progress) implements Progress {
        public String message() {
            return "draining since %s: %s".formatted(since, progress.message());
        }

        public Object shape() {
            return List.of(getClass(), progress.shape());
        }
    }

    record DrainTimedOut(String hostname, Duration timeout, Reason progress) implements Progress {
        public String message() {
            return "Draining %s did not finish within %s (%s); putting it back to active".formatted(hostname,
                    Durations.format(timeout), progress.message());
        }
    }

    /** Tasks of replicated services still on a draining node. */
    record TasksLeft(long count) implements Progress {
        public String message() {
            return count + " task(s) still on it";
        }
    }

    /** A service that ran on a draining node is not back to its replicas elsewhere yet. */
    record ServiceShort(String service, long running, int replicas) implements Progress {
        public String message() {
            return "service %s has %d of %d tasks running elsewhere".formatted(service, running, replicas);
        }

        public Object shape() {
            return List.of(getClass(), service);
        }
    }

    /** A scale-up that activated standby nodes, and the machines it asked for (their replacements among them). */
    record ActivatingStandby(NodeRole role, String backend, List<String> nodes, int from, int to)
            implements Progress {
        public ActivatingStandby {
            nodes = List.copyOf(nodes);
        }

        public String message() {
            return "activating standby %s node%s %s%s".formatted(role.word(), nodes.size() == 1 ? "" : "s",
                    String.join(", ", nodes), to > from ? "; " + Wording.changing(role, backend, from, to)
                            + " to refill the warm pool" : "");
        }

        public Object shape() {
            return List.of(getClass(), nodes, from, to);
        }
    }

    record RefillingPool(NodeRole role, String backend, int wanted, int present, int from, int to)
            implements Progress {
        public String message() {
            return "the warm pool of %s nodes has %d of %d standby nodes: %s".formatted(role.word(), present,
                    wanted, Wording.changing(role, backend, from, to));
        }
    }

    record PoolAtMax(NodeRole role, String backend, int wanted, int present, int max) implements Progress {
        public String message() {
            return ("the warm pool of %s nodes has %d of %d standby nodes and cannot refill: the group is at its"
                    + " maximum of %d on %s").formatted(role.word(), present, wanted, max, backend);
        }
    }

    /** A node stands by from now: drained, under our label. */
    record StandingBy(String hostname, String how) implements Progress {
        public String message() {
            return "node %s stands by: %s".formatted(hostname, how);
        }
    }

    /** A standby node removed: beyond the pool's size, or older than the maximum idle time. */
    record LeavingPool(String hostname, int wanted, Optional<Duration> staleAfter) implements Progress {
        public String message() {
            return "standby node %s leaves the warm pool: %s".formatted(hostname, staleAfter
                    .map(d -> "it stood by longer than " + Durations.format(d) + " (WARM_NODE_MAX_IDLE)")
                    .orElse("the pool wants " + wanted));
        }
    }

    /** A service's replicas change, in the old tool's words. */
    record ScalingService(ServiceScaling.Scaling scaling) implements Progress {
        public String message() {
            return scaling.message();
        }
    }
}
