package io.swarmscaler.controller.webhook;

import io.swarmscaler.controller.config.ConfigException;
import io.swarmscaler.controller.http.HttpApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;

/**
 * Credentials for the HTTP API, read from a file such as a Docker secret: one line, {@code bearer TOKEN} or
 * {@code basic USER:PASSWORD}. Compared in constant time; never logged or echoed.
 */
public final class WebhookAuth implements HttpApi.Authenticator {
    /** {@code Bearer} or {@code Basic}, as sent; compared without regard to case (RFC 7235). */
    private final String scheme;
    private final byte[] expectedCredentials;

    private WebhookAuth(String scheme, String credentials) {
        this.scheme = scheme;
        this.expectedCredentials = credentials.getBytes(StandardCharsets.UTF_8);
    }

    /** @throws ConfigException naming the file and the form expected, never its content */
    public static WebhookAuth fromFile(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException("WEBHOOK_AUTH_FILE=%s cannot be read (%s): expected a readable file"
                    .formatted(file, e.getClass().getSimpleName()));
        }
        String expected = "a single line `bearer TOKEN` or `basic USER:PASSWORD`";
        int space = content.indexOf(' ');
        if (space < 0 || content.contains("\n")) {
            throw new ConfigException("WEBHOOK_AUTH_FILE=%s is not valid: expected %s".formatted(file, expected));
        }
        String scheme = content.substring(0, space).toLowerCase(Locale.ROOT);
        String secret = content.substring(space + 1).strip();
        if (scheme.equals("bearer") && !secret.isEmpty()) {
            return new WebhookAuth("Bearer", secret);
        }
        if (scheme.equals("basic") && secret.indexOf(':') > 0) {
            return new WebhookAuth("Basic",
                    Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        }
        throw new ConfigException("WEBHOOK_AUTH_FILE=%s is not valid: expected %s".formatted(file, expected));
    }

    /** The {@code Authorization} header value a client sends, for the {@code status} command. */
    public String authorizationHeader() {
        return scheme + " " + new String(expectedCredentials, StandardCharsets.UTF_8);
    }

    @Override
    public boolean allows(HttpApi.Request request) {
        String header = request.header("Authorization").orElse("").strip();
        int space = header.indexOf(' ');
        boolean schemeMatches = space > 0 && header.substring(0, space).equalsIgnoreCase(scheme);
        byte[] given = (space > 0 ? header.substring(space + 1).strip() : "").getBytes(StandardCharsets.UTF_8);
        // Credentials compared in constant time whatever the scheme, so that timing tells nothing.
        return MessageDigest.isEqual(given, expectedCredentials) & schemeMatches;
    }

    @Override
    public String toString() {
        return "WebhookAuth[credentials hidden]";
    }
}
