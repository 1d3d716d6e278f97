package io.swarmscaler.controller.aws;

import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the SDK's exceptions into ours. By the time one reaches here the SDK's retry strategy (see
 * {@link AwsNodeGroups.RetrySettings}) has already retried throttling, 5xx and I/O failures with backoff and
 * jitter, so what is left is either still unavailable, a configuration problem, or a refusal. Credential
 * failures never carry AWS's text or the SDK's exception: only our message, which names what to set.
 */
final class AwsFailures {
    /** AWS's codes for credentials that are unknown, expired or wrongly signed (Auto Scaling and EC2). */
    private static final Set<String> CREDENTIAL_CODES = Set.of("InvalidClientTokenId", "SignatureDoesNotMatch",
            "UnrecognizedClientException", "AuthFailure", "ExpiredToken", "ExpiredTokenException",
            "InvalidAccessKeyId", "MissingAuthenticationToken", "IncompleteSignature", "InvalidSignatureException",
            "MissingAuthenticationTokenException", "RequestExpired");
    /** Valid credentials without the IAM permission for the call. */
    private static final Set<String> PERMISSION_CODES = Set.of("AccessDenied", "AccessDeniedException",
            "UnauthorizedOperation", "OptInRequired");

    private final AwsCredentialsSource credentials;

    AwsFailures(AwsCredentialsSource credentials) {
        this.credentials = credentials;
    }

    /**
     * Runs one SDK call.
     *
     * @param permission the IAM action it needs, e.g. {@code autoscaling:SetDesiredCapacity}
     * @param subject what it was about, for messages, e.g. {@code Auto Scaling group devops22-NodeAsg-1}
     */
    <T> T call(String permission, String subject, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            // The SDK passes a credentials provider's own exception through unwrapped, or wrapped: look at both.
            if (causedByMissingCredentials(e)) {
                throw new AwsConfigurationException(credentials.missing());
            }
            if (e instanceof SdkException sdk) {
                throw translate(sdk, permission, subject);
            }
            throw e;
        }
    }

    private RuntimeException translate(SdkException e, String permission, String subject) {
        String attempts = e.numAttempts() == null ? "" : " after %d attempt%s".formatted(e.numAttempts(),
                e.numAttempts() == 1 ? "" : "s");
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            String requestId = service.requestId() == null ? "" : ", request id " + service.requestId();
            if (code != null && CREDENTIAL_CODES.contains(code)) {
                return new AwsConfigurationException("%s (%s on %s, error %s%s)".formatted(credentials.rejected(),
                        permission, subject, code, requestId));
            }
            if (code != null && PERMISSION_CODES.contains(code)) {
                return new AwsConfigurationException(("AWS denied %s on %s (%s%s): grant the IAM permission %s to"
                        + " the user or role of %s (see README, On AWS)").formatted(permission, subject, code,
                        requestId, permission, credentials.origin()));
            }
            String message = credentials.redact(service.awsErrorDetails() == null ? service.getMessage()
                    : service.awsErrorDetails().errorMessage());
            if (service.isThrottlingException() || service.statusCode() >= 500) {
                return new AwsUnavailableException("AWS %s on %s did not succeed%s: %s %s (HTTP %d%s)".formatted(
                        permission, subject, attempts, code, message, service.statusCode(), requestId), e);
            }
            return new AwsRequestRejectedException(code, "AWS refused %s on %s: %s %s%s".formatted(permission,
                    subject, code, message, requestId), e);
        }
        // SdkClientException: no answer (connection refused, timeout, broken reply).
        return new AwsUnavailableException("cannot reach AWS for %s on %s%s: %s".formatted(permission, subject,
                attempts, credentials.redact(rootMessage(e))), e);
    }

    private static boolean causedByMissingCredentials(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AwsCredentialsSource.MissingCredentialsException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
