package io.swarmscaler.controller.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScaleRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A scale request handed over by a follower, and later its outcome, as compact JSON for one label
 * {@code io.swarmscaler.request.<id>}.
 */
final class HandoverCodec {
    static final String PREFIX = "io.swarmscaler.request.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HandoverCodec() {}

    static String key(String requestId) {
        return PREFIX + requestId;
    }

    static String encode(ScalerState.HandedOver handedOver) {
        ScaleRequest r = handedOver.request();
        ObjectNode node = JSON.createObjectNode();
        node.put("key", r.dedupKey()).put("d", r.direction().name()).put("at", r.receivedAt().toEpochMilli())
                .put("o", r.origin());
        if (r.target() instanceof ScaleRequest.Nodes nodes) {
            node.put("g", nodes.role().word()).put("by", nodes.by());
            GroupBounds b = nodes.bounds();
            node.putArray("b").add(b.min()).add(b.max()).add(b.upBy()).add(b.downBy());
        } else if (r.target() instanceof ScaleRequest.Replicas replicas) {
            node.put("s", replicas.service());
            replicas.by().ifPresent(by -> node.put("by", by));
        }
        handedOver.outcome().ifPresent(o -> node.put("ok", o.accepted()).put("msg", o.message()));
        return node.toString();
    }

    /** @throws IllegalArgumentException naming what was wrong, for a label this scaler did not write */
    static ScalerState.HandedOver decode(String key, String text) {
        try {
            JsonNode n = JSON.readTree(text);
            ScaleRequest request = new ScaleRequest(key.substring(PREFIX.length()), n.path("key").asText(),
                    target(n), ScaleDirection.valueOf(n.path("d").asText()),
                    Instant.ofEpochMilli(n.path("at").asLong()), n.path("o").asText());
            Optional<RequestOutcome> outcome = n.has("ok")
                    ? Optional.of(new RequestOutcome(n.path("ok").asBoolean(), n.path("msg").asText()))
                    : Optional.empty();
            return new ScalerState.HandedOver(request, outcome);
        } catch (Exception e) {
            throw new IllegalArgumentException("label %s is not a scale request this scaler handed over (%s): %.80s"
                    .formatted(key, e.getMessage(), text), e);
        }
    }

    /** A service's replicas when the label names one ({@code s}), else a group's nodes. */
    private static ScaleRequest.Target target(JsonNode n) {
        if (n.has("s")) {
            return new ScaleRequest.Replicas(n.path("s").asText(),
                    n.has("by") ? OptionalInt.of(n.path("by").asInt()) : OptionalInt.empty());
        }
        JsonNode b = n.path("b");
        NodeRole role = NodeRole.fromWord(n.path("g").asText())
                .orElseThrow(() -> new IllegalArgumentException("g is neither worker nor manager"));
        return new ScaleRequest.Nodes(role, n.path("by").asInt(),
                new GroupBounds(b.path(0).asInt(), b.path(1).asInt(), b.path(2).asInt(), b.path(3).asInt()));
    }
}
