package io.swarmscaler.controller.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.ScalerMemory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The election's timing on a compare-and-swap store in memory and a hand-driven monotonic clock. */
class SwarmLeadershipTest {
    /** The store as Swarm behaves: a write from a stale version is refused. */
    static final class CasStore implements StateStore {
        private long version = 1;
        private Map<String, String> labels = Map.of();
        int writes;

        @Override
        public synchronized Versioned read() {
            return new Versioned(version, labels);
        }

        @Override
        public synchronized long write(long expected, Map<String, String> labels) {
            if (expected != version) {
                throw new StaleVersionException("update out of sequence");
            }
            writes++;
            this.labels = Map.copyOf(labels);
            return ++version;
        }
    }

    private static final Duration SECOND = Duration.ofSeconds(1);
    private final CasStore store = new CasStore();
    private final AtomicLong nanos = new AtomicLong();

    private SwarmLeadership replica(String id) {
        return new SwarmLeadership(store, new SwarmLeadership.Settings(id, Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofSeconds(2)), Clock.systemUTC(), nanos::get, new ScalerMetrics(),
                () -> {});
    }

    private void advance(long seconds) {
        nanos.addAndGet(SECOND.multipliedBy(seconds).toNanos());
    }

    @Test
    void oneReplicaLeadsAndTheOthersWaitWhileItRenews() {
        SwarmLeadership a = replica("a");
        SwarmLeadership b = replica("b");
        a.tick();
        b.tick();
        for (int i = 0; i < 20; i++) {
            advance(2);
            a.tick();
            b.tick();
            assertThat(a.current().leading()).isTrue();
            assertThat(b.current().leading()).isFalse();
            assertThat(b.current().leader()).isEqualTo("a");
        }
    }

    @Test
    void aLeaderThatCannotRenewStopsBeforeAnotherMayTakeOver() {
        SwarmLeadership a = replica("a");
        SwarmLeadership b = replica("b");
        a.tick();
        b.tick();
        // a stops renewing (paused, cut off): b watches the lease stand still
        for (int waited = 2; waited <= 16; waited += 2) {
            advance(2);
            b.tick();
            boolean aMayAct = a.current().leading();
            boolean bActs = b.current().leading();
            assertThat(aMayAct && bActs).as("both act after %ss", waited).isFalse();
            assertThat(aMayAct).as("a acts after %ss", waited).isEqualTo(waited < 10);
            assertThat(bActs).as("b acts after %ss", waited).isEqualTo(waited >= 16);
        }
    }

    @Test
    void aPausedLeaderThatWakesUpAfterATakeoverIsFencedOff() {
        SwarmLeadership a = replica("a");
        SwarmLeadership b = replica("b");
        a.tick();
        assertThat(a.current().leading()).isTrue();
        b.tick();
        advance(16);
        b.tick();
        assertThat(b.current().leading()).isTrue();
        // a wakes up in the middle of a pass it planned while leading
        assertThatThrownBy(a::fence).isInstanceOf(ScalerState.NotLeadingException.class);
        assertThatThrownBy(() -> a.save(ScalerMemory.empty())).isInstanceOf(ScalerState.NotLeadingException.class);
        b.fence();
    }

    @Test
    void aFenceFailsWhenAnotherReplicaWroteEvenWithinTheDeadline() {
        SwarmLeadership a = replica("a");
        a.tick();
        long version = store.read().version();
        store.write(version, Map.of(SwarmLeadership.HOLDER, "intruder"));
        assertThatThrownBy(a::fence).isInstanceOf(ScalerState.NotLeadingException.class);
        assertThat(a.current().leading()).isFalse();
    }

    @Test
    void theNextLeaderStartsFromTheMemoryItsPredecessorSaved() throws Exception {
        SwarmLeadership a = replica("a");
        a.tick();
        ScalerMemory memory = new ScalerMemory(Map.of(), Map.of(NodeRole.WORKER, Instant.parse("2024-05-01T10:00:00Z")),
                Map.of(), Map.of(), Set.of(), Map.of(), Map.of());
        a.save(memory);
        a.close(); // releases the lease: no need to wait it out
        SwarmLeadership b = replica("b");
        b.tick();
        assertThat(b.current().leading()).isTrue();
        assertThat(b.current().memory()).isEqualTo(memory);
    }

    @Test
    void anUnchangedMemoryIsNotWrittenAgain() {
        SwarmLeadership a = replica("a");
        a.tick();
        ScalerMemory memory = new ScalerMemory(Map.of(), Map.of(NodeRole.WORKER, Instant.parse("2024-05-01T10:00:00Z")),
                Map.of(), Map.of(), Set.of(), Map.of(), Map.of());
        a.save(memory);
        int writes = store.writes;
        for (int i = 0; i < 10; i++) {
            a.save(memory);
        }
        assertThat(store.writes).isEqualTo(writes);
    }
}
