package io.swarmscaler.controller;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Plain lines a person can follow: {@code 12:00:01 INFO  message}. */
final class OneLineLogFormat extends Formatter {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    static void install() {
        install(new OneLineLogFormat());
    }

    /**
     * Libraries whose INFO lines are their own bookkeeping (HttpClient's automatic retries of a socket error, which
     * the adapter reports once in our words). Held here: a logger nobody references can lose its level.
     */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("org.apache.hc"),
            Logger.getLogger("com.github.dockerjava"));

    /** Makes {@code format} the only way log records reach the console (stderr). */
    static void install(Formatter format) {
        QUIETED.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(format);
        root.addHandler(console);
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder line = new StringBuilder()
                .append(TIME.format(r.getInstant())).append(' ')
                .append(String.format("%-5s", r.getLevel().getName().replace("WARNING", "WARN"))).append(' ')
                .append(formatMessage(r)).append('\n');
        if (r.getThrown() != null && r.getLevel().intValue() > java.util.logging.Level.WARNING.intValue()) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }
}
