package io.swarmscaler.controller.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.SwarmNode;
import io.swarmscaler.model.WarmPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Stands in for node-exporter on the local cluster: serves each Ready node's memory figures, in node-exporter's
 * metric names, with a used-memory ratio that a person (or a test) sets. Every node is one series with
 * {@code instance} set to its hostname; {@code /metrics/worker} and {@code /metrics/manager} serve one role each,
 * as the two exporter services of the seed do.
 *
 * <p>{@code POST /memory?role=worker&ratio=0.9} sets the ratio of every current node of that role;
 * {@code &node=HOSTNAME} sets one node. Nodes that join later report {@link #freshNodeRatio}. A ramp
 * ({@link #setRamp}) makes every node of a role report a ratio that moves with time, for trend policies.
 */
public final class DemoExporter implements AutoCloseable {
    static final long TOTAL_BYTES = 4L << 30;

    private final HttpServer server;
    private final Supplier<List<SwarmNode>> nodes;
    private volatile double freshNodeRatio;
    private final Map<String, Double> ratios = new ConcurrentHashMap<>();
    private final Map<NodeRole, Ramp> ramps = new ConcurrentHashMap<>();

    /**
     * A ratio of {@code start + perSecond × seconds since then}, plus up to {@code noise} either way (the same
     * for every node at one instant, changing each second), within 0 and 1.
     */
    private record Ramp(double start, double perSecond, double noise, long startedAtMillis) {
        double now() {
            long millis = System.currentTimeMillis();
            long second = millis / 1000;
            // A fixed pseudo-random sequence: the same run of noise for the same seconds.
            double wobble = ((second * 2654435761L) & 0xffff) / (double) 0xffff * 2 - 1;
            double ratio = start + perSecond * (millis - startedAtMillis) / 1000.0 + noise * wobble;
            return Math.max(0, Math.min(1, ratio));
        }
    }

    private DemoExporter(HttpServer server, Supplier<List<SwarmNode>> nodes, double freshNodeRatio) {
        this.server = server;
        this.nodes = nodes;
        this.freshNodeRatio = freshNodeRatio;
    }

    /** @param port 0 for any free port */
    public static DemoExporter start(int port, Supplier<List<SwarmNode>> nodes, double freshNodeRatio) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("demo exporter cannot listen on 127.0.0.1:" + port, e);
        }
        DemoExporter exporter = new DemoExporter(server, nodes, freshNodeRatio);
        server.createContext("/metrics/", exporter::serveMetrics);
        server.createContext("/memory", exporter::setMemory);
        server.start();
        return exporter;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String target() {
        return "127.0.0.1:" + port();
    }

    /**
     * Every node of {@code role} reports {@code start}, moving by {@code perSecond} each second from now, with up
     * to {@code noise} either way, until {@link #setRatio} sets a fixed ratio again.
     */
    public void setRamp(NodeRole role, double start, double perSecond, double noise) {
        ramps.put(role, new Ramp(start, perSecond, noise, System.currentTimeMillis()));
    }

    /** Sets the used-memory ratio of every node of {@code role} that exists now; returns their hostnames. */
    public List<String> setRatio(NodeRole role, double ratio) {
        ramps.remove(role);
        List<String> hosts = nodes.get().stream().filter(n -> n.role() == role).map(SwarmNode::hostname).toList();
        hosts.forEach(h -> ratios.put(h, ratio));
        return hosts;
    }

    /** The ratio that nodes joining from now on report. */
    public void setFreshNodeRatio(double ratio) {
        freshNodeRatio = ratio;
    }

    public void setNodeRatio(String hostname, double ratio) {
        ratios.put(hostname, ratio);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void serveMetrics(HttpExchange exchange) throws IOException {
        String roleWord = exchange.getRequestURI().getPath().substring("/metrics/".length());
        NodeRole role = NodeRole.fromWord(roleWord).orElse(null);
        if (role == null) {
            reply(exchange, 404, "unknown role \"" + roleWord + "\": use /metrics/worker or /metrics/manager\n");
            return;
        }
        StringBuilder out = new StringBuilder();
        for (String metric : List.of("MemTotal", "MemFree", "Buffers", "Cached", "MemAvailable")) {
            out.append("# TYPE node_memory_").append(metric).append("_bytes gauge\n");
            for (SwarmNode node : nodes.get()) {
                // A standby node is drained: the exporter's global service runs no task there.
                if (node.role() != role || !node.ready() || WarmPool.isStandby(node)) {
                    continue;
                }
                Ramp ramp = ramps.get(role);
                double ratio = ramp != null ? ramp.now() : ratios.computeIfAbsent(node.hostname(), h -> freshNodeRatio);
                out.append("node_memory_").append(metric).append("_bytes{instance=\"").append(node.hostname())
                        .append("\"} ").append(bytes(metric, ratio)).append('\n');
            }
        }
        reply(exchange, 200, out.toString());
    }

    /** Free, buffers and cache share what is not used, so both old and new shortcut formulas see the ratio. */
    static long bytes(String metric, double usedRatio) {
        long unused = Math.round(TOTAL_BYTES * (1 - usedRatio));
        return switch (metric) {
            case "MemTotal" -> TOTAL_BYTES;
            case "MemFree" -> unused / 2;
            case "Buffers" -> unused / 4;
            case "Cached" -> unused - unused / 2 - unused / 4;
            default -> unused; // MemAvailable
        };
    }

    private void setMemory(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "use POST /memory?role=worker&ratio=0.9\n");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        double ratio;
        try {
            ratio = Double.parseDouble(query.getOrDefault("ratio", ""));
        } catch (NumberFormatException e) {
            ratio = Double.NaN;
        }
        if (!(ratio >= 0 && ratio <= 1)) {
            reply(exchange, 400, "ratio=\"%s\" is not valid: expected a number between 0 and 1\n"
                    .formatted(query.getOrDefault("ratio", "")));
            return;
        }
        if (query.containsKey("node")) {
            setNodeRatio(query.get("node"), ratio);
            reply(exchange, 200, "node %s now reports memory ratio %s\n".formatted(query.get("node"), ratio));
            return;
        }
        NodeRole role = NodeRole.fromWord(query.getOrDefault("role", "worker")).orElse(null);
        if (role == null) {
            reply(exchange, 400, "role=\"%s\" is not valid: expected worker or manager\n".formatted(query.get("role")));
            return;
        }
        List<String> hosts = setRatio(role, ratio);
        reply(exchange, 200, "%s nodes %s now report memory ratio %s\n".formatted(role.word(), hosts, ratio));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
