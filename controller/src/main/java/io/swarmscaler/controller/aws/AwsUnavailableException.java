package io.swarmscaler.controller.aws;

import io.swarmscaler.controller.port.BackendUnavailableException;

/**
 * AWS kept throttling, failing (5xx) or could not be reached after the SDK's retries with backoff and jitter;
 * the reconcile pass fails and is retried with its own backoff.
 */
public class AwsUnavailableException extends BackendUnavailableException {
    public AwsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
