package io.swarmscaler.controller.bench;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.swarmscaler.controller.aws.LocalAutoScalingEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real daemon jar, with the image's JVM options ({@code src/main/jvm/jvm.options} of the jar's module),
 * against a generated Engine API on a unix socket ({@link EngineApiStub}),
 * the local Auto Scaling endpoint and a loopback Prometheus answering every policy query with one value, and prints
 * what a pass costs. Used by {@code scripts/benchmark.sh}; a benchmark, not a test.
 *
 * <pre>ScaleBenchmark JAR WORKERS TASKS_PER_NODE HISTORY_PER_SLOT [SERVICES]</pre>
 */
public final class ScaleBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The load of issue 14: the webhook's p50/p99 at 500 requests a second for 20 s. */
    private static final int HTTP_RATE = 500;
    private static final Duration HTTP_LOAD = Duration.ofSeconds(Long.getLong("bench.httpSeconds", 20));
    private static final HttpClient LOAD = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final String PASSES = "swarm_scaler_reconcile_cycles_total{outcome=\"success\"}";
    /** Passes measured: 16 s of passes at the 2 s interval. */
    private static final int MEASURED_PASSES = Integer.getInteger("bench.passesMeasured", 8);
    /** A daemon runs for days: the first passes, while the JIT compiles the pass, are not what a pass costs. */
    private static final int WARM_UP_PASSES = Integer.getInteger("bench.warmupPasses", 15);

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int workers = Integer.parseInt(args[1]);
        int tasksPerNode = Integer.parseInt(args[2]);
        int history = Integer.parseInt(args[3]);
        int services = args.length > 4 ? Integer.parseInt(args[4]) : Math.max(10, workers * 2);
        var shape = new EngineApiStub.Shape(workers, services, tasksPerNode, history);
        System.out.printf("%-6s %-8s %-8s %-5s %-10s | %7s %7s %9s %9s %9s %9s %8s %8s %8s%n", "nodes",
                "services", "tasks", "hist", "pass", "p50 ms", "p99 ms", "CPU ms/p", "loop ms/p", "JIT+GC/p",
                "tasks ms", "heap MB", "RSS MB", "ready s");
        for (String pass : System.getProperty("bench.passes", "steady,scale-down").split(",")) {
            if (pass.equals("start")) {
                starts(jar, shape);
                continue;
            }
            Result r = run(jar, shape, pass.equals("steady") ? 0.5 : 0.01, pass.equals("steady"), false);
            System.out.printf("%-6d %-8d %-8d %-5d %-10s | %7.1f %7.1f %9.1f %9.1f %9.1f %9.1f %8.1f %8.0f %8.2f%n",
                    shape.nodes(), services, workers * tasksPerNode, history, pass, r.p50Ms, r.p99Ms, r.cpuMsPerPass,
                    r.loopMsPerPass, r.jitGcMsPerPass, r.tasksMs, r.heapAfterGcMb, r.peakRssMb,
                    r.startToReadySeconds);
            System.out.printf("    start: /v1/ping answers %.2f s after java -jar, first successful pass (ready) %.2f s"
                    + " (%.2f CPU s, of which the JIT %.2f)%n",
                    r.startToPingSeconds, r.startToReadySeconds, r.startCpuSeconds, r.startJitSeconds);
            if (r.burstPasses >= 0) {
                System.out.printf("    burst: 200 node events in 20 s made %d passes%n", r.burstPasses);
            }
            if (r.ping != null) {
                r.ping.print("/v1/ping");
                r.status.print("/status");
            }
        }
    }

    /**
     * @param loopMsPerPass the CPU of the reconcile thread alone, per pass
     * @param jitGcMsPerPass the CPU of the JIT compilers and the collector (serial: the VM thread), per pass
     * @param startCpuSeconds the daemon's CPU time from its start to its first successful pass
     * @param startJitSeconds the part of it the JIT compilers took
     */
    record Result(double p50Ms, double p99Ms, double cpuMsPerPass, double loopMsPerPass, double jitGcMsPerPass,
            double tasksMs, double heapAfterGcMb, double peakRssMb, double startToPingSeconds,
            double startToReadySeconds, double startCpuSeconds, double startJitSeconds, int burstPasses, Latency ping, Latency status, double failedPasses) {}

    /**
     * Replies at a fixed rate, timed from when each request was due, so a stall counts for every request; and the
     * daemon's own account of the same route ({@code swarm_scaler_http_request_seconds}: from Jetty's first read of a
     * request to its answer, without the kernel's queues and the load generator's, which shares the 2 cores).
     */
    record Latency(double p50Ms, double p99Ms, double maxMs, int failed, double serverP50Ms, double serverP99Ms) {
        void print(String path) {
            System.out.printf("    %s at %d req/s for %d s: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed;"
                    + " the daemon's own p50 %.2f ms, p99 %.2f ms%n", path, HTTP_RATE, HTTP_LOAD.toSeconds(), p50Ms,
                    p99Ms, maxMs, failed, serverP50Ms, serverP99Ms);
        }
    }

    /**
     * How long from {@code started} until {@code uri} answers 200, asking every {@code poll}: late by up to that, never
     * early.
     */
    private static double secondsUntilOk(URI uri, Duration poll, Process daemon, long started, Path log) {
        await(uri.getPath() + " answers 200 (the daemon's log: " + log + ")").atMost(Duration.ofMinutes(3))
                .pollDelay(Duration.ZERO).pollInterval(poll)
                .failFast("the daemon exited; its log: " + log, () -> !daemon.isAlive())
                .until(() -> status(uri) == 200);
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Waits until {@code passes} more successful passes have run, and returns the count then. It first asks after
     * the time they take at the interval: each look at {@code /metrics} costs the daemon CPU, which would count in
     * the passes measured.
     */
    private static double afterPasses(URI base, double from, int passes, Process daemon) {
        return await(passes + " more passes").atMost(Duration.ofSeconds(30L * passes))
                .pollDelay(INTERVAL.multipliedBy(passes)).pollInterval(Duration.ofMillis(250))
                .failFast("the daemon exited", () -> !daemon.isAlive())
                .until(() -> metric(base, PASSES), count -> count >= from + passes);
    }

    /** GETs {@code uri} {@link #HTTP_RATE} times a second for {@link #HTTP_LOAD}, over a few kept-alive connections. */
    private static Latency latency(URI uri) throws InterruptedException, IOException {
        Latency seen = latency(uri, HTTP_LOAD);
        String route = "swarm_scaler_http_request_seconds{route=\"" + uri.getPath() + "\",quantile=";
        URI base = uri.resolve("/");
        return new Latency(seen.p50Ms(), seen.p99Ms(), seen.maxMs(), seen.failed(),
                metric(base, route + "\"0.5\"}") * 1000, metric(base, route + "\"0.99\"}") * 1000);
    }

    private static Latency latency(URI uri, Duration load) throws InterruptedException {
        int count = (int) (HTTP_RATE * load.toSeconds());
        long[] nanos = new long[count];
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(count);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
        long start = System.nanoTime() + 100_000_000L;
        for (int i = 0; i < count; i++) {
            long due = start + i * 1_000_000_000L / HTTP_RATE;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            int n = i;
            LOAD.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
                nanos[n] = System.nanoTime() - due;
                if (error != null || response.statusCode() != 200) {
                    failed.incrementAndGet();
                }
                done.countDown();
            });
        }
        done.await(30, java.util.concurrent.TimeUnit.SECONDS);
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return new Latency(sorted[count / 2] / 1e6, sorted[(int) (count * 0.99)] / 1e6, sorted[count - 1] / 1e6,
                failed.get(), Double.NaN, Double.NaN);
    }

    /**
     * Starts the daemon {@code bench.starts} times (default 5) and prints each start's figures and their medians: a
     * start's wall time moves with whatever else the machine runs, so one start tells little.
     */
    private static void starts(Path jar, EngineApiStub.Shape shape) throws Exception {
        int count = Integer.getInteger("bench.starts", 5);
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Result r = run(jar, shape, 0.5, false, true);
            results.add(r);
            System.out.printf("    start %d: /v1/ping %.2f s, ready %.2f s, %.2f CPU s until ready (JIT %.2f)%n", i + 1,
                    r.startToPingSeconds, r.startToReadySeconds, r.startCpuSeconds, r.startJitSeconds);
        }
        System.out.printf("    median of %d starts: /v1/ping %.2f s, ready %.2f s, %.2f CPU s until ready (JIT %.2f)%n",
                count, median(results, Result::startToPingSeconds), median(results, Result::startToReadySeconds),
                median(results, Result::startCpuSeconds), median(results, Result::startJitSeconds));
    }

    private static double median(List<Result> results, java.util.function.ToDoubleFunction<Result> figure) {
        double[] sorted = results.stream().mapToDouble(figure).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    static Result run(Path jar, EngineApiStub.Shape shape, double memoryRatio, boolean burst, boolean startOnly)
            throws Exception {
        Map<String, String> exporter = Map.of(
                "com.df.scaleWorkerNodeMin", "1", "com.df.scaleWorkerNodeMax", String.valueOf(shape.workers() + 10),
                "com.df.alertName.1", "node_mem_limit_total_above", "com.df.alertIf.1",
                "@node_mem_limit_total_above:0.8", "com.df.alertFor.1", "1s",
                "com.df.alertName.2", "node_mem_limit_total_below", "com.df.alertIf.2",
                "@node_mem_limit_total_below:0.05", "com.df.alertFor.2", "1s");
        try (EngineApiStub engine = new EngineApiStub(shape, exporter);
                LocalAutoScalingEndpoint aws = LocalAutoScalingEndpoint.start(LocalAutoScalingEndpoint.paperMachines());
                AutoCloseable prometheus = prometheus(memoryRatio)) {
            aws.addGroup("managers", 3, 7);
            aws.addGroup("workers", 0, shape.workers() + 10);
            for (int i = 0; i < shape.nodes(); i++) {
                aws.adoptInstance(i < 3 ? "managers" : "workers", "m" + i, shape.address(i));
            }
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Map<String, String> env = new HashMap<>(Map.of(
                    "NODE_SCALER_BACKEND", "aws", "AWS_WORKER_ASG", "workers", "AWS_MANAGER_ASG", "managers",
                    "AWS_DEFAULT_REGION", "us-east-1", "AWS_ENDPOINT_URL", aws.address().toString(),
                    "AWS_ACCESS_KEY_ID", "AKIABENCHMARK0000000", "AWS_SECRET_ACCESS_KEY", "benchmark",
                    "AWS_EC2_METADATA_DISABLED", "true", "DOCKER_HOST", engine.dockerHost()));
            env.putAll(Map.of("PROMETHEUS_ADDRESS", "http://127.0.0.1:" + ((Port) prometheus).port(),
                    "LISTEN_ADDRESS", "127.0.0.1", "LISTEN_PORT", String.valueOf(port),
                    "RECONCILE_INTERVAL", INTERVAL.toSeconds() + "s", "DRY_RUN", "true"));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // The image's options, from the module that built the jar (target/swarm-scaler.jar).
            command.add("@" + jar.toAbsolutePath().getParent().resolveSibling("src/main/jvm/jvm.options"));
            String archive = System.getProperty("bench.cdsArchive", "");
            if (!archive.isEmpty()) { // as in the image: scripts/cds-archive.sh made it for this jar
                command.add("-XX:SharedArchiveFile=" + archive);
            }
            String extra = System.getProperty("bench.jvmArgs", "").trim(); // e.g. a flight recording
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.addAll(List.of("-jar", jar.toString(), "run"));
            Path log = Files.createTempFile("scale-benchmark", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            // The harness's own HTTP client sets up before the clock starts, not in the first look at /v1/ping.
            status(URI.create("http://127.0.0.1:" + ((Port) prometheus).port() + "/-/ready"));
            long started = System.nanoTime();
            Process daemon = builder.start();
            try {
                URI base = URI.create("http://127.0.0.1:" + port);
                // /v1/ping every 10 ms (its goal is 1 s); until Jetty listens a look costs a refused connection.
                // /readyz every 50 ms: at 10 ms, answering the looks cost the starting daemon 0.35 CPU s at 1,000
                // workers and the harness as much, on the same 2 cores.
                double ping = secondsUntilOk(base.resolve("/v1/ping"), Duration.ofMillis(10), daemon, started, log);
                double ready = secondsUntilOk(base.resolve("/readyz"), Duration.ofMillis(50), daemon, started, log);
                // What the start cost in CPU, apart from the wall time, which other processes on the machine inflate.
                Map<String, Long> startCpu = cpuMillisByThread(daemon.pid());
                if (startOnly) {
                    return new Result(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, peakRssMb(daemon.pid()), ping, ready, startCpu.get("total") / 1000.0,
                            startCpu.getOrDefault("jit", 0L) / 1000.0, -1, null, null, 0);
                }
                double cycles0 = afterPasses(base, metric(base, PASSES), WARM_UP_PASSES, daemon);
                Map<String, Long> cpu0 = cpuMillisByThread(daemon.pid());
                double passes = afterPasses(base, cycles0, MEASURED_PASSES, daemon) - cycles0;
                Map<String, Long> cpu = cpuMillisByThread(daemon.pid());
                cpu.replaceAll((kind, ms) -> ms - cpu0.getOrDefault(kind, 0L));
                double cpuPerPass = cpu.get("total") / Math.max(1, passes);
                double loopPerPass = cpu.getOrDefault("loop", 0L) / Math.max(1, passes);
                double jitGcPerPass = (cpu.getOrDefault("jit", 0L) + cpu.getOrDefault("gc", 0L)) / Math.max(1, passes);
                double p50 = metric(base, "swarm_scaler_reconcile_cycle{quantile=\"0.5\"}") * 1000;
                double p99 = metric(base, "swarm_scaler_reconcile_cycle{quantile=\"0.99\"}") * 1000;
                double tasks = metricContaining(base, "tasks", "quantile=\"0.5\"") * 1000;
                int burstPasses = -1;
                if (burst) {
                    double before = metric(base, PASSES);
                    emitEvents(engine, 200, Duration.ofMillis(100));
                    // the pass that answers the last event
                    burstPasses = (int) (afterPasses(base, metric(base, PASSES), 1, daemon) - before);
                }
                // The series appears with the first failure.
                double failures = metric(base, "swarm_scaler_reconcile_cycles_total{outcome=\"failure\"}");
                double failed = Double.isNaN(failures) ? 0 : failures;
                if (failed > 0) {
                    System.out.printf("    %.0f passes failed; the daemon's log: %s%n", failed,
                            Files.readString(log).lines().filter(l -> l.contains("failed")).findFirst().orElse(""));
                }
                Latency pingLatency = null;
                Latency statusLatency = null;
                if (burst) {
                    // 2 s of each first, unmeasured: the routes' code compiled, as in a daemon that has run a while.
                    latency(base.resolve("/v1/ping"), Duration.ofSeconds(2));
                    latency(base.resolve("/status"), Duration.ofSeconds(2));
                    pingLatency = latency(base.resolve("/v1/ping"));
                    statusLatency = latency(base.resolve("/status"));
                }
                double heap = heapAfterGcMb(daemon.pid());
                double rss = peakRssMb(daemon.pid());
                return new Result(p50, p99, cpuPerPass, loopPerPass, jitGcPerPass, tasks, heap, rss, ping, ready,
                        startCpu.get("total") / 1000.0, startCpu.getOrDefault("jit", 0L) / 1000.0, burstPasses, pingLatency, statusLatency, failed);
            } finally {
                daemon.destroy();
                daemon.waitFor();
                if (Boolean.getBoolean("bench.keepLog")) {
                    System.out.println("    the daemon's log: " + log);
                } else {
                    Files.deleteIfExists(log);
                }
            }
        }
    }

    /** Sends {@code count} node events, one every {@code spacing}, and returns after the last. */
    private static void emitEvents(EngineApiStub engine, int count, Duration spacing) throws InterruptedException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch sent = new CountDownLatch(count);
        try {
            timer.scheduleAtFixedRate(() -> {
                if (sent.getCount() > 0) {
                    engine.emitNodeEvent();
                    sent.countDown();
                }
            }, 0, spacing.toMillis(), TimeUnit.MILLISECONDS);
            sent.await();
        } finally {
            timer.shutdownNow();
        }
    }

    interface Port {
        int port();
    }

    /** Answers every instant query with one sample of {@code value}. */
    private static AutoCloseable prometheus(double value) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                byte[] body = (path.endsWith("/api/v1/query")
                        ? "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                                + "\"value\":[%d,\"%s\"]}]}}".formatted(System.currentTimeMillis() / 1000, value)
                        : "Prometheus Server is Ready.").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        record Stub(HttpServer server) implements AutoCloseable, Port {
            public int port() {
                return server.getAddress().getPort();
            }

            public void close() {
                server.stop(0);
            }
        }
        return new Stub(server);
    }

    private static int status(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String metrics(URI base) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double metric(URI base, String series) throws IOException, InterruptedException {
        for (String line : metrics(base).replace(",}", "}").split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    private static double metricContaining(URI base, String a, String b) throws IOException, InterruptedException {
        for (String line : metrics(base).replace(",}", "}").split("\n")) {
            if (!line.startsWith("#") && line.contains("docker") && line.contains(a) && line.contains(b)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /**
     * CPU time of the daemon so far: in all ({@code total}) and of its threads by kind: the reconcile thread
     * ({@code loop}), the JIT compilers ({@code jit}) and the collector ({@code gc}; the serial collector runs in the
     * VM thread).
     */
    private static Map<String, Long> cpuMillisByThread(long pid) throws IOException {
        Map<String, Long> byKind = new HashMap<>();
        byKind.put("total", cpuMillis(Path.of("/proc/" + pid + "/stat")).getValue());
        try (var threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path thread : threads.toList()) {
                try {
                    Map.Entry<String, Long> cpu = cpuMillis(thread.resolve("stat"));
                    String name = cpu.getKey();
                    String kind = name.equals("reconcile-loop") ? "loop" : name.contains("CompilerThre") ? "jit"
                            : name.equals("VM Thread") || name.startsWith("GC ") ? "gc" : "other";
                    byKind.merge(kind, cpu.getValue(), Long::sum);
                } catch (IOException ended) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return byKind;
    }

    /** The name and CPU time (user and system) of a process or thread, from its {@code stat} file. */
    private static Map.Entry<String, Long> cpuMillis(Path stat) throws IOException {
        String text = Files.readString(stat);
        String name = text.substring(text.indexOf('(') + 1, text.lastIndexOf(')'));
        String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        return Map.entry(name, ticks * 10); // USER_HZ is 100 on Linux
    }

    private static double peakRssMb(long pid) throws IOException {
        Matcher m = Pattern.compile("VmHWM:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }

    /** Heap in use right after a full collection: the live set. */
    private static double heapAfterGcMb(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(pid), "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
        String text = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        info.waitFor();
        long usedKb = 0;
        Matcher m = Pattern.compile("(?:generation|space)\\s+total \\d+K, used (\\d+)K").matcher(text);
        while (m.find()) {
            usedKb += Long.parseLong(m.group(1));
        }
        return usedKb / 1024.0;
    }
}
