package io.swarmscaler.controller.aws;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Where the AWS backend's credentials come from: the file {@code AWS_ENV_FILE} (the seed's Docker secret
 * {@code aws}) when it exists, else the SDK's default chain. Knows how to tell a person what to fix for either,
 * and which values must never appear in a message.
 *
 * @param origin the source named in messages
 * @param missing what to set when no credentials are found
 * @param rejected what to fix when AWS rejects the credentials
 * @param secrets the values read from the file, masked in every message we make
 */
record AwsCredentialsSource(AwsCredentialsProvider provider, String origin, String missing, String rejected,
        Set<String> secrets) {
    static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";

    AwsCredentialsSource {
        secrets = Set.copyOf(secrets);
    }

    /**
     * @param envFile {@code AWS_ENV_FILE}; used when it exists
     * @param defaultChain makes the SDK's default chain, asked only when the file does not exist
     * @throws AwsConfigurationException when the file exists but cannot be read or lacks a key
     */
    static AwsCredentialsSource resolve(Path envFile, Supplier<AwsCredentialsProvider> defaultChain) {
        String source = "AWS_ENV_FILE " + envFile;
        if (!Files.exists(envFile)) {
            String missing = ("no AWS credentials: %s does not exist and the SDK's default chain found none; create the"
                    + " Docker secret aws with the lines export %s=... and export %s=... (or point AWS_ENV_FILE"
                    + " at such a file), or give the SDK credentials (the variables %s and %s, ~/.aws/credentials,"
                    + " or an instance role)").formatted(source, ACCESS_KEY_ID, SECRET_ACCESS_KEY, ACCESS_KEY_ID,
                    SECRET_ACCESS_KEY);
            String origin = "the SDK's default credentials chain (" + source + " does not exist)";
            String rejected = ("AWS rejected the credentials from %s: fix them there, or create the Docker secret aws"
                    + " with the lines export %s=... and export %s=...").formatted(origin, ACCESS_KEY_ID,
                    SECRET_ACCESS_KEY);
            return new AwsCredentialsSource(new MarkingMissing(defaultChain.get()), origin, missing, rejected,
                    Set.of());
        }
        String text;
        try {
            text = Files.readString(envFile, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new AwsConfigurationException("%s cannot be read (%s): expected a readable file with the lines"
                    + " export %s=... and export %s=...".formatted(source, e.getClass().getSimpleName(),
                    ACCESS_KEY_ID, SECRET_ACCESS_KEY));
        }
        Map<String, String> values = AwsEnvFile.parse(text, source);
        List<String> problems = new ArrayList<>();
        for (String required : List.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY)) {
            if (values.getOrDefault(required, "").isBlank()) {
                problems.add("%s sets no %s: expected a line export %s=...".formatted(source, required, required));
            }
        }
        if (!problems.isEmpty()) {
            throw new AwsConfigurationException(problems);
        }
        String token = values.getOrDefault(SESSION_TOKEN, "");
        AwsCredentials credentials = token.isBlank()
                ? AwsBasicCredentials.create(values.get(ACCESS_KEY_ID), values.get(SECRET_ACCESS_KEY))
                : AwsSessionCredentials.create(values.get(ACCESS_KEY_ID), values.get(SECRET_ACCESS_KEY), token);
        String rejected = "AWS rejected the credentials from %s: put valid keys there (export %s=... and export %s=...;"
                .formatted(source, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                + " a Docker secret cannot be changed: create a new one and update the service to use it)";
        Set<String> secrets = values.entrySet().stream()
                .filter(e -> Set.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN).contains(e.getKey()))
                .filter(e -> !e.getValue().isBlank())
                .map(Map.Entry::getValue)
                .collect(Collectors.toSet());
        String missing = "no AWS credentials in " + source; // never: the file has both keys
        return new AwsCredentialsSource(StaticCredentialsProvider.create(credentials), source, missing, rejected,
                secrets);
    }

    /** Masks every secret value in {@code text}: a message never carries a key, whatever AWS echoed. */
    String redact(String text) {
        String result = text == null ? "" : text;
        for (String secret : secrets) {
            result = result.replace(secret, "****");
        }
        return result;
    }

    /** Thrown in place of the chain's own failure, so that "no credentials" is recognised wherever the SDK wraps it. */
    static final class MissingCredentialsException extends RuntimeException {
        MissingCredentialsException() {
            super("no AWS credentials found by the SDK's default chain");
        }
    }

    /** The default chain, its failure replaced by ours: the chain's own text names files and variables we do not control. */
    private record MarkingMissing(AwsCredentialsProvider chain) implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            try {
                return chain.resolveCredentials();
            } catch (RuntimeException e) {
                throw new MissingCredentialsException();
            }
        }
    }
}
