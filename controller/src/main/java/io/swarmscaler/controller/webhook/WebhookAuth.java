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
    private final byte[] expectedHeader;

    private WebhookAuth(String expectedHeader) {
        this.expectedHeader = expectedHeader.getBytes(StandardCharsets.UTF_8);
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
            return new WebhookAuth("Bearer " + secret);
        }
        if (scheme.equals("basic") && secret.indexOf(':') > 0) {
            return new WebhookAuth("Basic "
                    + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        }
        throw new ConfigException("WEBHOOK_AUTH_FILE=%s is not valid: expected %s".formatted(file, expected));
    }

    /** The {@code Authorization} header value a client sends, for the {@code status} command. */
    public String authorizationHeader() {
        return new String(expectedHeader, StandardCharsets.UTF_8);
    }

    @Override
    public boolean allows(HttpApi.Request request) {
        byte[] given = request.header("Authorization").orElse("").strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expectedHeader);
    }

    @Override
    public String toString() {
        return "WebhookAuth[credentials hidden]";
    }
}
