package io.swarmscaler.controller.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The daemon's one HTTP server, on Jetty's core handlers. Routes are registered by path and method and answer
 * under both {@code /PATH} and {@code PREFIX/PATH} (the old tool's {@code SERVER_PREFIX}); a path may end in one
 * {@code {name}} segment. Unknown paths get a JSON 404, a known path with the wrong method a 405, oversized bodies a
 * 413, oversized headers a 431, a handler that throws a 500 with its message, and the server goes on. HEAD is
 * answered as GET without the body.
 *
 * <p>No client can take the probes' threads: requests are parsed and bodies read without holding a thread (a
 * half-sent request costs a socket until the idle timeout), open routes (the probes) answer on Jetty's pool, and
 * every other route runs on a small bounded pool of its own, which answers 503 with {@code Retry-After} when full.
 * Open connections are capped; more wait to be accepted, and at the cap idle ones are closed sooner.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());

    static {
        // Else Jetty's thread pool asks the platform MBean server whether oops are compressed, starting JMX: a
        // tenth of a second before /v1/ping answers. Under the image's bounded heap they are: 16 to a cache line.
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine", "16");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    /** A connection that sends nothing for this long is closed. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * While the open connections are at their cap ({@code HTTP_MAX_CONNECTIONS}), a connection idle this long is
     * closed, so that a new client (the health check) gets in soon, not one idle timeout later.
     */
    static final Duration IDLE_TIMEOUT_AT_CAP = Duration.ofSeconds(1);
    /** The whole body must arrive within this long, however it trickles. */
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(10);
    /** Request line and headers together; larger ones get 431 (or 414 for a long request line). */
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** Threads and queue for the routes that may wait (scale requests, reschedules, the status). */
    static final int ROUTE_THREADS = 8;
    static final int ROUTE_QUEUE = 64;

    /** A request as handlers see it; query parameters keep their last value. */
    public record Request(String method, String path, Map<String, String> query, byte[] body,
            Map<String, List<String>> headers, Map<String, String> pathParameters) {
        public Request(String method, String path, Map<String, String> query, byte[] body,
                Map<String, List<String>> headers) {
            this(method, path, query, body, headers, Map.of());
        }

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

    public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        public Response(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        public static Response json(int status, Object value) {
            try {
                return new Response(status, "application/json", JSON.writeValueAsBytes(value));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The old tool's reply shape: {@code {"status":"OK"|"NOK","message":"..."}}. */
        public static Response status(int status, String message) {
            return json(status, statusBody(status, message));
        }

        /** {@link #status} with more fields after the two of the old shape. */
        public static Response status(int status, String message, Map<String, ?> more) {
            Map<String, Object> body = new LinkedHashMap<>(statusBody(status, message));
            body.putAll(more);
            return json(status, body);
        }

        private static Map<String, String> statusBody(int status, String message) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("status", status < 400 ? "OK" : "NOK");
            body.put("message", message);
            return body;
        }

        public static Response text(int status, String contentType, String body) {
            return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        public Response withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Response(status, contentType, body, Map.copyOf(more));
        }
    }

    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    /**
     * Told of every response, by route ({@code unknown} for paths that are none) and status code, with the time from
     * Jetty's first read of the request to the answer being handed back for writing: the server's part of a
     * client's latency, without the kernel's queues and the client's own.
     */
    @FunctionalInterface
    public interface ResponseListener {
        void responded(String route, int status, long nanos);
    }

    /** Decides whether a request carries valid credentials. */
    @FunctionalInterface
    public interface Authenticator {
        boolean allows(Request request);
    }

    /**
     * Shortens the idle timeout of every open connection once they reach the cap. Jetty's own
     * ({@code NetworkConnectionLimit.setEndPointIdleTimeout}) misses connections accepted in a burst, which are
     * not open yet when the cap is reached, so a burst of idle ones would hold the cap for a whole idle timeout.
     */
    private final class ShortIdleTimeoutAtCap implements Connection.Listener {
        private final int cap;

        ShortIdleTimeoutAtCap(int cap) {
            this.cap = cap;
        }

        @Override
        public void onOpened(Connection opened) {
            if (connectionLimit.getNetworkConnectionCount() >= cap) {
                connector.getConnectedEndPoints().forEach(e -> e.setIdleTimeout(IDLE_TIMEOUT_AT_CAP.toMillis()));
            }
        }
    }

    /**
     * Jetty's connection cap, told at most once a minute, with how often it was reached: Jetty itself logs every
     * time the cap is reached and cleared, which a flood of connections turns into a flood of log lines.
     */
    private static final class ToldConnectionLimit extends NetworkConnectionLimit {
        /** Held, so that its level stays set: Jetty's own line for each time. */
        private static final Logger JETTY = Logger.getLogger(NetworkConnectionLimit.class.getName());
        private static final long TELL_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

        private final int cap;
        private int reachedSinceTold;
        private long toldAt = System.nanoTime() - TELL_EVERY_NANOS;

        ToldConnectionLimit(int cap, ServerConnector connector) {
            super(cap, connector);
            this.cap = cap;
            JETTY.setLevel(Level.WARNING);
        }

        @Override
        protected void limit() {
            super.limit(); // under Jetty's lock
            reachedSinceTold++;
            long now = System.nanoTime();
            if (now - toldAt >= TELL_EVERY_NANOS) {
                LOG.warning(("HTTP connection limit %d reached (%d times in the last minute or since last told):"
                        + " more connections wait in the accept queue; HTTP_MAX_CONNECTIONS sets the limit")
                        .formatted(cap, reachedSinceTold));
                reachedSinceTold = 0;
                toldAt = now;
            }
        }
    }

    private record Route(String pattern, boolean open, Map<String, Handler> byMethod) {}

    private record Match(Route route, Map<String, String> parameters) {}

    private final Server server;
    private final ServerConnector connector;
    private final NetworkConnectionLimit connectionLimit;
    private final ThreadPoolExecutor routeWorkers;
    private final String prefix;
    private final int maxBodyBytes;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Set<String> openPaths = ConcurrentHashMap.newKeySet();
    private volatile Authenticator authenticator = request -> true;
    private volatile ResponseListener responses = (route, status, nanos) -> {};

    private HttpApi(String prefix, int maxBodyBytes, int maxConnections) {
        this.prefix = prefix;
        this.maxBodyBytes = maxBodyBytes;
        QueuedThreadPool jettyThreads = new QueuedThreadPool(32, 4);
        jettyThreads.setName("http");
        jettyThreads.setDaemon(true);
        this.server = new Server(jettyThreads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        connector.setAcceptQueueSize(256);
        server.addConnector(connector);
        // More connections wait in the kernel's accept queue: sockets and memory stay bounded whoever connects.
        this.connectionLimit = new ToldConnectionLimit(maxConnections, connector);
        server.addBean(connectionLimit);
        connector.addBean(new ShortIdleTimeoutAtCap(maxConnections));
        server.setHandler(new Dispatcher());
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(0);
        AtomicInteger n = new AtomicInteger();
        this.routeWorkers = new ThreadPoolExecutor(ROUTE_THREADS, ROUTE_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(ROUTE_QUEUE), r -> {
                    Thread t = new Thread(r, "http-route-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        routeWorkers.allowCoreThreadTimeOut(true);
    }

    /**
     * @param prefix extra path prefix such as {@code /scaler}, or empty
     * @param maxBodyBytes larger request bodies are refused with 413
     * @param maxConnections connections open at once; more wait to be accepted
     */
    public static HttpApi start(InetSocketAddress bind, String prefix, int maxBodyBytes, int maxConnections) {
        String normalised = prefix == null || prefix.isBlank() || prefix.equals("/") ? ""
                : "/" + prefix.replaceAll("^/+|/+$", "");
        HttpApi api = new HttpApi(normalised, maxBodyBytes, maxConnections);
        api.connector.setHost(bind.getHostString());
        api.connector.setPort(bind.getPort());
        try {
            api.server.start();
        } catch (Exception e) {
            api.close();
            throw new UncheckedIOException("cannot listen on %s:%d".formatted(bind.getHostString(), bind.getPort()),
                    e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
        return api;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Connections open now, never more than the cap. */
    int openConnections() {
        return connectionLimit.getNetworkConnectionCount();
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

    /**
     * Registers a route that answers without credentials, on Jetty's own threads: for probes and scrapes, which
     * must answer from memory and never wait.
     */
    public HttpApi openRoute(String method, String path, Handler handler) {
        openPaths.add(path);
        return route(method, path, handler);
    }

    /** Registers {@code handler} for {@code method} on {@code path} (e.g. {@code /v1/ping}, {@code /v1/x/{id}}). */
    public HttpApi route(String method, String path, Handler handler) {
        routes.computeIfAbsent(path, p -> new Route(p, openPaths.contains(p), new ConcurrentHashMap<>()))
                .byMethod().put(method.toUpperCase(Locale.ROOT), handler);
        return this;
    }

    private Optional<Match> match(String path) {
        Route exact = routes.get(path);
        if (exact != null) {
            return Optional.of(new Match(exact, Map.of()));
        }
        int slash = path.lastIndexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            return Optional.empty();
        }
        String parent = path.substring(0, slash + 1);
        for (Route route : routes.values()) {
            String pattern = route.pattern();
            if (pattern.startsWith(parent) && pattern.length() > parent.length() + 2 && pattern.endsWith("}")
                    && pattern.indexOf('/', parent.length()) < 0 && pattern.charAt(parent.length()) == '{') {
                String name = pattern.substring(parent.length() + 1, pattern.length() - 1);
                return Optional.of(new Match(route, Map.of(name, path.substring(slash + 1))));
            }
        }
        return Optional.empty();
    }

    /** Routes each request; never blocks a Jetty thread on a route that may wait, nor on a slow body. */
    private final class Dispatcher extends org.eclipse.jetty.server.Handler.Abstract {
        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                Callback callback) {
            String method = request.getMethod().toUpperCase(Locale.ROOT);
            // HEAD is GET without the body: Jetty leaves the body out
            String routeMethod = method.equals("HEAD") ? "GET" : method;
            String path = request.getHttpURI().getDecodedPath();
            if (path == null || path.isEmpty()) {
                path = "/";
            }
            if (!prefix.isEmpty() && (path.equals(prefix) || path.startsWith(prefix + "/"))) {
                path = path.length() == prefix.length() ? "/" : path.substring(prefix.length());
            }
            Optional<Match> match = match(path);
            String routeName = match.map(m -> m.route().pattern()).orElse("unknown");
            if (match.isEmpty()) {
                send(response, callback, routeName, Response.status(404,
                        "no such path: %s; see the README for the API".formatted(path)));
                return true;
            }
            Route route = match.get().route();
            if (!route.byMethod().containsKey(routeMethod)) {
                String allowed = String.join(", ", route.byMethod().keySet());
                send(response, callback, routeName, Response.status(405, "%s does not accept %s; use %s"
                        .formatted(path, method, String.join(" or ", route.byMethod().keySet())))
                        .withHeader("Allow", allowed));
                return true;
            }
            long declared = request.getLength();
            if (declared > maxBodyBytes) {
                send(response, callback, routeName, tooLarge());
                return true;
            }
            String finalPath = path;
            Content.Source.asByteArrayAsync(request, maxBodyBytes + 1)
                    .orTimeout(BODY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((body, failure) -> {
                        if (failure != null) {
                            send(response, callback, routeName, unreadable(failure));
                        } else if (body.length > maxBodyBytes) {
                            send(response, callback, routeName, tooLarge());
                        } else {
                            Request ours = new Request(routeMethod, finalPath, null, body,
                                    headers(request.getHeaders()), match.get().parameters());
                            dispatch(route, ours, request.getHttpURI().getQuery(), response, callback, routeName);
                        }
                    });
            return true;
        }
    }

    private Response tooLarge() {
        return Response.status(413, "request body larger than %d bytes".formatted(maxBodyBytes));
    }

    private Response unreadable(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return Response.status(408, "request body not received within %ds".formatted(BODY_TIMEOUT.toSeconds()));
        }
        if (cause instanceof IllegalArgumentException || cause instanceof ArithmeticException
                || String.valueOf(cause.getMessage()).startsWith("Max size")) {
            return tooLarge(); // Jetty's limit on the aggregated body (a chunked body that says no length)
        }
        return Response.status(400, "request body cannot be read: "
                + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
    }

    private void dispatch(Route route, Request partial, String rawQuery, org.eclipse.jetty.server.Response response,
            Callback callback, String routeName) {
        Runnable work = () -> send(response, callback, routeName, answer(route, partial, rawQuery));
        if (route.open()) {
            work.run();
            return;
        }
        try {
            routeWorkers.execute(work);
        } catch (RejectedExecutionException e) {
            send(response, callback, routeName, Response.status(503,
                    "the scaler is busy with %d requests; retry shortly".formatted(ROUTE_THREADS + ROUTE_QUEUE))
                    .withHeader("Retry-After", "1"));
        }
    }

    private Response answer(Route route, Request partial, String rawQuery) {
        try {
            Request request = new Request(partial.method(), partial.path(), query(rawQuery), partial.body(),
                    partial.headers(), partial.pathParameters());
            if (!route.open() && !authenticator.allows(request)) {
                return Response.status(401, "missing or wrong credentials: send the Authorization header"
                        + " configured in WEBHOOK_AUTH_FILE")
                        .withHeader("WWW-Authenticate", "Bearer realm=\"swarm-scaler\"");
            }
            return route.byMethod().get(request.method()).handle(request);
        } catch (MalformedQueryException e) {
            return Response.status(400, e.getMessage());
        } catch (Exception | StackOverflowError e) {
            LOG.log(Level.WARNING, "HTTP " + partial.method() + " " + partial.path() + " failed", e);
            return Response.status(500, "internal error: " + e.getMessage());
        }
    }

    private void send(org.eclipse.jetty.server.Response response, Callback callback, String route, Response answer) {
        responses.responded(route, answer.status(), System.nanoTime() - response.getRequest().getBeginNanoTime());
        response.setStatus(answer.status());
        HttpFields.Mutable headers = response.getHeaders();
        answer.headers().forEach(headers::put);
        headers.put(HttpHeader.CONTENT_TYPE, answer.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }

    private static Map<String, List<String>> headers(HttpFields fields) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField field : fields) {
            headers.computeIfAbsent(field.getName(), n -> new java.util.ArrayList<>()).add(field.getValue());
        }
        return headers;
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

    /** Jetty's own refusals (bad request line, headers too large, bad encoding) in our reply shape. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                Callback callback) {
            int status = response.getStatus() >= 400 ? response.getStatus() : 500;
            Object code = request.getAttribute(ERROR_STATUS);
            if (code instanceof Integer c) {
                status = c;
            }
            Object message = request.getAttribute(ERROR_MESSAGE);
            byte[] body = json(status, message == null ? reason(status) : message.toString());
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(json(status, reason == null ? reason(status) : reason));
        }

        private static String reason(int status) {
            return switch (status) {
                case 400 -> "bad request: expected an HTTP/1.1 request";
                case 413 -> "request body too large";
                case 414 -> "request line longer than %d bytes".formatted(MAX_HEADER_BYTES);
                case 431 -> "request headers larger than %d bytes".formatted(MAX_HEADER_BYTES);
                default -> "HTTP " + status;
            };
        }

        private static byte[] json(int status, String message) {
            return Response.status(status, message).body();
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.FINE, "stopping the HTTP server", e);
        }
        routeWorkers.shutdownNow();
    }
}
