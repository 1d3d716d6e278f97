package io.swarmscaler.controller.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.ScalerMemory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MemoryCodecTest {
    private static final Instant T = Instant.parse("2024-05-01T10:00:00.123Z");

    static Stream<Arguments> memories() {
        PolicyId numbered = new PolicyId("exporter_node-exporter-worker", "1");
        PolicyId unnumbered = new PolicyId("svc", "");
        return Stream.of(
                Arguments.of("empty", ScalerMemory.empty()),
                Arguments.of("cooldowns", new ScalerMemory(Map.of(), Map.of(NodeRole.WORKER, T),
                        Map.of(NodeRole.MANAGER, T.plusSeconds(5)), Map.of(), Set.of(), Map.of(), Map.of())),
                Arguments.of("everything", new ScalerMemory(
                        Map.of(numbered, T, unnumbered, T.minusSeconds(30)),
                        Map.of(NodeRole.WORKER, T), Map.of(NodeRole.WORKER, T.minusSeconds(600)),
                        Map.of(NodeRole.WORKER, new ScalerMemory.PendingScaleUp(1, 3, T),
                                NodeRole.MANAGER, new ScalerMemory.PendingScaleUp(3, 4, T, 1)),
                        Set.of(numbered, unnumbered),
                        Map.of(NodeRole.MANAGER, new ScalerMemory.Backoff(T.plusSeconds(300), Duration.ofMinutes(5),
                                "launch failed: \"quota\" exceeded")),
                        Map.of("scale-nodes/worker/up/alert#1", T))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memories")
    void decodesWhatItEncodes(String name, ScalerMemory memory) {
        String text = MemoryCodec.encode(memory);
        assertThat(MemoryCodec.decode(text)).isEqualTo(memory);
        assertThat(MemoryCodec.encode(MemoryCodec.decode(text))).isEqualTo(text);
    }

    @Test
    void isCompact() {
        assertThat(MemoryCodec.encode(ScalerMemory.empty())).isEqualTo("{\"v\":1}");
        assertThat(MemoryCodec.encode(new ScalerMemory(Map.of(), Map.of(NodeRole.WORKER, T), Map.of(), Map.of(),
                Set.of(), Map.of(), Map.of()))).isEqualTo("{\"v\":1,\"up\":{\"worker\":1714557600123}}");
    }

    static Stream<Arguments> unreadable() {
        return Stream.of(
                Arguments.of("not json", "cooldown=10m", "not one this scaler wrote"),
                Arguments.of("another format", "{\"v\":2}", "expected a JSON object with \"v\":1"),
                Arguments.of("unknown group", "{\"v\":1,\"up\":{\"gpu\":1}}", "group 'gpu' is neither"),
                Arguments.of("not a time", "{\"v\":1,\"up\":{\"worker\":\"soon\"}}", "up.worker is not a time"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadable")
    void namesWhatIsWrongWithAnUnreadableMemory(String name, String text, String message) {
        assertThatThrownBy(() -> MemoryCodec.decode(text)).isInstanceOf(MemoryCodec.UnreadableMemoryException.class)
                .hasMessageContaining(message);
    }
}
