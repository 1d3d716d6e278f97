package io.swarmscaler.controller.docker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.github.dockerjava.transport.DockerHttpClient;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.ServiceInfo;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.TaskInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Reads nodes, services and tasks from the Engine API ({@link DockerSwarms#ENGINE_API}, whose JSON shapes the
 * records below follow) through docker-java's transport, decoding each element of
 * the reply straight into the model's small records (databind into records that name only the fields read, or,
 * for tasks, the streaming parser): a task list of 100,000 entries is never held as full docker-java models, only
 * as {@link TaskInfo}s.
 */
final class EngineReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ObjectReader NODES = JSON.readerFor(NodeJson.class);
    private static final ObjectReader SERVICES = JSON.readerFor(ServiceJson.class);
    private static final int COMPARED_CHUNK = 64 * 1024;

    private final DockerHttpClient http;
    /** The last reply to each listing, with what it decoded to. */
    private final Map<String, Reply<?>> lastReplies = new ConcurrentHashMap<>();

    EngineReader(DockerHttpClient http) {
        this.http = http;
    }

    /**
     * A listing's reply and its decoding. In a steady Swarm the nodes and services are byte for byte what they
     * were a pass ago (every change moves their {@code Version} and {@code UpdatedAt}); 4 MB of JSON at 1,000 nodes
     * and 2,000 services is compared in a millisecond, where decoding it again costs tens.
     */
    private record Reply<T>(byte[] body, List<T> models) {}

    List<SwarmNode> nodes() {
        return unlessUnchanged("/nodes", NODES, (NodeJson n) -> n.toModel());
    }

    /** With {@code status=true} (API 1.41): each service's running and desired task counts, to tell who is short. */
    List<ServiceInfo> services() {
        return unlessUnchanged("/services?status=true", SERVICES, (ServiceJson s) -> s.toModel());
    }

    /** The listing at {@code path}, decoded only when its reply differs from the last one. */
    @SuppressWarnings("unchecked")
    private <J, T> List<T> unlessUnchanged(String path, ObjectReader reader, Function<J, T> toModel) {
        Reply<?> last = lastReplies.get(path);
        byte[] lastBody = last == null ? new byte[0] : last.body();
        byte[] body = DockerSwarms.get(http, path, in -> readUnlessSame(in, lastBody));
        if (last != null && body == lastBody) {
            return (List<T>) last.models();
        }
        List<T> models;
        try (JsonParser parser = JSON.createParser(body)) {
            models = List.copyOf(list(parser, reader, toModel));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + ": " + e.getMessage(), e);
        }
        lastReplies.put(path, new Reply<>(body, models));
        return models;
    }

    /**
     * The body, or {@code last} itself when the body is byte for byte the same: compared as it streams in, a chunk
     * at a time, so an unchanged listing of megabytes is not copied into a new array every pass.
     */
    static byte[] readUnlessSame(InputStream body, byte[] last) throws IOException {
        byte[] chunk = new byte[COMPARED_CHUNK];
        int at = 0;
        for (int n; (n = body.readNBytes(chunk, 0, chunk.length)) > 0; at += n) {
            if (at + n > last.length || !Arrays.equals(chunk, 0, n, last, at, at + n)) {
                ByteArrayOutputStream differs = new ByteArrayOutputStream(Math.max(last.length, at + n));
                differs.write(last, 0, at);
                differs.write(chunk, 0, n);
                body.transferTo(differs);
                return differs.toByteArray();
            }
        }
        return at == last.length ? last : Arrays.copyOf(last, at);
    }

    /** Tasks matching every filter, e.g. {@code desired-state=[running]} or {@code node=[id1,id2]}. */
    List<TaskInfo> tasks(Map<String, ? extends Collection<String>> filters) {
        return decoded("/tasks?filters=" + URLEncoder.encode(json(filters), StandardCharsets.UTF_8),
                EngineReader::decodeTasks);
    }

    /**
     * Tasks are most of what a pass reads (about 2 KB of JSON each, 100,000 in a big Swarm): they are decoded with
     * Jackson's streaming parser, which skips every part of a task but the fields the model keeps.
     */
    static List<TaskInfo> decodeTasks(JsonParser p) throws IOException {
        RepeatedTexts texts = new RepeatedTexts();
        List<TaskInfo> tasks = new ArrayList<>();
        expect(p, p.nextToken(), JsonToken.START_ARRAY);
        TaskFields task = new TaskFields();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            task.clear();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "ID" -> task.id = p.getValueAsString();
                    case "ServiceID" -> task.serviceId = texts.of(p, "");
                    case "NodeID" -> task.nodeId = texts.of(p, "");
                    case "DesiredState" -> task.desiredState = texts.of(p, "");
                    case "CreatedAt" -> task.createdAt(p);
                    case "Status" -> status(p, value, task, texts);
                    case "Spec" -> reservations(p, value, task.reserved);
                    default -> p.skipChildren();
                }
            }
            tasks.add(task.toModel());
        }
        return tasks;
    }

    /** One task's fields as they are read, in any order; reused from task to task. */
    private static final class TaskFields {
        String id;
        String serviceId;
        String nodeId;
        String desiredState;
        String state;
        String schedulerError;
        final long[] reserved = new long[2];
        /** The text of {@code CreatedAt}: parsed only for a pending task, the one rule that reads it. */
        private final StringBuilder createdAt = new StringBuilder();

        void clear() {
            id = null;
            serviceId = "";
            nodeId = "";
            desiredState = "";
            state = "";
            schedulerError = "";
            reserved[0] = 0;
            reserved[1] = 0;
            createdAt.setLength(0);
        }

        void createdAt(JsonParser p) throws IOException {
            createdAt.setLength(0);
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                createdAt.append(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            }
        }

        TaskInfo toModel() {
            boolean desiredRunning = desiredState.equals("running");
            boolean running = state.equals("running");
            boolean pending = TaskInfo.pending(desiredRunning, running, nodeId);
            return new TaskInfo(id, serviceId, nodeId, desiredRunning, running, reserved[0], reserved[1],
                    schedulerError, pending && createdAt.length() > 0 ? Instant.parse(createdAt) : null);
        }
    }

    /** A task's {@code Status.State} and {@code Status.Err} (the scheduler's reason). */
    private static void status(JsonParser p, JsonToken at, TaskFields task, RepeatedTexts texts) throws IOException {
        fields(p, at, (field, value) -> {
            switch (field) {
                case "State" -> task.state = texts.of(p, "");
                case "Err" -> task.schedulerError = texts.of(p, "");
                default -> p.skipChildren();
            }
        });
    }

    /** Docker's RFC 3339 time with nanoseconds; null when absent. */
    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** {@code Spec.Resources.Reservations} of a task into {@code reserved} (nano CPUs, memory bytes). */
    private static void reservations(JsonParser p, JsonToken at, long[] reserved) throws IOException {
        fields(p, at, (spec, resources) -> {
            if (!spec.equals("Resources")) {
                p.skipChildren();
                return;
            }
            fields(p, resources, (kind, reservations) -> {
                if (!kind.equals("Reservations")) {
                    p.skipChildren();
                    return;
                }
                fields(p, reservations, (amount, value) -> {
                    switch (amount) {
                        case "NanoCPUs" -> reserved[0] = p.getValueAsLong();
                        case "MemoryBytes" -> reserved[1] = p.getValueAsLong();
                        default -> p.skipChildren();
                    }
                });
            });
        });
    }

    private interface FieldReader {
        /** Reads the field's value, on which the parser stands ({@code value} is its first token), or skips it. */
        void read(String field, JsonToken value) throws IOException;
    }

    /** Reads each field of the object starting at {@code at}; skips a value that is not an object (e.g. null). */
    private static void fields(JsonParser p, JsonToken at, FieldReader reader) throws IOException {
        if (at != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            reader.read(field, p.nextToken());
        }
    }

    private static void expect(JsonParser p, JsonToken token, JsonToken expected) throws IOException {
        if (token != expected) {
            throw new JsonParseException(p, "expected " + expected + " but found " + token);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <J, T> List<T> list(JsonParser p, ObjectReader reader, Function<J, T> toModel)
            throws IOException {
        List<T> models = new ArrayList<>();
        expect(p, p.nextToken(), JsonToken.START_ARRAY);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            models.add(toModel.apply(reader.readValue(p)));
        }
        return models;
    }

    /** Tasks, decoded as they stream in: their reply is not kept. */
    private <T> T decoded(String path, JsonDecoder<T> decoder) {
        return DockerSwarms.get(http, path, body -> {
            try (JsonParser parser = JSON.createParser(body)) {
                return decoder.decode(parser);
            }
        });
    }

    @FunctionalInterface
    interface JsonDecoder<T> {
        T decode(JsonParser parser) throws IOException;
    }

    // ---- the parts of Docker's JSON the model reads (names as the Engine API spells them) ----------------------

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Resources(@JsonProperty("NanoCPUs") long nanoCpus, @JsonProperty("MemoryBytes") long memoryBytes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NodeJson(@JsonProperty("ID") String id, @JsonProperty("CreatedAt") String createdAt,
            @JsonProperty("Spec") NodeSpec spec, @JsonProperty("Description") NodeDescription description,
            @JsonProperty("Status") NodeStatus status, @JsonProperty("ManagerStatus") ManagerStatus managerStatus) {
        SwarmNode toModel() {
            NodeSpec s = spec == null ? new NodeSpec(null, null, null) : spec;
            Resources resources = description == null ? null : description.resources();
            Map<String, String> engineLabels = description == null || description.engine() == null
                    || description.engine().labels() == null ? Map.of() : description.engine().labels();
            return new SwarmNode(id,
                    description == null || description.hostname() == null ? "" : description.hostname(),
                    status == null || status.addr() == null ? "" : status.addr(),
                    "manager".equals(s.role()) ? NodeRole.MANAGER : NodeRole.WORKER,
                    status != null && "ready".equals(status.state()),
                    s.availability() == null ? "" : s.availability(),
                    managerStatus != null && "reachable".equals(managerStatus.reachability()),
                    engineLabels,
                    s.labels() == null ? Map.of() : s.labels(),
                    resources == null ? 0 : resources.nanoCpus(),
                    resources == null ? 0 : resources.memoryBytes(),
                    createdAt == null ? Instant.EPOCH : instant(createdAt));
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NodeSpec(@JsonProperty("Labels") Map<String, String> labels, @JsonProperty("Role") String role,
            @JsonProperty("Availability") String availability) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NodeDescription(@JsonProperty("Hostname") String hostname,
            @JsonProperty("Resources") Resources resources, @JsonProperty("Engine") Engine engine) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Engine(@JsonProperty("Labels") Map<String, String> labels) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NodeStatus(@JsonProperty("State") String state, @JsonProperty("Addr") String addr) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ManagerStatus(@JsonProperty("Reachability") String reachability) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ServiceJson(@JsonProperty("ID") String id, @JsonProperty("Spec") ServiceSpec spec,
            @JsonProperty("ServiceStatus") ServiceStatus status) {
        ServiceInfo toModel() {
            ServiceSpec s = spec == null ? new ServiceSpec(null, null, null, null) : spec;
            List<String> constraints = s.taskTemplate() == null || s.taskTemplate().placement() == null
                    || s.taskTemplate().placement().constraints() == null ? List.of()
                    : s.taskTemplate().placement().constraints();
            Mode mode = s.mode();
            int replicas = mode != null && mode.global() != null ? ServiceInfo.GLOBAL
                    : mode == null || mode.replicated() == null ? 1 : (int) mode.replicated().replicas();
            return new ServiceInfo(id, s.name() == null ? "" : s.name(), s.labels() == null ? Map.of() : s.labels(),
                    constraints, replicas, status != null && status.runningTasks() < status.desiredTasks());
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ServiceStatus(@JsonProperty("RunningTasks") long runningTasks,
            @JsonProperty("DesiredTasks") long desiredTasks) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ServiceSpec(@JsonProperty("Name") String name, @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("TaskTemplate") TaskTemplate taskTemplate, @JsonProperty("Mode") Mode mode) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskTemplate(@JsonProperty("Placement") Placement placement,
            @JsonProperty("Resources") TaskResources resources) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Placement(@JsonProperty("Constraints") List<String> constraints) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TaskResources(@JsonProperty("Reservations") Resources reservations) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Mode(@JsonProperty("Replicated") Replicated replicated, @JsonProperty("Global") Map<String, Object> global) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Replicated(@JsonProperty("Replicas") long replicas) {}
}
