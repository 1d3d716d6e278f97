package io.swarmscaler.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmscaler.model.Decision;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecisionLogTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    @ParameterizedTest(name = "{0} then {1}: new entry {2}")
    @CsvSource(delimiter = '|', value = {
            "value 0.9 > 0.8, held 0s of 2s | value 0.91 > 0.8, held 9ms of 2s | false",
            "value 0.9 > 0.8, held 1s of 2s | value 0.9 > 0.8, held 1m30s of 2m | false",
            "waiting until 2026-11-25T10:00:00Z | waiting until 2026-11-25T10:03:00.5Z | false",
            "value 0.2, condition > 0.8 does not hold | value 0.9 > 0.8; Changing the number of worker nodes | true",
            "2 of 3 Ready on local | 2 of 3 Ready on aws | true",
            "draining since 2026-11-25T10:00:00Z: 1 task(s) still on it | ssl-w2 is drained; removing it | true",
    })
    void aDecisionIsRecordedWhenItChangesNotWhenOnlyItsFiguresMove(String first, String second, boolean recorded) {
        DecisionLog log = new DecisionLog();
        log.record(List.of(new Decision("policy p#1", first)), T0);
        log.record(List.of(new Decision("policy p#1", second)), T0.plusSeconds(1));
        assertThat(log.recent()).hasSize(recorded ? 2 : 1);
        assertThat(log.recent().get(0).text()).isEqualTo(recorded ? second : first);
    }

    @org.junit.jupiter.api.Test
    void keepsTheLatestHundredNewestFirst() {
        DecisionLog log = new DecisionLog();
        for (int i = 0; i < 150; i++) {
            log.record(List.of(new Decision("s" + i, "x")), T0.plusSeconds(i));
        }
        assertThat(log.recent()).hasSize(100);
        assertThat(log.recent().get(0).subject()).isEqualTo("s149");
        assertThat(log.recent().get(99).subject()).isEqualTo("s50");
    }
}
