package io.swarmscaler.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * {@code LOG_FORMAT=json}: one JSON object per line ({@code time}, {@code level}, {@code logger}, {@code message},
 * and {@code error} with the stack trace when there is one), for log shippers.
 */
final class JsonLogFormat extends Formatter {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String format(LogRecord r) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", r.getInstant().toString());
        line.put("level", r.getLevel().getName().replace("WARNING", "WARN"));
        line.put("logger", r.getLoggerName());
        line.put("message", formatMessage(r));
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("error", trace.toString());
        }
        try {
            return JSON.writeValueAsString(line) + "\n";
        } catch (JsonProcessingException e) {
            return "{\"level\":\"ERROR\",\"message\":\"unloggable record\"}\n";
        }
    }
}
