package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.controller.config.ScalerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * config/swarm-scaler.env is the one place that documents the configuration, and the source of {@code run
 * --help}: every variable the daemon reads must be in it, and nothing that it no longer reads.
 */
class ConfigurationDocumentedTest {

    /** The environment as a map that remembers which names the configuration asked for. */
    private static final class RecordingEnvironment extends HashMap<String, String> {
        final Set<String> asked = new TreeSet<>();

        RecordingEnvironment(Map<String, String> values) {
            super(values);
        }

        @Override
        public String get(Object key) {
            asked.add((String) key);
            return super.get(key);
        }

        @Override
        public String getOrDefault(Object key, String fallback) {
            asked.add((String) key);
            return super.getOrDefault(key, fallback);
        }

        @Override
        public boolean containsKey(Object key) {
            asked.add((String) key);
            return super.containsKey(key);
        }
    }

    private static Set<String> readByTheDaemon() {
        Set<String> read = new TreeSet<>();
        for (Map<String, String> env : java.util.List.<Map<String, String>>of(
                Map.of(),
                Map.of("NODE_SCALER_BACKEND", "aws", "AWS_WORKER_ASG", "w", "PROMETHEUS_ADDRESS", "http://p:9090"))) {
            RecordingEnvironment recording = new RecordingEnvironment(env);
            ScalerConfig.fromEnvironment(recording);
            read.addAll(recording.asked);
        }
        return read;
    }

    private static Set<String> documented() {
        return EnvironmentHelp.variables().stream().map(EnvironmentHelp.Variable::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyVariableTheDaemonReadsIsDocumented() {
        Set<String> undocumented = new TreeSet<>(readByTheDaemon());
        undocumented.removeAll(documented());
        // The old tool's name, read only as a fallback for NODE_PROVISION_TIMEOUT; documented in its comment.
        undocumented.remove("RESCHEDULE_TIMEOUT");
        assertThat(undocumented).as("variables missing from config/swarm-scaler.env").isEmpty();
    }

    @Test
    void everyDocumentedVariableIsRead() {
        Set<String> stale = new TreeSet<>(documented());
        stale.removeAll(readByTheDaemon());
        // Read by the status command, not by the daemon.
        stale.remove("SCALER_URL");
        assertThat(stale).as("documented but never read").isEmpty();
    }

    @Test
    void runHelpListsEveryVariableWithItsDefault() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        int code = cli.execute("run", "--help");
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(help).contains("--dry-run", "--log-format", "DRY_RUN (default false)",
                "NODE_SCALER_BACKEND (default local)", "PROMETHEUS_ADDRESS (not set by default; e.g.");
        for (String name : documented()) {
            assertThat(help).contains("  " + name + " (");
        }
    }

    @Test
    void aVariableIsDescribedByTheCommentAboveItOrItsGroups() {
        Map<String, String> described = EnvironmentHelp.variables().stream()
                .collect(Collectors.toMap(EnvironmentHelp.Variable::name, EnvironmentHelp.Variable::description));
        assertThat(described.get("REPLICA_ID")).startsWith("This replica's name in the lease")
                .doesNotContain("Swarm service");
        assertThat(described.get("DEFAULT_MAX_WORKER_NODES")).isEqualTo(described.get("DEFAULT_MIN_WORKER_NODES"));
    }
}
