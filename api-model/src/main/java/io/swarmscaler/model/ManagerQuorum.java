package io.swarmscaler.model;

import io.swarmscaler.model.Refusal.ManagersStayOdd;
import io.swarmscaler.model.Refusal.QuorumLoss;
import java.util.Optional;
import java.util.Set;

/** Both rules that keep the Swarm's Raft quorum: managers stay odd, and a majority of them stays reachable. */
final class ManagerQuorum {
    private ManagerQuorum() {}

    /**
     * How many of the {@code count} managers asked for may go so that an odd number stays, and why fewer: the
     * refusal when none may.
     */
    static Removable removable(int current, int count) {
        if ((current - count) % 2 != 0) {
            return new Removable(count, Optional.empty());
        }
        return new Removable(count - 1, Optional.of(new ManagersStayOdd(count, current - count)));
    }

    record Removable(int count, Optional<Refusal> fewerBecause) {}

    /** Why removing these managers would cost Raft its quorum. */
    static Optional<Refusal> whyNot(ObservedState observed, Set<String> removed) {
        long reachable = observed.nodes().stream()
                .filter(n -> n.role() == NodeRole.MANAGER && n.managerReachable() && !removed.contains(n.id()))
                .count();
        long members = observed.nodes().stream().filter(n -> n.role() == NodeRole.MANAGER).count() - removed.size();
        return reachable < members / 2 + 1 ? Optional.of(new QuorumLoss(reachable, members)) : Optional.empty();
    }
}
