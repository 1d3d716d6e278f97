package io.swarmscaler.controller.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.ScalerMemory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@link ScalerMemory} as compact JSON for a Swarm label: short keys, times in epoch milliseconds, policies as
 * {@code service#index}, groups as {@code worker}/{@code manager}; keys sorted, so that the same memory always
 * encodes to the same text and an unchanged memory is never written again.
 */
public final class MemoryCodec {
    /** Raised when a stored memory cannot be read: names what was wrong. */
    public static final class UnreadableMemoryException extends RuntimeException {
        UnreadableMemoryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private MemoryCodec() {}

    public static String encode(ScalerMemory memory) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", FORMAT);
        times(root, "since", memory.trueSince(), PolicyId::toString);
        times(root, "up", memory.lastScaleUp(), NodeRole::word);
        times(root, "down", memory.lastScaleDown(), NodeRole::word);
        times(root, "req", memory.handledRequests(), k -> k);
        if (!memory.pending().isEmpty()) {
            ObjectNode pending = root.putObject("pend");
            new TreeMap<>(memory.pending()).forEach((role, p) -> {
                ArrayNode entry = pending.putArray(role.word())
                        .add(p.from()).add(p.target()).add(p.requestedAt().toEpochMilli());
                if (p.standby() > 0) {
                    entry.add(p.standby()); // only then: a memory without warm pools encodes as before
                }
            });
        }
        if (!memory.backoff().isEmpty()) {
            ObjectNode backoff = root.putObject("back");
            new TreeMap<>(memory.backoff()).forEach((role, b) -> backoff.putArray(role.word())
                    .add(b.until().toEpochMilli()).add(b.length().toMillis()).add(b.reason()));
        }
        if (!memory.announced().isEmpty()) {
            ArrayNode announced = root.putArray("ann");
            memory.announced().stream().sorted().forEach(id -> announced.add(id.toString()));
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the scaler's memory", e);
        }
    }

    public static ScalerMemory decode(String text) {
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject() || root.path("v").asInt() != FORMAT) {
                throw new IllegalArgumentException("expected a JSON object with \"v\":" + FORMAT);
            }
            Map<NodeRole, ScalerMemory.PendingScaleUp> pending = new HashMap<>();
            root.path("pend").fields().forEachRemaining(e -> pending.put(role(e.getKey()),
                    new ScalerMemory.PendingScaleUp(e.getValue().get(0).asInt(), e.getValue().get(1).asInt(),
                            Instant.ofEpochMilli(e.getValue().get(2).asLong()), e.getValue().path(3).asInt(0))));
            Map<NodeRole, ScalerMemory.Backoff> backoff = new HashMap<>();
            root.path("back").fields().forEachRemaining(e -> backoff.put(role(e.getKey()),
                    new ScalerMemory.Backoff(Instant.ofEpochMilli(e.getValue().get(0).asLong()),
                            Duration.ofMillis(e.getValue().get(1).asLong()), e.getValue().get(2).asText())));
            Set<PolicyId> announced = new HashSet<>();
            root.path("ann").forEach(id -> announced.add(policy(id.asText())));
            return new ScalerMemory(times(root, "since", MemoryCodec::policy), times(root, "up", MemoryCodec::role),
                    times(root, "down", MemoryCodec::role), pending, announced, backoff,
                    times(root, "req", k -> k));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new UnreadableMemoryException("the stored memory is not one this scaler wrote (%s): %.80s"
                    .formatted(e.getMessage(), text), e);
        }
    }

    private static <K> void times(ObjectNode root, String field, Map<K, Instant> times, Function<K, String> key) {
        if (times.isEmpty()) {
            return;
        }
        Map<String, Long> sorted = new TreeMap<>();
        times.forEach((k, at) -> sorted.put(key.apply(k), at.toEpochMilli()));
        ObjectNode node = root.putObject(field);
        sorted.forEach(node::put);
    }

    private static <K> Map<K, Instant> times(JsonNode root, String field, Function<String, K> key) {
        Map<K, Instant> times = new HashMap<>();
        root.path(field).fields().forEachRemaining(e -> {
            if (!e.getValue().canConvertToLong()) {
                throw new IllegalArgumentException(field + "." + e.getKey() + " is not a time in epoch milliseconds");
            }
            times.put(key.apply(e.getKey()), Instant.ofEpochMilli(e.getValue().asLong()));
        });
        return times;
    }

    private static NodeRole role(String word) {
        return NodeRole.fromWord(word).orElseThrow(() -> new IllegalArgumentException(
                "group '" + word + "' is neither worker nor manager"));
    }

    /** Service names cannot hold '#', so the last one separates the label index. */
    private static PolicyId policy(String text) {
        int hash = text.lastIndexOf('#');
        return hash < 0 ? new PolicyId(text, "") : new PolicyId(text.substring(0, hash), text.substring(hash + 1));
    }
}
