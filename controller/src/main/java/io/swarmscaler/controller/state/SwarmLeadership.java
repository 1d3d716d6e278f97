package io.swarmscaler.controller.state;

import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.model.ScalerMemory;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Leader election and the scaler's memory in one {@link StateStore} object, the way Kubernetes' leader election
 * does it with a Lease: the holder renews every retry period; a replica that could not renew for the renew deadline
 * stops acting; the others take over only once the lease has not changed for its whole duration, measured on their
 * own monotonic clock from when they saw it change (so no clock needs to agree with another). With the renew
 * deadline shorter than the lease, a leader stops before anyone may start.
 *
 * <p>The memory is stored with every write, so a new leader starts from its predecessor's memory. Every write is
 * a compare-and-swap on the object's version, and {@link #fence()} writes once more right before each action: a
 * replica that slept through a takeover finds the version moved and does nothing.
 */
public final class SwarmLeadership implements ScalerState, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SwarmLeadership.class.getName());
    static final String MEMORY = "io.swarmscaler.memory";
    static final String HOLDER = "io.swarmscaler.lease.holder";
    static final String RENEWED = "io.swarmscaler.lease.renewed";
    static final String DURATION = "io.swarmscaler.lease.duration-ms";
    private static final String EMPTY = MemoryCodec.encode(ScalerMemory.empty());

    /** Kubernetes' defaults are 15 s, 10 s and 2 s. */
    public record Settings(String identity, Duration lease, Duration renewDeadline, Duration retryPeriod) {}

    /** What {@code /status} shows about the lease. */
    public record View(String identity, boolean leading, String leader, String renewedAt, Double leaseAgeSeconds,
            long leaseSeconds) {}

    private final StateStore store;
    private final Settings settings;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final ScalerMetrics stats;
    private final Runnable onLeadershipChange;
    private Thread renewer;
    private volatile boolean closed;

    // Guarded by this.
    private StateStore.Versioned last;
    private String observedLease = "";
    private long observedAt;
    private boolean leading;
    private long renewStartedAt;
    private ScalerMemory memory = ScalerMemory.empty();
    private String savedMemory = EMPTY;

    public SwarmLeadership(StateStore store, Settings settings, Clock clock, LongSupplier nanoTime,
            ScalerMetrics stats, Runnable onLeadershipChange) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.stats = stats;
        this.onLeadershipChange = onLeadershipChange;
        stats.leader(false);
    }

    /** Tries to lead, then renews or watches the lease every retry period until closed. */
    public SwarmLeadership start() {
        renewer = new Thread(() -> {
            while (!closed) {
                tick();
                try {
                    Thread.sleep(settings.retryPeriod().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "lease");
        renewer.setDaemon(true);
        renewer.start();
        return this;
    }

    /** One round of the election: read the lease; take it when it is ours or expired; give up past the deadline. */
    public synchronized void tick() {
        long started = nanoTime.getAsLong();
        try {
            StateStore.Versioned now = store.read();
            observe(now, started);
            String holder = now.labels().getOrDefault(HOLDER, "");
            boolean expired = holder.isEmpty() || started - observedAt >= leaseOf(now).toNanos();
            if (holder.equals(settings.identity()) || expired) {
                boolean wasLeading = leadingAt(started);
                write(now, started, memoryLabel(now), "renew");
                if (!wasLeading) {
                    memory = decodeOrEmpty(last.labels().get(MEMORY));
                    savedMemory = MemoryCodec.encode(memory);
                    becomeLeader(holder);
                }
            } else if (leading) {
                lose("%s holds the lease now".formatted(holder));
            } else {
                memory = decodeOrEmpty(now.labels().get(MEMORY));
            }
        } catch (StateStore.StaleVersionException e) {
            stats.stateWriteConflict();
            LOG.fine("Lease write lost a race: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warning("Cannot reach the scaler's state: " + e.getMessage());
        }
        if (leading && !leadingAt(nanoTime.getAsLong())) {
            lose("could not renew the lease within %ss".formatted(settings.renewDeadline().toSeconds()));
        }
    }

    @Override
    public synchronized Term current() {
        boolean now = leadingAt(nanoTime.getAsLong());
        String holder = last == null ? "" : last.labels().getOrDefault(HOLDER, "");
        return new Term(now, holder, memory);
    }

    @Override
    public synchronized void save(ScalerMemory memory) {
        String encoded = MemoryCodec.encode(memory);
        if (encoded.equals(savedMemory) && leadingAt(nanoTime.getAsLong())) {
            this.memory = memory;
            return;
        }
        writeAsLeader(encoded, "memory");
        this.memory = memory;
        savedMemory = encoded;
    }

    @Override
    public synchronized void fence() {
        writeAsLeader(savedMemory, "fence");
    }

    public synchronized View view() {
        long now = nanoTime.getAsLong();
        Map<String, String> labels = last == null ? Map.of() : last.labels();
        String holder = labels.getOrDefault(HOLDER, "");
        return new View(settings.identity(), leadingAt(now), holder, labels.get(RENEWED),
                last == null || holder.isEmpty() ? null : Math.round((now - observedAt) / 1e8) / 10.0,
                settings.lease().toSeconds());
    }

    private void writeAsLeader(String memoryLabel, String kind) {
        long started = nanoTime.getAsLong();
        if (!leadingAt(started)) {
            throw new NotLeadingException(settings.identity() + " does not hold the lease");
        }
        try {
            write(last, started, memoryLabel, kind);
        } catch (StateStore.StaleVersionException e) {
            stats.stateWriteConflict();
            lose("the lease changed under us (" + e.getMessage() + ")");
            throw new NotLeadingException(settings.identity() + " lost the lease: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new NotLeadingException(settings.identity() + " cannot confirm its lease: " + e.getMessage());
        }
    }

    private void write(StateStore.Versioned from, long started, String memoryLabel, String kind) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(HOLDER, settings.identity());
        labels.put(RENEWED, clock.instant().toString());
        labels.put(DURATION, Long.toString(settings.lease().toMillis()));
        labels.put(MEMORY, memoryLabel);
        long version = store.write(from.version(), labels);
        stats.stateWrite(kind);
        last = new StateStore.Versioned(version, labels);
        observedLease = labels.get(HOLDER) + "@" + labels.get(RENEWED);
        observedAt = started;
        renewStartedAt = started;
    }

    private void observe(StateStore.Versioned now, long at) {
        last = now;
        String lease = now.labels().getOrDefault(HOLDER, "") + "@" + now.labels().getOrDefault(RENEWED, "");
        if (!lease.equals(observedLease)) {
            observedLease = lease;
            observedAt = at;
        }
    }

    private boolean leadingAt(long nanos) {
        return leading && nanos - renewStartedAt < settings.renewDeadline().toNanos();
    }

    private void becomeLeader(String previous) {
        leading = true;
        stats.leader(true);
        stats.leaseTransition();
        LOG.info("%s leads now (lease %ss, previous holder %s)".formatted(settings.identity(),
                settings.lease().toSeconds(), previous.isEmpty() ? "none" : previous));
        onLeadershipChange.run();
    }

    private void lose(String why) {
        leading = false;
        stats.leader(false);
        LOG.warning("%s stops acting: %s".formatted(settings.identity(), why));
        onLeadershipChange.run();
    }

    /** A missing memory (a new object) is an empty one, not whatever this replica remembers of an older term. */
    private static String memoryLabel(StateStore.Versioned now) {
        return now.labels().getOrDefault(MEMORY, EMPTY);
    }

    private Duration leaseOf(StateStore.Versioned now) {
        try {
            return Duration.ofMillis(Long.parseLong(now.labels().getOrDefault(DURATION, "0")));
        } catch (NumberFormatException e) {
            return settings.lease();
        }
    }

    private static ScalerMemory decodeOrEmpty(String text) {
        if (text == null) {
            return ScalerMemory.empty();
        }
        try {
            return MemoryCodec.decode(text);
        } catch (MemoryCodec.UnreadableMemoryException e) {
            LOG.warning("Starting from an empty memory: " + e.getMessage());
            return ScalerMemory.empty();
        }
    }

    /** Hands the lease over at once, as Kubernetes' ReleaseOnCancel does, so a restart need not wait it out. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        if (renewer != null) {
            renewer.interrupt();
            renewer.join(5000);
        }
        synchronized (this) {
            if (!leadingAt(nanoTime.getAsLong())) {
                return;
            }
            try {
                Map<String, String> labels = new HashMap<>(last.labels());
                labels.put(HOLDER, "");
                store.write(last.version(), labels);
                stats.stateWrite("release");
                LOG.info(settings.identity() + " released the lease");
            } catch (RuntimeException e) {
                LOG.warning("Could not release the lease (the next leader waits it out): " + e.getMessage());
            }
            leading = false;
            stats.leader(false);
        }
    }
}
