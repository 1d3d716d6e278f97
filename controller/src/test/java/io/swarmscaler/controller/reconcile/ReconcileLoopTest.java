package io.swarmscaler.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop's promises: triggers coalesce, failures are retried with growing backoff, nothing stops it. */
class ReconcileLoopTest {
    /** Longer than any test: a pass that runs was triggered or retried, never timed. */
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(200);

    /** How each pass ended: null for success, else what it threw. */
    private final List<Throwable> ended = new CopyOnWriteArrayList<>();
    /** When each pass started, in nanoseconds. */
    private final List<Long> started = new CopyOnWriteArrayList<>();
    private ReconcileLoop loop;

    private ReconcileLoop start(Runnable pass) {
        loop = new ReconcileLoop(() -> {
            started.add(System.nanoTime());
            pass.run();
        }, NEVER, FIRST_BACKOFF, MAX_BACKOFF, (nanos, failure) -> ended.add(failure)).start();
        return loop;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.close();
        }
    }

    @Test
    void aPassThatNamesADeadlineRunsAgainThenNotAtTheInterval() {
        loop = new ReconcileLoop(() -> {
            started.add(System.nanoTime());
            // The first pass's timer ends in 300 ms; later passes have none.
            return started.size() == 1 ? Optional.of(Duration.ofMillis(300)) : Optional.empty();
        }, NEVER, FIRST_BACKOFF, MAX_BACKOFF, (nanos, failure) -> ended.add(failure)).start();

        await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 2);

        long gapMillis = TimeUnit.NANOSECONDS.toMillis(started.get(1) - started.get(0));
        assertThat(gapMillis).as("woken by the deadline, not the hour-long interval").isBetween(300L, 5_000L);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> started.size() == 2);
    }

    @Test
    void triggersDuringAPassCoalesceIntoOneMorePass() throws InterruptedException {
        CountDownLatch firstPassMayEnd = new CountDownLatch(1);
        AtomicBoolean probeSent = new AtomicBoolean();
        List<Boolean> sawProbe = new CopyOnWriteArrayList<>();
        start(() -> {
            sawProbe.add(probeSent.get());
            if (sawProbe.size() == 1) {
                await().atMost(Duration.ofSeconds(10)).until(() -> firstPassMayEnd.getCount() == 0);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> sawProbe.size() == 1);
        for (int i = 0; i < 10; i++) {
            loop.trigger();
        }
        firstPassMayEnd.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.size() >= 2);

        // A probe trigger proves the loop is idle again: the pass it causes is the next one, the third.
        probeSent.set(true);
        loop.trigger();
        await().atMost(Duration.ofSeconds(10)).until(() -> sawProbe.contains(true));

        assertThat(sawProbe).containsExactly(false, false, true);
    }

    @Test
    void aFailingPassIsRetriedWithGrowingBackoffWithoutATrigger() {
        AtomicInteger calls = new AtomicInteger();
        start(() -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("Docker is unreachable");
            }
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> ended.size() == 4);

        assertThat(ended).extracting(f -> f == null ? "success" : f.getMessage())
                .containsExactly("Docker is unreachable", "Docker is unreachable", "Docker is unreachable", "success");
        assertThat(gapMillis(0)).as("first retry after the first backoff").isGreaterThanOrEqualTo(100);
        assertThat(gapMillis(1)).as("then doubled").isGreaterThanOrEqualTo(200);
        assertThat(gapMillis(2)).as("then capped at the maximum").isGreaterThanOrEqualTo(200).isLessThan(
                NEVER.toMillis());
    }

    @Test
    void theLoopKeepsRunningAfterAPassThrowsAnError() {
        AtomicInteger calls = new AtomicInteger();
        start(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new NoClassDefFoundError("a linkage error in a pass");
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.size() == 2);
        assertThat(ended.get(0)).isInstanceOf(NoClassDefFoundError.class);
        assertThat(ended.get(1)).isNull();

        loop.trigger();

        await().atMost(Duration.ofSeconds(10)).until(() -> ended.size() == 3);
        assertThat(ended.get(2)).isNull();
    }

    private long gapMillis(int index) {
        return TimeUnit.NANOSECONDS.toMillis(started.get(index + 1) - started.get(index));
    }
}
