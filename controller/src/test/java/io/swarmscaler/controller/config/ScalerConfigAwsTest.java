package io.swarmscaler.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code aws} backend's variables, with the old tool's names and defaults. */
class ScalerConfigAwsTest {
    private static Map<String, String> seedStack(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "NODE_SCALER_BACKEND", "aws",
                "AWS_WORKER_ASG", "devops22-NodeAsg-1ABC",
                "AWS_MANAGER_ASG", "devops22-ManagerAsg-2DEF",
                "PROMETHEUS_ADDRESS", "http://monitor:9090"));
        env.putAll(extra);
        return env;
    }

    @Test
    void theSeedsVariablesWithTheirDefaults() {
        ScalerConfig config = ScalerConfig.fromEnvironment(seedStack(Map.of()));
        assertThat(config.backend()).isEqualTo(ScalerConfig.Backend.AWS);
        assertThat(config.aws()).isEqualTo(new ScalerConfig.Aws(Optional.of("devops22-NodeAsg-1ABC"),
                Optional.of("devops22-ManagerAsg-2DEF"), "us-east-1", Path.of("/run/secrets/aws"), Optional.empty()));
        assertThat(config.reconcileInterval()).hasSeconds(10);
    }

    @Test
    void everyAwsVariableSet() {
        ScalerConfig config = ScalerConfig.fromEnvironment(seedStack(Map.of(
                "AWS_DEFAULT_REGION", "eu-central-1",
                "AWS_ENV_FILE", "/etc/scaler/aws.env",
                "AWS_ENDPOINT_URL", "https://vpce-0abc.autoscaling.eu-central-1.vpce.amazonaws.com")));
        assertThat(config.aws().region()).isEqualTo("eu-central-1");
        assertThat(config.aws().envFile()).isEqualTo(Path.of("/etc/scaler/aws.env"));
        assertThat(config.aws().endpoint()).contains(
                URI.create("https://vpce-0abc.autoscaling.eu-central-1.vpce.amazonaws.com"));
    }

    @Test
    void oneGroupIsEnough() {
        Map<String, String> env = seedStack(Map.of());
        env.remove("AWS_MANAGER_ASG");
        assertThat(ScalerConfig.fromEnvironment(env).aws().managerGroup()).isEmpty();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Map.of("AWS_WORKER_ASG", "", "AWS_MANAGER_ASG", " "),
                        "NODE_SCALER_BACKEND=aws needs AWS_WORKER_ASG and AWS_MANAGER_ASG (at least one)"),
                Arguments.of(Map.of("AWS_DEFAULT_REGION", "virginia"),
                        "AWS_DEFAULT_REGION=\"virginia\" is not valid: expected an AWS region such as us-east-1"),
                Arguments.of(Map.of("AWS_ENDPOINT_URL", "autoscaling.local"),
                        "AWS_ENDPOINT_URL=\"autoscaling.local\" is not valid: expected an http(s) URL"),
                Arguments.of(Map.of("AWS_WORKER_ASG", "x".repeat(256)),
                        "AWS_WORKER_ASG=\"" + "x".repeat(256) + "\" is not valid: expected an Auto Scaling group name"),
                Arguments.of(Map.of("PROMETHEUS_ADDRESS", ""), "PROMETHEUS_ADDRESS is not set"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidValuesNameTheVariableAndTheFormExpected(Map<String, String> override, String problem) {
        assertThatThrownBy(() -> ScalerConfig.fromEnvironment(seedStack(override)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anyMatch(p -> p.startsWith(problem)));
    }

    @Test
    void theLocalBackendNeedsNoAwsVariables() {
        assertThat(ScalerConfig.fromEnvironment(Map.of()).aws().workerGroup()).isEmpty();
    }
}
