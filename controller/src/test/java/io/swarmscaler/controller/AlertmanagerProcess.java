package io.swarmscaler.controller;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real Alertmanager (Debian's prometheus-alertmanager) on a loopback port, clustering off, for tests. */
final class AlertmanagerProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private AlertmanagerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static AlertmanagerProcess start(Path dir, String configYaml) throws Exception {
        Files.createDirectories(dir);
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, configYaml);
        // One left by a killed run on this directory would hold its storage.
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(config.toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        int port = TestLab.freePort();
        Process process = new ProcessBuilder("/usr/bin/prometheus-alertmanager",
                "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("alertmanager.log").toFile())
                .start();
        AlertmanagerProcess alertmanager = new AlertmanagerProcess(process, port);
        alertmanager.awaitReady(dir);
        return alertmanager;
    }

    URI address() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private void awaitReady(Path dir) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .alias("Alertmanager ready on port " + port).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Alertmanager exited at start: " + Files.readString(
                                dir.resolve("alertmanager.log")));
                    }
                    try {
                        return http.send(HttpRequest.newBuilder(address().resolve("/-/ready")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException starting) {
                        return false;
                    }
                });
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
