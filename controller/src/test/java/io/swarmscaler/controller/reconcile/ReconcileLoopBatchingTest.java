package io.swarmscaler.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReconcileLoopBatchingTest {
    private static final Duration NO_TIMER = Duration.ofHours(1);

    private final List<Long> passStarts = new CopyOnWriteArrayList<>();

    private ReconcileLoop loop() {
        return new ReconcileLoop(() -> passStarts.add(System.nanoTime()), NO_TIMER, Duration.ofSeconds(1),
                Duration.ofSeconds(1), (nanos, failure) -> { }).start();
    }

    @Test
    void aBurstOfTriggersCostsAtMostOnePassASecond() throws Exception {
        try (ReconcileLoop loop = loop()) {
            await().until(() -> passStarts.size() == 1); // the start-up pass
            long burstStart = System.nanoTime();
            // 30 events over 3 s, as nodes joining one after another would send
            AtomicInteger sent = new AtomicInteger();
            AtomicLong lastTrigger = new AtomicLong();
            ScheduledExecutorService events = Executors.newSingleThreadScheduledExecutor();
            try {
                events.scheduleAtFixedRate(() -> {
                    if (sent.get() < 30) {
                        lastTrigger.set(System.nanoTime());
                        loop.trigger();
                        sent.incrementAndGet();
                    }
                }, 0, 100, TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() == 30);
            } finally {
                events.shutdownNow();
            }
            // When the last trigger was sent, not when the wait saw it: on a loaded machine that can be after the
            // pass answering it began.
            long burstEnd = lastTrigger.get();
            // the last trigger is still answered: one more pass after the burst, then quiet
            await().atMost(Duration.ofSeconds(3)).until(() -> passStarts.get(passStarts.size() - 1) > burstEnd);
            int passes = passStarts.size() - 1;
            // At most a pass a second while it lasts (3 s, longer on a loaded machine), and the one after it.
            int atMost = (int) ((burstEnd - burstStart) / ReconcileLoop.MIN_SPACING.toNanos()) + 2;
            assertThat(passes).as("passes for 30 triggers in %d ms", (burstEnd - burstStart) / 1_000_000)
                    .isBetween(2, atMost);
            for (int i = 2; i < passStarts.size(); i++) {
                assertThat(passStarts.get(i) - passStarts.get(i - 1)).isGreaterThanOrEqualTo(
                        ReconcileLoop.MIN_SPACING.toNanos());
            }
        }
    }

    @Test
    void aLoneTriggerIsActedOnWithinASecond() throws Exception {
        try (ReconcileLoop loop = loop()) {
            await().until(() -> passStarts.size() == 1);
            // once the start-up pass is a second old, no spacing is due
            await().until(() -> System.nanoTime() - passStarts.get(0) >= ReconcileLoop.MIN_SPACING.toNanos());
            long triggered = System.nanoTime();
            loop.trigger();
            await().atMost(Duration.ofSeconds(1)).until(() -> passStarts.size() == 2);
            assertThat(passStarts.get(1) - triggered).isGreaterThanOrEqualTo(ReconcileLoop.BATCH_WINDOW.toNanos())
                    .isLessThan(Duration.ofSeconds(1).toNanos());
        }
    }
}
