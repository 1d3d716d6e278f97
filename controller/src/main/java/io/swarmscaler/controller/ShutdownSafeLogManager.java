package io.swarmscaler.controller;

import java.util.logging.LogManager;

/**
 * JUL's own shutdown hook resets logging, which would silence the daemon's last lines (nodes stopped, cluster
 * removed). This manager ignores that reset once told to; the console handler flushes each line, so nothing is lost.
 */
public final class ShutdownSafeLogManager extends LogManager {
    private volatile boolean resettable = true;

    @Override
    public void reset() {
        if (resettable) {
            super.reset();
        }
    }

    void keepHandlersUntilExit() {
        resettable = false;
    }
}
