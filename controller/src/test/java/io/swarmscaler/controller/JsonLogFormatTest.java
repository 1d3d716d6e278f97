package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatTest {
    private final JsonLogFormat format = new JsonLogFormat();

    @Test
    void oneJsonObjectPerLineWithTimeLevelLoggerAndMessage() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "Changing the number of worker nodes \"quoted\"\nnext");
        record.setLoggerName("io.swarmscaler.decisions");
        String line = format.format(record);

        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("logger").asText()).isEqualTo("io.swarmscaler.decisions");
        assertThat(json.path("message").asText()).isEqualTo("Changing the number of worker nodes \"quoted\"\nnext");
        assertThat(json.path("time").asText()).isEqualTo(record.getInstant().toString());
        assertThat(json.has("error")).isFalse();
    }

    @Test
    void anErrorCarriesItsStackTrace() throws Exception {
        LogRecord record = new LogRecord(Level.SEVERE, "failed");
        record.setThrown(new IllegalStateException("docker gone"));
        JsonNode json = new ObjectMapper().readTree(format.format(record));
        assertThat(json.path("error").asText()).contains("IllegalStateException: docker gone", "at ");
    }
}
