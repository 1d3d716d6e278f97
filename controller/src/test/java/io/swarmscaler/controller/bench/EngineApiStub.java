package io.swarmscaler.controller.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A Docker Engine API (1.41) on a unix socket, as dockerd serves it, for a generated Swarm of a chosen size. Every node, service and task
 * is a copy of one captured from a real dockerd (test resources {@code engine-api-1.41/}: a worker node, the
 * service {@code sample}, one of its tasks, with reservations), with its ids, names,
 * addresses and placement changed: the replies have the shape and size of a real engine's. Filters on
 * {@code /tasks} ({@code desired-state}, {@code node}, {@code service}) are applied as dockerd does. Changes are
 * accepted and ignored (the benchmark runs the daemon in dry run). {@code /events} stays open and carries what
 * {@link #emitNodeEvent()} sends.
 */
public final class EngineApiStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param workers worker nodes (3 managers come on top)
     * @param services services besides the exporter that carries the policies
     * @param tasksPerNode running tasks per worker
     * @param historyPerSlot ended tasks Swarm keeps per running one (0..5)
     */
    public record Shape(int workers, int services, int tasksPerNode, int historyPerSlot) {
        public int nodes() {
            return workers + 3;
        }

        public String address(int node) {
            return "10.%d.%d.%d".formatted(node / 65536 % 256, node / 256 % 256, node % 256 + 1);
        }
    }

    /** The event stream is quiet for as long as the Swarm is: no idle cut within a benchmark. */
    private static final Duration IDLE_TIMEOUT = Duration.ofHours(1);

    private final Shape shape;
    private final Path socketDirectory;
    private final Path socket;
    private final Server server;
    private final byte[] nodes;
    private final byte[] services;
    private final byte[] runningTasks;
    private final ObjectNode taskTemplate;
    private final List<String> nodeIds = new ArrayList<>();
    private final List<String> serviceIds = new ArrayList<>();
    /** Open event streams, each with the latch that ends its request when the stream is dropped. */
    private final Map<OutputStream, CountDownLatch> eventStreams = new ConcurrentHashMap<>();
    private final Map<String, byte[]> fixed;

    public EngineApiStub(Shape shape, Map<String, String> exporterLabels) throws IOException {
        this.shape = shape;
        ObjectNode node = first(sample("nodes.json"), n -> n.path("Spec").path("Role").asText().equals("worker"));
        ObjectNode service = first(sample("services.json"), s -> s.path("Spec").path("Name").asText().equals("sample"));
        this.taskTemplate = first(sample("tasks-all.json"),
                t -> t.path("Spec").path("Resources").has("Reservations"));
        this.fixed = Map.of("/_ping", "OK".getBytes(StandardCharsets.UTF_8),
                "/version", JSON.writeValueAsBytes(sample("version.json")));
        for (int i = 0; i < shape.nodes(); i++) {
            nodeIds.add("node%021d".formatted(i));
        }
        for (int i = 0; i <= shape.services(); i++) {
            serviceIds.add("svc%022d".formatted(i));
        }
        this.nodes = write(g -> {
            for (int i = 0; i < shape.nodes(); i++) {
                boolean manager = i < 3;
                ObjectNode n = node.deepCopy();
                n.put("ID", nodeIds.get(i));
                n.put("CreatedAt", "2024-01-01T00:%02d:%02d.%09dZ".formatted(i / 3600 % 60, i / 60 % 60, i));
                ((ObjectNode) n.path("Spec")).put("Role", manager ? "manager" : "worker");
                ((ObjectNode) n.path("Spec")).put("Availability", "active");
                ((ObjectNode) n.path("Description")).put("Hostname", "ip-" + shape.address(i).replace('.', '-'));
                ((ObjectNode) n.path("Status")).put("State", "ready").put("Addr", shape.address(i));
                if (manager) {
                    n.putObject("ManagerStatus").put("Leader", i == 0).put("Reachability", "reachable")
                            .put("Addr", shape.address(i) + ":2377");
                } else {
                    n.remove("ManagerStatus");
                }
                g.writeTree(n);
            }
        });
        this.services = write(g -> {
            for (int i = 0; i <= shape.services(); i++) {
                ObjectNode s = service.deepCopy();
                s.put("ID", serviceIds.get(i));
                ObjectNode spec = (ObjectNode) s.path("Spec");
                spec.put("Name", i == 0 ? "exporter_node-exporter-worker" : "app_service-" + i);
                ObjectNode labels = spec.putObject("Labels");
                if (i == 0) {
                    exporterLabels.forEach(labels::put);
                    spec.putObject("Mode").putObject("Global");
                } else {
                    labels.put("com.df.notify", "true");
                    long replicas = (long) shape.workers() * shape.tasksPerNode() / shape.services();
                    spec.putObject("Mode").putObject("Replicated").put("Replicas", Math.max(1, replicas));
                }
                g.writeTree(s);
            }
        });
        this.runningTasks = write(g -> eachTask(Set.of(), false, g));
        this.socketDirectory = Files.createTempDirectory("engine-api-stub");
        this.socket = socketDirectory.resolve("docker.sock");
        this.server = new Server();
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server);
        connector.setUnixDomainPath(socket);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                try {
                    EngineApiStub.this.handle(request, response);
                    callback.succeeded();
                } catch (Throwable e) {
                    callback.failed(e);
                }
                return true;
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            throw new IOException("the Engine API stub did not start on " + socket, e);
        }
    }

    public String dockerHost() {
        return "unix://" + socket;
    }

    public int runningTaskBytes() {
        return runningTasks.length;
    }

    /** Tells every open event stream that a node changed, as dockerd does when one becomes Ready. */
    public void emitNodeEvent() {
        emit("node", nodeIds.get(nodeIds.size() - 1), "{}");
    }

    /** Tells every open event stream that a service was updated, as dockerd does after each write. */
    private void emitServiceEvent(String id, String name) {
        emit("service", id, "{\"name\":\"%s\"}".formatted(name));
    }

    private void emit(String type, String id, String attributes) {
        String event = "{\"Type\":\"%s\",\"Action\":\"update\",\"Actor\":{\"ID\":\"%s\",\"Attributes\":%s},"
                .formatted(type, id, attributes)
                + "\"scope\":\"swarm\",\"time\":%d,\"timeNano\":%d}\n".formatted(System.currentTimeMillis() / 1000,
                        System.nanoTime());
        for (OutputStream out : eventStreams.keySet()) {
            try {
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                CountDownLatch dropped = eventStreams.remove(out);
                if (dropped != null) {
                    dropped.countDown();
                }
            }
        }
    }

    private static ObjectNode first(JsonNode array, java.util.function.Predicate<JsonNode> wanted) {
        for (JsonNode element : array) {
            if (wanted.test(element)) {
                return (ObjectNode) element;
            }
        }
        throw new IllegalStateException("no such element in the captured samples");
    }

    private static JsonNode sample(String name) throws IOException {
        try (InputStream in = EngineApiStub.class.getResourceAsStream("/engine-api-1.41/" + name)) {
            if (in == null) {
                throw new IOException("test resource engine-api-1.41/" + name + " is missing");
            }
            return JSON.readTree(in);
        }
    }

    @FunctionalInterface
    private interface Elements {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Elements elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            elements.write(g);
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Running tasks (on every worker, or only on {@code onNodes}), and their history when asked. */
    private void eachTask(Set<String> onNodes, boolean history, JsonGenerator g) throws IOException {
        ObjectNode t = taskTemplate.deepCopy();
        ObjectNode status = (ObjectNode) t.path("Status");
        long slot = 0;
        for (int n = 3; n < shape.nodes(); n++) {
            String nodeId = nodeIds.get(n);
            for (int k = 0; k < shape.tasksPerNode(); k++, slot++) {
                if (!onNodes.isEmpty() && !onNodes.contains(nodeId)) {
                    continue;
                }
                String serviceId = serviceIds.get(1 + (int) (slot % shape.services()));
                for (int h = 0; h <= (history ? shape.historyPerSlot() : 0); h++) {
                    t.put("ID", "task%09d%012d".formatted(h, slot));
                    t.put("ServiceID", serviceId);
                    t.put("NodeID", nodeId);
                    t.put("Slot", slot);
                    t.put("DesiredState", h == 0 ? "running" : "shutdown");
                    status.put("State", h == 0 ? "running" : "shutdown");
                    g.writeTree(t);
                }
            }
        }
    }

    /** The scaler's own state service, the one object it writes: kept so its memory and lease work here too. */
    private ObjectNode stateSpec;
    private long stateVersion;

    /** Answers the state service's create, inspect and update; false for any other request. */
    private synchronized boolean stateService(Request request, Response response, String path) throws IOException {
        String method = request.getMethod();
        if (method.equals("POST") && path.equals("/services/create")) {
            stateSpec = (ObjectNode) JSON.readTree(Content.Source.asInputStream(request));
            stateVersion = 1;
            reply(response, 201, "{\"ID\":\"state0\"}".getBytes(StandardCharsets.UTF_8));
            return true;
        }
        if (method.equals("POST") && path.equals("/services/state0/update")) {
            String query = String.valueOf(request.getHttpURI().getQuery());
            if (!query.contains("version=" + stateVersion)) {
                Content.Source.asInputStream(request).readAllBytes();
                reply(response, 500, "{\"message\":\"update out of sequence\"}".getBytes(StandardCharsets.UTF_8));
                return true;
            }
            stateSpec = (ObjectNode) JSON.readTree(Content.Source.asInputStream(request));
            stateVersion++;
            reply(response, 200, "{}".getBytes(StandardCharsets.UTF_8));
            emitServiceEvent("state0", stateSpec.path("Name").asText());
            return true;
        }
        boolean named = stateSpec != null && path.equals("/services/" + stateSpec.path("Name").asText());
        if (method.equals("GET") && (path.equals("/services/state0") || named)) {
            ObjectNode service = JSON.createObjectNode();
            service.put("ID", "state0");
            service.putObject("Version").put("Index", stateVersion);
            service.set("Spec", stateSpec);
            reply(response, 200, JSON.writeValueAsBytes(service));
            return true;
        }
        return false;
    }

    private void handle(Request request, Response response) throws IOException {
        String path = Request.getPathInContext(request).replaceFirst("^/v1\\.\\d+", "");
        if (stateService(request, response, path)) {
            return;
        }
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            Content.Source.asInputStream(request).readAllBytes();
            reply(response, 200, "{}".getBytes(StandardCharsets.UTF_8)); // dry run: nothing should change
            return;
        }
        switch (path) {
            case "/nodes" -> reply(response, 200, nodes);
            case "/services" -> reply(response, 200, services);
            case "/tasks" -> tasks(request, response);
            case "/events" -> events(response);
            default -> {
                byte[] body = fixed.get(path);
                reply(response, body == null ? 404 : 200, body == null
                        ? "{\"message\":\"page not found\"}".getBytes(StandardCharsets.UTF_8) : body);
            }
        }
    }

    private void tasks(Request request, Response response) throws IOException {
        Map<String, Set<String>> filters = filters(request.getHttpURI().getQuery());
        Set<String> desired = filters.getOrDefault("desired-state", Set.of());
        Set<String> onNodes = filters.getOrDefault("node", Set.of());
        boolean history = !desired.equals(Set.of("running"));
        if (!history && onNodes.isEmpty()) {
            reply(response, 200, runningTasks);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        try (OutputStream out = Content.Sink.asOutputStream(response); JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            eachTask(onNodes, history, g);
            g.writeEndArray();
        }
    }

    private static Map<String, Set<String>> filters(String rawQuery) throws IOException {
        if (rawQuery == null) {
            return Map.of();
        }
        for (String part : rawQuery.split("&")) {
            if (part.startsWith("filters=")) {
                JsonNode tree = JSON.readTree(URLDecoder.decode(part.substring(8), StandardCharsets.UTF_8));
                Map<String, Set<String>> filters = new java.util.HashMap<>();
                tree.fields().forEachRemaining(e -> {
                    Set<String> values = new HashSet<>();
                    if (e.getValue() instanceof ArrayNode array) {
                        array.forEach(v -> values.add(v.asText()));
                    } else {
                        e.getValue().fieldNames().forEachRemaining(values::add);
                    }
                    filters.put(e.getKey(), values);
                });
                return filters;
            }
        }
        return Map.of();
    }

    private void events(Response response) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        OutputStream out = Content.Sink.asOutputStream(response);
        out.flush();
        CountDownLatch closed = new CountDownLatch(1);
        eventStreams.put(out, closed);
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(Response response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            out.write(body);
        }
    }

    @Override
    public void close() throws IOException {
        eventStreams.values().forEach(CountDownLatch::countDown);
        eventStreams.clear();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IOException("the Engine API stub did not stop", e);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socketDirectory);
        }
    }
}
