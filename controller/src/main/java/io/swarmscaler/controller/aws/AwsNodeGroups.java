package io.swarmscaler.controller.aws;

import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.model.NodeRole;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The {@code aws} backend: the worker and manager Auto Scaling groups as {@link NodeGroup}s, over one pair of SDK
 * clients. {@link #connect} checks the credentials and the groups once, so that a wrong setting stops start-up
 * with a message that names it instead of failing every pass.
 */
public final class AwsNodeGroups implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AwsNodeGroups.class.getName());

    /**
     * How the SDK retries throttling, 5xx and I/O failures: exponential backoff with full jitter, a longer base
     * for throttling, as AWS advises. After {@code maxAttempts} the call fails with {@link AwsUnavailableException}.
     */
    record RetrySettings(int maxAttempts, Duration baseDelay, Duration throttlingBaseDelay, Duration maxDelay) {
        static final RetrySettings DEFAULT = new RetrySettings(5, Duration.ofMillis(200), Duration.ofSeconds(1),
                Duration.ofSeconds(20));

        RetryStrategy strategy() {
            return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                    .maxAttempts(maxAttempts)
                    .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxDelay))
                    .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(throttlingBaseDelay, maxDelay))
                    .build();
        }
    }

    private final SdkHttpClient http;
    private final AutoScalingClient autoScaling;
    private final Ec2Client ec2;
    private final List<AwsNodeGroup> groups;

    private AwsNodeGroups(SdkHttpClient http, AutoScalingClient autoScaling, Ec2Client ec2, List<AwsNodeGroup> groups) {
        this.http = http;
        this.autoScaling = autoScaling;
        this.ec2 = ec2;
        this.groups = List.copyOf(groups);
    }

    /**
     * Connects to the groups named by {@code AWS_WORKER_ASG} and {@code AWS_MANAGER_ASG}, with credentials from
     * {@code AWS_ENV_FILE} or else the SDK's default chain.
     *
     * @throws AwsConfigurationException when the credentials are missing or rejected, a permission is missing, or
     *     a group does not exist; AWS being unavailable at start is only logged (every pass retries)
     */
    public static AwsNodeGroups connect(ScalerConfig.Aws settings) {
        return connect(settings, () -> DefaultCredentialsProvider.builder().build(), RetrySettings.DEFAULT,
                Clock.systemUTC());
    }

    /** @param defaultChain makes the SDK's default credentials chain; tests give one that finds nothing */
    static AwsNodeGroups connect(ScalerConfig.Aws settings, Supplier<AwsCredentialsProvider> defaultChain,
            RetrySettings retry, Clock clock) {
        AwsCredentialsSource credentials = AwsCredentialsSource.resolve(settings.envFile(), defaultChain);
        SdkHttpClient http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(20))
                .build();
        ClientOverrideConfiguration override = ClientOverrideConfiguration.builder()
                .retryStrategy(retry.strategy())
                .apiCallAttemptTimeout(Duration.ofSeconds(25))
                .apiCallTimeout(Duration.ofMinutes(2))
                .build();
        Region region = Region.of(settings.region());
        var autoScalingBuilder = AutoScalingClient.builder().region(region).httpClient(http)
                .credentialsProvider(credentials.provider()).overrideConfiguration(override);
        var ec2Builder = Ec2Client.builder().region(region).httpClient(http)
                .credentialsProvider(credentials.provider()).overrideConfiguration(override);
        settings.endpoint().ifPresent(endpoint -> {
            autoScalingBuilder.endpointOverride(endpoint);
            ec2Builder.endpointOverride(endpoint);
        });
        AutoScalingClient autoScaling = autoScalingBuilder.build();
        Ec2Client ec2 = ec2Builder.build();
        AwsApi api = new AwsApi(autoScaling, ec2, new AwsFailures(credentials));
        LaunchShapes shapes = new LaunchShapes(api);
        List<AwsNodeGroup> groups = new ArrayList<>();
        settings.workerGroup().ifPresent(name -> groups.add(new AwsNodeGroup(NodeRole.WORKER, name,
                "AWS_WORKER_ASG", settings.region(), api, shapes, clock)));
        settings.managerGroup().ifPresent(name -> groups.add(new AwsNodeGroup(NodeRole.MANAGER, name,
                "AWS_MANAGER_ASG", settings.region(), api, shapes, clock)));
        AwsNodeGroups backend = new AwsNodeGroups(http, autoScaling, ec2, groups);
        try {
            backend.check(credentials);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /** Reads every group once: wrong credentials or names stop here; AWS being down only warns. */
    private void check(AwsCredentialsSource credentials) {
        for (AwsNodeGroup group : groups) {
            try {
                NodeGroup.Capacity capacity = group.capacity();
                LOG.info("AWS Auto Scaling group %s (%s nodes): desired %d, min %d, max %d, %d instances;"
                        .formatted(group.groupName(), group.role().word(), capacity.desired(), capacity.min(),
                                capacity.max(), capacity.instances().size())
                        + " credentials from " + credentials.origin());
            } catch (AwsUnavailableException e) {
                LOG.warning("AWS is not answering at start; every pass will try again: " + e.getMessage());
            }
        }
    }

    public List<NodeGroup> groups() {
        return List.copyOf(groups);
    }

    public Optional<NodeGroup> group(NodeRole role) {
        return groups.stream().filter(g -> g.role() == role).map(g -> (NodeGroup) g).findFirst();
    }

    @Override
    public void close() {
        autoScaling.close();
        ec2.close();
        http.close();
    }
}
