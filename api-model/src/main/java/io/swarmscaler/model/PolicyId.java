package io.swarmscaler.model;

import java.util.Comparator;

/** One policy: the service whose labels declare it and the label index ({@code ""} for unnumbered labels). */
public record PolicyId(String service, String index) implements Comparable<PolicyId> {
    private static final Comparator<PolicyId> ORDER =
            Comparator.comparing(PolicyId::service).thenComparing(PolicyId::index);

    @Override
    public int compareTo(PolicyId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return index.isEmpty() ? service : service + "#" + index;
    }
}
