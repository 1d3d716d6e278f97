package io.swarmscaler.controller.aws;

/**
 * AWS refused one request for a reason of its own (a {@code ValidationError} such as a capacity beyond the
 * group's MaxSize); the same request would be refused again.
 */
public class AwsRequestRejectedException extends RuntimeException {
    private final String errorCode;

    public AwsRequestRejectedException(String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** AWS's error code, e.g. {@code ValidationError}. */
    public String errorCode() {
        return errorCode;
    }
}
