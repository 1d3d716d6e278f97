package io.swarmscaler.controller.local;

/** The local cluster could not be built or changed; the message names the command or step that failed. */
public class LocalClusterException extends RuntimeException {
    public LocalClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
