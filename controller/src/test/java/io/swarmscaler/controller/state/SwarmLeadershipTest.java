package io.swarmscaler.controller.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.swarmscaler.controller.fake.FakeStateStore;
import io.swarmscaler.controller.observe.ScalerMetrics;
import io.swarmscaler.controller.port.ScalerState;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.RequestOutcome;
import io.swarmscaler.model.ScaleDirection;
import io.swarmscaler.model.ScaleRequest;
import io.swarmscaler.model.ScalerMemory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The election's timing on a compare-and-swap store in memory and a hand-driven monotonic clock. */
class SwarmLeadershipTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private final FakeStateStore store = new FakeStateStore();
    private final AtomicLong nanos = new AtomicLong();

    private SwarmLeadership replica(String id) {
        return new SwarmLeadership(store, new SwarmLeadership.Settings(id, Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofSeconds(2)), Clock.systemUTC(), nanos::get, new ScalerMetrics());
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
    void startTakesTheLeaseInOneRoundOnItsOwnThreadAndCloseReleasesIt() throws Exception {
        // A retry period far longer than the test: any second write would be a second round at start.
        SwarmLeadership a = new SwarmLeadership(store, new SwarmLeadership.Settings("a", Duration.ofSeconds(15),
                Duration.ofSeconds(10), Duration.ofMinutes(10)), Clock.systemUTC(), nanos::get, new ScalerMetrics());
        a.start();
        a.awaitFirstRound();
        assertThat(a.current().leading()).isTrue();
        assertThat(store.writes()).as("lease writes at start").isEqualTo(1);
        a.close();
        SwarmLeadership b = replica("b");
        b.tick();
        assertThat(b.current().leading()).as("b leads at once: a released the lease").isTrue();
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
        int writes = store.writes();
        for (int i = 0; i < 10; i++) {
            a.save(memory);
        }
        assertThat(store.writes()).isEqualTo(writes);
    }

    private static ScaleRequest request(String id, Instant receivedAt) {
        return new ScaleRequest(id, "alertmanager:{}:{scale=\"up\"}:UP", new ScaleRequest.Nodes(NodeRole.WORKER, 1,
                GroupBounds.defaultsFor(NodeRole.WORKER)), ScaleDirection.UP, receivedAt.truncatedTo(ChronoUnit.MILLIS), "Alertmanager group {}:{scale=\"up\"}");
    }

    @Test
    void aRequestHandedOverByAFollowerReachesTheLeaderAndItsOutcomeComesBack() {
        SwarmLeadership a = replica("a");
        SwarmLeadership b = replica("b");
        a.tick();
        b.tick();
        ScaleRequest up = request("r1", Instant.now());

        b.handOver(up);
        a.fence(); // the handover moved the version, not the lease: the leader still acts
        assertThat(a.current().leading()).isTrue();
        assertThat(a.handedOver()).containsExactly(new ScalerState.HandedOver(up, Optional.empty()));

        RequestOutcome done = new RequestOutcome(true, "Changing the number of worker nodes on local from 1 to 2");
        a.recordOutcomes(Map.of("r1", done));
        advance(2);
        a.tick(); // a renewal keeps the outcome
        b.tick();
        assertThat(b.handedOver()).containsExactly(new ScalerState.HandedOver(up, Optional.of(done)));
        assertThatThrownBy(() -> b.recordOutcomes(Map.of("r1", done)))
                .isInstanceOf(ScalerState.NotLeadingException.class);
    }

    @Test
    void requestsHandedOverLongAgoAreDroppedAndAFloodIsRefused() {
        SwarmLeadership a = replica("a");
        SwarmLeadership b = replica("b");
        a.tick();
        b.handOver(request("old", Instant.now().minus(SwarmLeadership.REQUESTS_KEPT).minusSeconds(1)));
        b.handOver(request("new", Instant.now()));
        advance(2);
        a.tick();
        assertThat(a.handedOver()).extracting(h -> h.request().id()).containsExactly("new");

        for (int i = 1; i < SwarmLeadership.MAX_HANDED_OVER; i++) {
            b.handOver(request("flood-" + i, Instant.now()));
        }
        assertThatThrownBy(() -> b.handOver(request("one-too-many", Instant.now())))
                .hasMessageContaining("32 requests already wait");
    }

    @Test
    void withTheStoreUnreachableTheLeaderStopsActingByItsRenewDeadlineAndNobodyTakesOver() {
        SwarmLeadership a = replica("a");
        SwarmLeadership b = replica("b");
        a.tick();
        b.tick();
        assertThat(b.unready()).as("b follows a live leader").isEmpty();
        store.unreachable(true);
        for (int waited = 2; waited <= 40; waited += 2) {
            advance(2);
            a.tick();
            b.tick();
            assertThat(a.current().leading()).as("a acts after %ss", waited).isEqualTo(waited < 10);
            assertThat(b.current().leading()).as("b acts after %ss", waited).isFalse();
            if (waited >= 10) {
                assertThatThrownBy(a::fence).isInstanceOf(ScalerState.NotLeadingException.class);
                assertThat(a.unready()).get(STRING).startsWith("cannot read the scaler's state for");
                assertThat(b.unready()).get(STRING).contains("Docker at fake: cannot reach the managers");
            }
        }
        store.unreachable(false);
        a.tick();
        assertThat(a.current().leading()).as("a leads again once the store answers").isTrue();
        b.tick();
        assertThat(b.unready()).isEmpty();
    }

    @Test
    void aFollowerIsNotReadyWhenTheLeaseIsNotRenewed() {
        SwarmLeadership a = replica("a");
        SwarmLeadership b = replica("b");
        assertThat(b.unready()).get(STRING).startsWith("cannot read the scaler's state");
        a.tick();
        b.tick();
        assertThat(b.unready()).isEmpty();
        advance(14);
        b.tick();
        assertThat(b.unready()).isEmpty();
        advance(2); // a has not renewed for 16 s, past its 15 s lease; b has not looked again yet
        assertThat(b.unready()).get(STRING).isEqualTo("the leader a has not renewed its lease for 16s");
        b.tick();
        assertThat(b.current().leading()).isTrue();
        assertThat(b.unready()).isEmpty();
    }
}
