package io.swarmscaler.controller.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the host tools (ip, iptables, docker) that build the local cluster; failures name the command. */
final class Shell {
    private static final long TIMEOUT_SECONDS = 60;

    private Shell() {}

    static String run(String... command) {
        return run(null, List.of(command));
    }

    /** Runs {@code command}, feeding it {@code input} on standard input when not null; returns standard output. */
    static String run(Path input, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        if (input != null) {
            builder.redirectInput(input.toFile());
        }
        try {
            Process process = builder.start();
            // Read both streams fully; the outputs here are small.
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new LocalClusterException("`%s` did not finish within %ds".formatted(
                        String.join(" ", command), TIMEOUT_SECONDS), null);
            }
            if (process.exitValue() != 0) {
                throw new LocalClusterException("`%s` failed (exit %d): %s".formatted(String.join(" ", command),
                        process.exitValue(), new String(err, StandardCharsets.UTF_8).trim()), null);
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new LocalClusterException("cannot run `%s`: %s".formatted(String.join(" ", command),
                    e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalClusterException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Like {@link #run(String...)} but a failure is only reported as false: for idempotent clean-up steps. */
    static boolean attempt(String... command) {
        try {
            run(command);
            return true;
        } catch (LocalClusterException ignored) {
            return false;
        }
    }

    static List<String> lines(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.trim());
            }
        }
        return lines;
    }
}
