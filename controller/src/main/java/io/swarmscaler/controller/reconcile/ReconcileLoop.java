package io.swarmscaler.controller.reconcile;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Runs a reconcile pass on a timer and whenever triggered (Docker events, start-up). Triggers only mark the
 * world as worth another look, so any number of them while a pass runs collapse into one more pass. Triggers are
 * batched too: a triggered pass waits {@link #BATCH_WINDOW} for the rest of a burst, and starts no sooner than
 * {@link #MIN_SPACING} after the previous pass ended, so a burst of events costs at most one pass a second (and
 * never more than half the time, however long passes take) while a lone event (a node becoming Ready) is acted on
 * within a second. A pass may ask to run again sooner than the interval, when a timer of the planner ends
 * (controller-runtime's {@code RequeueAfter}). A pass that fails is logged with its cause and retried with
 * exponential backoff; nothing a pass throws stops the loop.
 */
public final class ReconcileLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class.getName());

    /** Told how each pass ended, for health and metrics. */
    @FunctionalInterface
    public interface Outcomes {
        /** @param failure what the pass threw, or null when it succeeded */
        void passEnded(long nanos, Throwable failure);
    }

    /** How long a triggered pass waits for more triggers: a burst (a stack deploy, nodes joining) is one pass. */
    public static final Duration BATCH_WINDOW = Duration.ofMillis(250);
    /** The least time from the end of a pass to the start of a triggered one. */
    public static final Duration MIN_SPACING = Duration.ofSeconds(1);
    /** A pass woken by a deadline runs this much after it, so that the timer has surely ended. */
    static final Duration PAST_DEADLINE = Duration.ofMillis(20);

    /** One pass; it may say how soon the next one is due, if sooner than the interval. */
    @FunctionalInterface
    public interface Pass {
        Optional<Duration> run();
    }

    private final Pass pass;
    private final Outcomes outcomes;
    private final Duration interval;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread thread;
    private final long batchWindowNanos;
    private final long minSpacingNanos;
    private boolean dirty = true; // the first pass runs at once
    private long firstTriggerNanos;
    private boolean batching;
    private long lastPassEndNanos;
    private boolean closed;

    public ReconcileLoop(Pass pass, Duration interval, Duration firstBackoff, Duration maxBackoff,
            Outcomes outcomes) {
        this(pass, interval, firstBackoff, maxBackoff, BATCH_WINDOW, MIN_SPACING, outcomes);
    }

    /** A loop whose passes never ask to run sooner than the interval. */
    public ReconcileLoop(Runnable pass, Duration interval, Duration firstBackoff, Duration maxBackoff,
            Outcomes outcomes) {
        this(() -> {
            pass.run();
            return Optional.empty();
        }, interval, firstBackoff, maxBackoff, BATCH_WINDOW, MIN_SPACING, outcomes);
    }

    public ReconcileLoop(Pass pass, Duration interval, Duration firstBackoff, Duration maxBackoff,
            Duration batchWindow, Duration minSpacing, Outcomes outcomes) {
        this.batchWindowNanos = batchWindow.toNanos();
        this.minSpacingNanos = minSpacing.toNanos();
        this.lastPassEndNanos = System.nanoTime() - minSpacingNanos;
        this.pass = pass;
        this.outcomes = outcomes;
        this.interval = interval;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::run, "reconcile-loop");
    }

    public ReconcileLoop start() {
        thread.start();
        return this;
    }

    /** Asks for a pass as soon as the current one (if any) ends. */
    public void trigger() {
        lock.lock();
        try {
            if (!dirty) {
                firstTriggerNanos = System.nanoTime();
                batching = true;
            }
            dirty = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Duration backoff = Duration.ZERO;
        Duration next = interval;
        String lastFailure = null;
        while (awaitWork(backoff.isZero() ? next : backoff)) {
            long started = System.nanoTime();
            try {
                next = pass.run().map(due -> min(max(due, Duration.ZERO).plus(PAST_DEADLINE), interval))
                        .orElse(interval);
                outcomes.passEnded(System.nanoTime() - started, null);
                if (lastFailure != null) {
                    LOG.info("Reconcile pass succeeded again after: " + lastFailure);
                }
                backoff = Duration.ZERO;
                lastFailure = null;
            } catch (RuntimeException | Error e) {
                outcomes.passEnded(System.nanoTime() - started, e);
                backoff = backoff.isZero() ? firstBackoff : min(backoff.multipliedBy(2), maxBackoff);
                lastFailure = e.getMessage();
                LOG.warning("Reconcile pass failed, retrying in %ss: %s".formatted(
                        backoff.toMillis() / 1000.0, e.getMessage() == null ? e.toString() : e.getMessage()));
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
            } finally {
                lastPassEndNanos = System.nanoTime(); // read only by this thread, in awaitWork
            }
        }
    }

    /** Waits until triggered or {@code timeout} passes; false once closed. */
    private boolean awaitWork(Duration timeout) {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (!dirty && !closed && nanos > 0) {
                nanos = wake.awaitNanos(nanos);
            }
            if (dirty && batching) {
                long until = Math.max(firstTriggerNanos + batchWindowNanos, lastPassEndNanos + minSpacingNanos);
                for (long left = until - System.nanoTime(); left > 0 && !closed; left = until - System.nanoTime()) {
                    wake.awaitNanos(left);
                }
            }
            dirty = false;
            batching = false;
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public void close() throws InterruptedException {
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
