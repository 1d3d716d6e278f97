package io.swarmscaler.controller.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** A real Prometheus (Debian's package) on a loopback port, scraping the jobs it is given. */
public final class PrometheusProcess implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PrometheusProcess.class.getName());
    private static final String BINARY = "/usr/bin/prometheus";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** One scrape job; the job name is what shortcut queries select on ({@code job="..."}). */
    public record ScrapeJob(String jobName, String target, String metricsPath) {}

    private final Path dir;
    private final int port;
    private Process process;

    private PrometheusProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static PrometheusProcess start(Path dir, int port, List<ScrapeJob> jobs, Duration scrapeInterval) {
        return start(dir, port, jobs, scrapeInterval, "");
    }

    /**
     * @param extraConfig YAML appended to the configuration, e.g. {@code rule_files} and {@code alerting}
     *     sections
     */
    public static PrometheusProcess start(Path dir, int port, List<ScrapeJob> jobs, Duration scrapeInterval,
            String extraConfig) {
        LocalCluster.createDirectories(dir);
        StringBuilder config = new StringBuilder()
                .append("global:\n")
                .append("  scrape_interval: ").append(scrapeInterval.toMillis()).append("ms\n")
                .append("  evaluation_interval: ").append(scrapeInterval.toMillis()).append("ms\n")
                .append("scrape_configs:\n");
        for (ScrapeJob job : jobs) {
            config.append("  - job_name: '").append(job.jobName()).append("'\n")
                    .append("    honor_labels: true\n")
                    .append("    metrics_path: '").append(job.metricsPath()).append("'\n")
                    .append("    static_configs:\n")
                    .append("      - targets: ['").append(job.target()).append("']\n");
        }
        config.append(extraConfig);
        try {
            Files.writeString(dir.resolve("prometheus.yml"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A fresh store each run: samples of an earlier run's nodes would count in the ratios for minutes.
        LocalCluster.deleteTree(dir.resolve("data"));
        PrometheusProcess prometheus = new PrometheusProcess(dir, port);
        prometheus.restart();
        return prometheus;
    }

    public URI address() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The running server's process, for a test that makes it hang. */
    public synchronized long pid() {
        if (process == null) {
            throw new LocalClusterException("Prometheus is not running", null);
        }
        return process.pid();
    }

    /** Starts the server (again, after {@link #stop()}) and waits until it is ready. */
    public synchronized void restart() {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new LocalClusterException(BINARY + " is missing: install Debian's prometheus package", null);
        }
        stop();
        // A Prometheus that a killed run left on this directory holds its lock and maybe the port.
        String config = dir.resolve("prometheus.yml").toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(config)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        ProcessBuilder builder = new ProcessBuilder(BINARY,
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("prometheus.log").toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new LocalClusterException("cannot start Prometheus: " + e.getMessage(), e);
        }
        waitUntilReady();
        LOG.info("Prometheus is up at " + address());
    }

    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private void waitUntilReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new LocalClusterException("Prometheus exited with %d at start (see %s)".formatted(
                        process.exitValue(), dir.resolve("prometheus.log")), null);
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(address().resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalClusterException("interrupted while waiting for Prometheus", e);
            }
            LocalCluster.sleep(Duration.ofMillis(200));
        }
        throw new LocalClusterException("Prometheus did not become ready on port %d within %ds (see %s)".formatted(
                port, START_TIMEOUT.toSeconds(), dir.resolve("prometheus.log")), null);
    }
}
