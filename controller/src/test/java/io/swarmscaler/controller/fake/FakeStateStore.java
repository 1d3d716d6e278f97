package io.swarmscaler.controller.fake;

import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.controller.state.StateStore;
import java.util.Map;

/** The state store as Swarm behaves: a write from a stale version is refused; it can be cut off. */
public final class FakeStateStore implements StateStore {
    private long version = 1;
    private Map<String, String> labels = Map.of();
    private volatile boolean unreachable;
    private int writes;

    @Override
    public synchronized Versioned read() {
        failWhenUnreachable();
        return new Versioned(version, labels);
    }

    @Override
    public synchronized long write(long expected, Map<String, String> labels) {
        failWhenUnreachable();
        if (expected != version) {
            throw new StaleVersionException("update out of sequence");
        }
        writes++;
        this.labels = Map.copyOf(labels);
        return ++version;
    }

    public synchronized int writes() {
        return writes;
    }

    /** Managers unreachable or without quorum: every read and write fails, as Docker's client does. */
    public void unreachable(boolean unreachable) {
        this.unreachable = unreachable;
    }

    private void failWhenUnreachable() {
        if (unreachable) {
            throw new BackendUnavailableException("Docker at fake: cannot reach the managers", null);
        }
    }
}
