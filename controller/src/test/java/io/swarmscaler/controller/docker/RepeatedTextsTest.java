package io.swarmscaler.controller.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RepeatedTextsTest {

    @Test
    void aRepeatedTextIsTheSameStringAndADifferentOneIsNot() {
        RepeatedTexts texts = new RepeatedTexts();
        String first = texts.of("xxrunningxx".toCharArray(), 2, 7);

        assertThat(first).isEqualTo("running");
        assertThat(texts.of("running".toCharArray(), 0, 7)).isSameAs(first);
        assertThat(texts.of("runnin".toCharArray(), 0, 6)).isEqualTo("runnin").isNotSameAs(first);
        assertThat(texts.of(new char[0], 0, 0)).isEmpty();
    }

    /** Ids that differ in their last characters only, as a generated Swarm's do, past the table's first growths. */
    @Test
    void thousandsOfNearlyEqualIdsStayDistinctAndEachIsFoundAgain() {
        RepeatedTexts texts = new RepeatedTexts();
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            first.add(texts.of("node%021d".formatted(i).toCharArray(), 0, 25));
        }
        Set<String> distinct = new HashSet<>(first);
        assertThat(distinct).hasSize(5000);
        for (int i = 0; i < 5000; i++) {
            assertThat(texts.of("node%021d".formatted(i).toCharArray(), 0, 25)).isSameAs(first.get(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void readsTheParsersValue(String json, String expected) throws IOException {
        try (JsonParser p = new ObjectMapper().createParser(json)) {
            p.nextToken();
            assertThat(new RepeatedTexts().of(p, "absent")).isEqualTo(expected);
        }
    }

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("\"svc1\"", "svc1"),
                Arguments.of("\"esc\\\"aped\\u00e9\"", "esc\"apedé"),
                Arguments.of("null", "absent"),
                Arguments.of("12", "12"));
    }
}
