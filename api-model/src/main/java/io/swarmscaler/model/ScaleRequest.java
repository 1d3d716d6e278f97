package io.swarmscaler.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A request to scale a node group from outside (an Alertmanager webhook, a manual call). It is planned like a
 * policy that holds: under the same bounds, cooldowns and safety rules.
 *
 * @param id unique per request, to report its outcome
 * @param dedupKey requests with the same key within the cooldown are handled once (Alertmanager's
 *     {@code groupKey}, or the request's parameters)
 * @param bounds from the {@code com.df.scale*Node*} labels of the service the request names, else the defaults
 * @param origin who asked and how, for messages
 */
public record ScaleRequest(String id, String dedupKey, NodeRole role, ScaleDirection direction, int by,
        GroupBounds bounds, Instant receivedAt, String origin) {
    public ScaleRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(bounds, "bounds");
        if (direction == ScaleDirection.NOTIFY_ONLY || by < 1) {
            throw new IllegalArgumentException("a scale request goes up or down by at least one node");
        }
    }
}
