package io.swarmscaler.controller.reconcile;

import io.swarmscaler.model.Decision;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Logs the planner's decisions when they change, so that a person sees each step once instead of the same
 * line every cycle, and keeps the latest of those changes for the status. A decision whose text differs only in
 * its figures (a value moving, a timer counting) counts as unchanged.
 */
public final class DecisionLog {
    private static final Logger LOG = Logger.getLogger("io.swarmscaler.decisions");
    private static final int KEPT = 100;
    /** A number or a duration: "0.55", "9ms", "1m30s", and the parts of a timestamp. */
    private static final String FIGURE = "(?:[0-9][0-9.]*(?:ms|[smhd](?![a-z])))+|[0-9][0-9.]*";

    /** A decision as first made at {@code at}. */
    public record Entry(Instant at, String subject, String text) {}

    private final Map<String, String> lastShape = new HashMap<>();
    private final Deque<Entry> recent = new ArrayDeque<>();

    synchronized void record(List<Decision> decisions, Instant now) {
        Map<String, String> seen = new HashMap<>();
        for (Decision decision : decisions) {
            String shape = decision.text().replaceAll(FIGURE, "#");
            seen.put(decision.subject(), shape);
            if (!shape.equals(lastShape.get(decision.subject()))) {
                LOG.info(decision.toString());
                recent.addFirst(new Entry(now, decision.subject(), decision.text()));
                if (recent.size() > KEPT) {
                    recent.removeLast();
                }
            }
        }
        lastShape.clear();
        lastShape.putAll(seen);
    }

    /** The latest changes of decision, newest first. */
    synchronized List<Entry> recent() {
        return List.copyOf(recent);
    }
}
