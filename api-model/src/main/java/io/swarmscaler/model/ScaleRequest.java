package io.swarmscaler.model;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A request to scale from outside (an Alertmanager webhook, a manual call): the nodes of a group, or the replicas of
 * a service. It is planned like a policy that holds, under the same deduplication of repeats, and only the leader
 * acts on it.
 *
 * @param id unique per request, to report its outcome
 * @param dedupKey requests with the same key within the cooldown are handled once (Alertmanager's
 *     {@code groupKey}, or the request's parameters)
 * @param origin who asked and how, for messages
 */
public record ScaleRequest(String id, String dedupKey, Target target, ScaleDirection direction, Instant receivedAt,
        String origin) {
    public ScaleRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(target, "target");
        if (direction == ScaleDirection.NOTIFY_ONLY) {
            throw new IllegalArgumentException("a scale request goes up or down");
        }
    }

    /** What a request scales. */
    public sealed interface Target {}

    /**
     * The nodes of a group, by a step, under the same bounds, cooldowns and safety rules as a policy.
     *
     * @param bounds from the {@code com.df.scale*Node*} labels of the service the request names, else the defaults
     */
    public record Nodes(NodeRole role, int by, GroupBounds bounds) implements Target {
        public Nodes {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(bounds, "bounds");
            if (by < 1) {
                throw new IllegalArgumentException("a scale request goes up or down by at least one node");
            }
        }
    }

    /**
     * The replicas of the service named, within its {@code com.df.scaleMin}/{@code com.df.scaleMax} labels: a Swarm
     * update, so no cooldown of the node groups applies.
     *
     * @param by the request's step, or empty for the service's {@code com.df.scaleUpBy}/{@code DownBy} label
     */
    public record Replicas(String service, OptionalInt by) implements Target {
        public Replicas {
            Objects.requireNonNull(service, "service");
            if (by.isPresent() && by.getAsInt() < 1) {
                throw new IllegalArgumentException("a scale request goes up or down by at least one replica");
            }
        }
    }
}
