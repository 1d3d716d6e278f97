package io.swarmscaler.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The smallest size of {@code scripts/benchmark.sh scale}, as a smoke run: the harness still starts the real
 * daemon jar against the generated Engine API and reads its figures. The figures are printed, not judged: goals
 * are for the full benchmark on a quiet machine.
 */
class ScaleBenchmarkIT {
    static {
        // Before ScaleBenchmark is loaded: its knobs are read once.
        System.setProperty("bench.warmupPasses", "2");
        System.setProperty("bench.passesMeasured", "3");
        System.setProperty("bench.httpSeconds", "2");
    }

    private static final Path JAR = Path.of("target", "swarm-scaler.jar");

    @Test
    void theBenchmarkRunsTheDaemonAndReadsEveryFigure() throws Exception {
        var shape = new EngineApiStub.Shape(10, 20, 10, 1);

        ScaleBenchmark.Result steady = ScaleBenchmark.run(JAR, shape, 0.5, true, false);
        ScaleBenchmark.Result scaleDown = ScaleBenchmark.run(JAR, shape, 0.01, false, false);

        System.out.println("MEASURED benchmark smoke (10 workers, noisy CI machine): steady " + steady);
        System.out.println("MEASURED benchmark smoke (10 workers, noisy CI machine): scale-down " + scaleDown);
        for (ScaleBenchmark.Result r : new ScaleBenchmark.Result[] {steady, scaleDown}) {
            assertThat(r.failedPasses()).as("passes that failed").isZero();
            assertThat(r.cpuMsPerPass()).isPositive();
            assertThat(r.peakRssMb()).isPositive();
            assertThat(r.startToPingSeconds()).isPositive().isLessThanOrEqualTo(r.startToReadySeconds());
        }
        assertThat(steady.tasksMs()).as("a steady pass lists no task").isNaN();
        assertThat(scaleDown.tasksMs()).as("a scale-down pass lists the tasks").isPositive();
        assertThat(steady.burstPasses()).as("passes made by 200 node events").isBetween(1, 200);
        assertThat(steady.ping().serverP99Ms()).as("the daemon's own p99 of /v1/ping").isPositive();
        assertThat(steady.status().serverP99Ms()).as("the daemon's own p99 of /status").isPositive();
    }
}
