package io.swarmscaler.controller.reconcile;

import io.swarmscaler.model.Policy;
import io.swarmscaler.model.PolicyError;
import io.swarmscaler.model.PolicyId;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.PolicySet;
import io.swarmscaler.model.QueryResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Label errors as a person should meet them: an expression Prometheus cannot parse is named as a mistake in its
 * {@code com.df.alertIf} label rather than shown as "no data", and each distinct error is logged at WARNING once,
 * not on every pass.
 */
final class LabelErrors {
    private static final Logger LOG = Logger.getLogger(LabelErrors.class.getName());
    /** Distinct errors remembered; past this the oldest may be logged again, which costs a line, not memory. */
    private static final int REMEMBERED = 1000;

    /** The policies the planner may use, and the query results of exactly those. */
    record Checked(PolicySet policies, Map<PolicyId, QueryResult> results) {}

    private final Map<String, Boolean> logged = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * Moves every policy whose query Prometheus rejected as invalid out of {@code policies} and into its errors,
     * so the planner never sees a {@link QueryResult.Invalid}.
     */
    static Checked rejectInvalidQueries(PolicySet policies, Map<PolicyId, QueryResult> results) {
        List<Policy> valid = new ArrayList<>();
        List<PolicyError> errors = new ArrayList<>(policies.errors());
        Map<PolicyId, QueryResult> kept = new HashMap<>();
        for (Policy policy : policies.policies()) {
            QueryResult result = results.get(policy.id());
            if (result instanceof QueryResult.Invalid invalid) {
                errors.add(new PolicyError(policy.id().service(), PolicyParser.alertIfLabel(policy.id()),
                        policy.alertIf(), "a PromQL expression Prometheus can parse; it says: " + invalid.error()));
            } else {
                valid.add(policy);
                if (result != null) {
                    kept.put(policy.id(), result);
                }
            }
        }
        return new Checked(new PolicySet(valid, errors, policies.groups()), kept);
    }

    /** Logs the errors not logged before. */
    synchronized void warnOnce(List<PolicyError> errors) {
        for (PolicyError error : errors) {
            if (logged.put(error.message(), Boolean.TRUE) == null) {
                LOG.warning("Label error, this policy is skipped: " + error.message());
            }
        }
    }
}
