package io.swarmscaler.controller.port;

/** A dependency (Docker, a cloud API) could not be reached or failed for now; the cycle is retried with backoff. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
