package io.swarmscaler.controller.reconcile;

import io.swarmscaler.model.Decision;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Logs the planner's decisions when they change, so that a person sees each step once instead of the same
 * line every cycle. A decision whose text differs only in its figures (a value moving, a timer counting) counts
 * as unchanged.
 */
final class DecisionLog {
    private static final Logger LOG = Logger.getLogger("io.swarmscaler.decisions");

    private final Map<String, String> lastShape = new HashMap<>();

    synchronized void record(List<Decision> decisions) {
        Map<String, String> seen = new HashMap<>();
        for (Decision decision : decisions) {
            String shape = decision.text().replaceAll("[0-9.]+", "#");
            seen.put(decision.subject(), shape);
            if (!shape.equals(lastShape.get(decision.subject()))) {
                LOG.info(decision.toString());
            }
        }
        lastShape.clear();
        lastShape.putAll(seen);
    }
}
