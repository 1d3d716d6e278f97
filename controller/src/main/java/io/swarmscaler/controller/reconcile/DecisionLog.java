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
 * line every cycle, and keeps the latest of those changes for the status. A decision whose reason differs only in
 * its figures (a value moving, a timer counting) counts as unchanged: reasons are compared by their
 * {@link io.swarmscaler.model.Reason#shape() shape}, not their text.
 */
public final class DecisionLog {
    private static final Logger LOG = Logger.getLogger("io.swarmscaler.decisions");
    private static final int KEPT = 100;

    /** A decision as first made at {@code at}. */
    public record Entry(Instant at, String subject, String text) {}

    private final Map<String, Object> lastShape = new HashMap<>();
    private final Deque<Entry> recent = new ArrayDeque<>();

    synchronized void record(List<Decision> decisions, Instant now) {
        Map<String, Object> seen = new HashMap<>();
        for (Decision decision : decisions) {
            Object shape = decision.reason().shape();
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
