package io.swarmscaler.controller.state;

import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ScalerMemory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>A follower hands a scale request to the leader as one more label on the object ({@link #handOver}); the leader
 * plans it, and writes the outcome into that label, fenced like an action. Such a write moves the version without
 * touching the lease, so a leader whose write is refused reads again, and carries on only if the lease is still the
 * one it wrote.
 */
public final class SwarmLeadership implements ScalerState, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SwarmLeadership.class.getName());
    static final String MEMORY = "io.swarmscaler.memory";
    static final String HOLDER = "io.swarmscaler.lease.holder";
    static final String RENEWED = "io.swarmscaler.lease.renewed";
    static final String DURATION = "io.swarmscaler.lease.duration-ms";
    private static final String EMPTY = MemoryCodec.encode(ScalerMemory.empty());
    /** Handed-over requests kept in the store, decided or not; the outcome stays readable this long. */
    static final Duration REQUESTS_KEPT = Duration.ofMinutes(15);
    /** More waiting requests than this is a flood, not Alertmanager: a follower refuses the next. */
    static final int MAX_HANDED_OVER = 32;
    private static final int CAS_ATTEMPTS = 5;

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
    /** Run when this replica gains or loses the lead, or a handed-over request comes or is decided. */
    private volatile Runnable onChange = () -> {};
    private Thread renewer;
    private final CompletableFuture<Void> firstRound = new CompletableFuture<>();
    private volatile boolean closed;

    // Written under this. The volatile ones are also read without it, by view() and unready(): those answer
    // requests (/status, /readyz), which must not wait while a lease round waits for a hung manager.
    private volatile StateStore.Versioned last;
    private String observedLease = "";
    private volatile long observedAt;
    private volatile boolean leading;
    private volatile long renewStartedAt;
    private ScalerMemory memory = ScalerMemory.empty();
    private String savedMemory = EMPTY;
    private Map<String, String> observedRequests = Map.of();
    private Long lastReadAt;
    private String lastReadError = "not read yet";
    /**
     * The lease as last seen, published after every change: the probes and {@code /status} read it without waiting
     * for a lease round, which holds the lock across a Docker call.
     */
    private volatile Seen seen = new Seen(null, 0, false, 0, null, "not read yet");

    private record Seen(StateStore.Versioned last, long observedAt, boolean leading, long renewStartedAt,
            Long lastReadAt, String lastReadError) {
        boolean leadingAt(long nanos, Duration renewDeadline) {
            return leading && nanos - renewStartedAt < renewDeadline.toNanos();
        }
    }

    private void publish() {
        seen = new Seen(last, observedAt, leading, renewStartedAt, lastReadAt, lastReadError);
    }

    public SwarmLeadership(StateStore store, Settings settings, Clock clock, LongSupplier nanoTime,
            ScalerMetrics stats) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.stats = stats;
        stats.leader(false);
    }

    /** Runs {@code action} when this replica gains or loses the lead, or a handed-over request comes or is decided. */
    public void onChange(Runnable action) {
        onChange = action;
    }

    /**
     * Tries to lead, then renews or watches the lease every retry period until closed. The first round runs on the
     * renewer's thread at once, alongside whatever else start-up does; {@link #awaitFirstRound} waits for it.
     */
    public SwarmLeadership start() {
        renewer = new Thread(() -> {
            while (!closed) {
                try {
                    tick();
                } finally {
                    firstRound.complete(null);
                }
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

    /** Returns once the first round that {@link #start} began has ended, led or not (so a first pass knows). */
    public void awaitFirstRound() {
        firstRound.join();
    }

    /** One round of the election: read the lease; take it when it is ours or expired; give up past the deadline. */
    public synchronized void tick() {
        try {
            round();
        } finally {
            publish();
        }
    }

    private void round() {
        long started = nanoTime.getAsLong();
        try {
            StateStore.Versioned now = store.read();
            lastReadAt = started;
            // What unready() says should the next read neither answer nor fail.
            lastReadError = "no answer from the Swarm manager yet";
            observe(now, started);
            String holder = now.labels().getOrDefault(HOLDER, "");
            boolean expired = holder.isEmpty() || started - observedAt >= leaseOf(now).toNanos();
            if (holder.equals(settings.identity()) || expired) {
                boolean wasLeading = leadingAt(started);
                write(now, started, memoryLabel(now), "renew", Map.of());
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
            lastReadError = String.valueOf(e.getMessage());
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
        try {
            String encoded = MemoryCodec.encode(memory);
            if (encoded.equals(savedMemory) && leadingAt(nanoTime.getAsLong())) {
                this.memory = memory;
                return;
            }
            writeAsLeader(encoded, "memory", Map.of());
            this.memory = memory;
            savedMemory = encoded;
    
        } finally {
            publish();
        }
    }

    @Override
    public synchronized void fence() {
        try {
            writeAsLeader(savedMemory, "fence", Map.of());
    
        } finally {
            publish();
        }
    }

    @Override
    public synchronized void handOver(ScaleRequest request) {
        try {
            String label = HandoverCodec.encode(new HandedOver(request, Optional.empty()));
            for (int attempt = 1; ; attempt++) {
                StateStore.Versioned now = store.read();
                lastReadAt = nanoTime.getAsLong();
                observe(now, lastReadAt);
                long waiting = now.labels().keySet().stream().filter(k -> k.startsWith(HandoverCodec.PREFIX)).count();
                if (waiting >= MAX_HANDED_OVER) {
                    throw new IllegalStateException("%d requests already wait in the store for the leader".formatted(waiting));
                }
                Map<String, String> labels = new HashMap<>(now.labels());
                labels.put(HandoverCodec.key(request.id()), label);
                try {
                    // Seen at once, so that the request's label is known to be there until someone removes it.
                    last = new StateStore.Versioned(store.write(now.version(), labels), labels);
                    observedRequests = requestLabels(labels);
                    stats.stateWrite("handover");
                    return;
                } catch (StateStore.StaleVersionException e) {
                    stats.stateWriteConflict();
                    if (attempt == CAS_ATTEMPTS) {
                        throw e;
                    }
                }
            }
    
        } finally {
            publish();
        }
    }

    @Override
    public synchronized List<HandedOver> handedOver() {
        return last == null ? List.of() : requestsIn(last.labels());
    }

    @Override
    public synchronized void recordOutcomes(Map<String, RequestOutcome> outcomes) {
        try {
            Map<String, String> decided = new HashMap<>();
            handedOver().stream().filter(h -> outcomes.containsKey(h.request().id())).forEach(h -> decided.put(
                    HandoverCodec.key(h.request().id()),
                    HandoverCodec.encode(new HandedOver(h.request(), Optional.of(outcomes.get(h.request().id()))))));
            if (!decided.isEmpty()) {
                writeAsLeader(savedMemory, "outcome", decided);
            }
    
        } finally {
            publish();
        }
    }

    /**
     * Why this replica is not ready, if it is not: it cannot read the store, or no live leader holds the lease
     * (a follower is ready while it follows one).
     */
    public Optional<String> unready() {
        Seen s = seen;
        long now = nanoTime.getAsLong();
        if (s.lastReadAt() == null || now - s.lastReadAt() >= settings.renewDeadline().toNanos()) {
            return Optional.of("cannot read the scaler's state%s: %s".formatted(s.lastReadAt() == null ? ""
                    : " for %ds".formatted((now - s.lastReadAt()) / 1_000_000_000L), s.lastReadError()));
        }
        if (s.leadingAt(now, settings.renewDeadline())) {
            return Optional.empty();
        }
        String holder = s.last().labels().getOrDefault(HOLDER, "");
        if (holder.isEmpty()) {
            return Optional.of("no replica holds the lease");
        }
        if (now - s.observedAt() >= leaseOf(s.last()).toNanos()) {
            return Optional.of("the leader %s has not renewed its lease for %ds".formatted(holder,
                    (now - s.observedAt()) / 1_000_000_000L));
        }
        return Optional.empty();
    }

    public View view() {
        Seen s = seen;
        long now = nanoTime.getAsLong();
        Map<String, String> labels = s.last() == null ? Map.of() : s.last().labels();
        String holder = labels.getOrDefault(HOLDER, "");
        return new View(settings.identity(), s.leadingAt(now, settings.renewDeadline()), holder, labels.get(RENEWED),
                s.last() == null || holder.isEmpty() ? null : Math.round((now - s.observedAt()) / 1e8) / 10.0,
                settings.lease().toSeconds());
    }

    private void writeAsLeader(String memoryLabel, String kind, Map<String, String> requestChanges) {
        long started = nanoTime.getAsLong();
        if (!leadingAt(started)) {
            throw new NotLeadingException(settings.identity() + " does not hold the lease");
        }
        StateStore.Versioned from = last;
        for (int attempt = 1; ; attempt++) {
            try {
                write(from, started, memoryLabel, kind, requestChanges);
                return;
            } catch (StateStore.StaleVersionException e) {
                stats.stateWriteConflict();
                from = attempt < CAS_ATTEMPTS ? sameLeaseOrNull(from) : null;
                if (from == null) {
                    lose("the lease changed under us (" + e.getMessage() + ")");
                    throw new NotLeadingException(settings.identity() + " lost the lease: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                throw new NotLeadingException(settings.identity() + " cannot confirm its lease: " + e.getMessage());
            }
        }
    }

    /** The object as it is now, if only handed-over requests changed since {@code ours}; else null. */
    private StateStore.Versioned sameLeaseOrNull(StateStore.Versioned ours) {
        StateStore.Versioned now = store.read();
        for (String lease : List.of(HOLDER, RENEWED, DURATION, MEMORY)) {
            if (!String.valueOf(ours.labels().get(lease)).equals(String.valueOf(now.labels().get(lease)))) {
                return null;
            }
        }
        return now;
    }

    private void write(StateStore.Versioned from, long started, String memoryLabel, String kind,
            Map<String, String> requestChanges) {
        Map<String, String> labels = new LinkedHashMap<>();
        // Carried over, but not for ever: a decided request's outcome stays readable for REQUESTS_KEPT.
        Instant oldest = clock.instant().minus(REQUESTS_KEPT);
        requestsIn(from.labels()).stream().filter(h -> h.request().receivedAt().isAfter(oldest))
                .forEach(h -> labels.put(HandoverCodec.key(h.request().id()),
                        from.labels().get(HandoverCodec.key(h.request().id()))));
        labels.putAll(requestChanges);
        labels.put(HOLDER, settings.identity());
        labels.put(RENEWED, clock.instant().toString());
        labels.put(DURATION, Long.toString(settings.lease().toMillis()));
        labels.put(MEMORY, memoryLabel);
        long version = store.write(from.version(), labels);
        stats.stateWrite(kind);
        last = new StateStore.Versioned(version, labels);
        observedRequests = requestLabels(labels);
        observedLease = labels.get(HOLDER) + "@" + labels.get(RENEWED);
        observedAt = started;
        renewStartedAt = started;
    }

    private void observe(StateStore.Versioned now, long at) {
        last = now;
        Map<String, String> requests = requestLabels(now.labels());
        if (!requests.equals(observedRequests)) {
            observedRequests = requests;
            onChange.run(); // a leader plans a new request at once; a follower answers a decided one
        }
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
        onChange.run();
    }

    private void lose(String why) {
        leading = false;
        stats.leader(false);
        LOG.warning("%s stops acting: %s".formatted(settings.identity(), why));
        onChange.run();
    }

    private static Map<String, String> requestLabels(Map<String, String> labels) {
        Map<String, String> requests = new TreeMap<>();
        labels.forEach((k, v) -> {
            if (k.startsWith(HandoverCodec.PREFIX)) {
                requests.put(k, v);
            }
        });
        return requests;
    }

    /** The handed-over requests among {@code labels}; one that cannot be read is skipped with a warning. */
    private static List<HandedOver> requestsIn(Map<String, String> labels) {
        List<HandedOver> requests = new ArrayList<>();
        requestLabels(labels).forEach((k, v) -> {
            try {
                requests.add(HandoverCodec.decode(k, v));
            } catch (IllegalArgumentException e) {
                LOG.warning("Ignored (the leader's next write removes it): " + e.getMessage());
            }
        });
        return requests;
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
        firstRound.complete(null);
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
            publish();
        }
    }
}
