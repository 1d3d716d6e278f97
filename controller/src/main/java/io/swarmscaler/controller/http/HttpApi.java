package io.swarmscaler.controller.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's one HTTP server. Routes are registered by path and method and answer under both {@code /PATH} and
 * {@code PREFIX/PATH} (the old tool's {@code SERVER_PREFIX}). Unknown paths get a JSON 404, a known path with the
 * wrong method a 405, oversized bodies a 413; a handler that throws gets a 500 with its message, and the server
 * goes on.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());
    static final ObjectMapper JSON = new ObjectMapper();

    /** A request as handlers see it; query parameters keep their last value. */
    public record Request(String method, String path, Map<String, String> query, byte[] body,
            Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return Optional.of(e.getValue().get(0));
                }
            }
            return Optional.empty();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public record Response(int status, String contentType, byte[] body) {
        public static Response json(int status, Object value) {
            try {
                return new Response(status, "application/json", JSON.writeValueAsBytes(value));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The old tool's reply shape: {@code {"status":"OK"|"NOK","message":"..."}}. */
        public static Response status(int status, String message) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("status", status < 400 ? "OK" : "NOK");
            body.put("message", message);
            return json(status, body);
        }

        public static Response text(int status, String contentType, String body) {
            return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService workers;
    private final String prefix;
    private final int maxBodyBytes;
    private final Map<String, Map<String, Handler>> routes = new ConcurrentHashMap<>();
    private final Set<String> openPaths = ConcurrentHashMap.newKeySet();
    private volatile Authenticator authenticator = request -> true;
    private volatile ResponseListener responses = (route, status) -> {};

    /** Told of every response, by route ({@code unknown} for paths that are none) and status code. */
    @FunctionalInterface
    public interface ResponseListener {
        void responded(String route, int status);
    }

    /** Decides whether a request carries valid credentials. */
    @FunctionalInterface
    public interface Authenticator {
        boolean allows(Request request);
    }

    private HttpApi(HttpServer server, ExecutorService workers, String prefix, int maxBodyBytes) {
        this.server = server;
        this.workers = workers;
        this.prefix = prefix;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * @param prefix extra path prefix such as {@code /scaler}, or empty
     * @param maxBodyBytes larger request bodies are refused with 413
     */
    public static HttpApi start(InetSocketAddress bind, String prefix, int maxBodyBytes) {
        HttpServer server;
        try {
            server = HttpServer.create(bind, 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on %s:%d".formatted(bind.getHostString(), bind.getPort()), e);
        }
        ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        String normalised = prefix == null || prefix.isBlank() || prefix.equals("/") ? ""
                : "/" + prefix.replaceAll("^/+|/+$", "");
        HttpApi api = new HttpApi(server, workers, normalised, maxBodyBytes);
        server.createContext("/", api::dispatch);
        server.start();
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requires {@code authenticator} on every route but those registered with {@link #openRoute}. */
    public HttpApi requireAuthentication(Authenticator authenticator) {
        this.authenticator = authenticator;
        return this;
    }

    public HttpApi onResponse(ResponseListener listener) {
        this.responses = listener;
        return this;
    }

    /** Registers a route that answers without credentials (liveness checks). */
    public HttpApi openRoute(String method, String path, Handler handler) {
        openPaths.add(path);
        return route(method, path, handler);
    }

    /** Registers {@code handler} for {@code method} on {@code path} (e.g. {@code /v1/ping}). */
    public HttpApi route(String method, String path, Handler handler) {
        routes.computeIfAbsent(path, p -> new ConcurrentHashMap<>()).put(method.toUpperCase(Locale.ROOT), handler);
        return this;
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        Response response;
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getPath();
        if (!prefix.isEmpty() && (path.equals(prefix) || path.startsWith(prefix + "/"))) {
            path = path.length() == prefix.length() ? "/" : path.substring(prefix.length());
        }
        try {
            Map<String, Handler> byMethod = routes.get(path);
            if (byMethod == null) {
                response = Response.status(404, "no such path: %s; see the README for the API".formatted(path));
            } else if (!byMethod.containsKey(method)) {
                exchange.getResponseHeaders().set("Allow", String.join(", ", byMethod.keySet()));
                response = Response.status(405, "%s does not accept %s; use %s".formatted(path, method,
                        String.join(" or ", byMethod.keySet())));
            } else {
                byte[] body = readBody(exchange.getRequestBody());
                Request request = body == null ? null : new Request(method, path,
                        query(exchange.getRequestURI().getRawQuery()), body, exchange.getRequestHeaders());
                if (request == null) {
                    response = Response.status(413, "request body larger than %d bytes".formatted(maxBodyBytes));
                } else if (!openPaths.contains(path) && !authenticator.allows(request)) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"swarm-scaler\"");
                    response = Response.status(401, "missing or wrong credentials: send the Authorization header"
                            + " configured in WEBHOOK_AUTH_FILE");
                } else {
                    response = handle(byMethod.get(method), request);
                }
            }
        } catch (MalformedQueryException e) {
            response = Response.status(400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "HTTP " + method + " " + path + " failed", e);
            response = Response.status(500, "internal error: " + e.getMessage());
        }
        responses.responded(routes.containsKey(path) ? path : "unknown", response.status());
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
        if (response.body().length > 0) {
            exchange.getResponseBody().write(response.body());
        }
        exchange.close();
    }

    private static Response handle(Handler handler, Request request) {
        try {
            return handler.handle(request);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The body, or null when it exceeds the limit. */
    private byte[] readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(maxBodyBytes + 1);
        return bytes.length > maxBodyBytes ? null : bytes;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.put(URLDecoder.decode(key, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new MalformedQueryException("malformed query string near \"%s\": expected URL-encoded name=value pairs"
                        .formatted(pair));
            }
        }
        return params;
    }

    private static final class MalformedQueryException extends RuntimeException {
        MalformedQueryException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
