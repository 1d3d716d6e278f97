package io.swarmscaler.controller.config;

import io.swarmscaler.model.Durations;
import io.swarmscaler.model.GroupBounds;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.Planner;
import io.swarmscaler.model.ServiceScaling;
import io.swarmscaler.model.WarmPool;
import io.swarmscaler.model.PolicyParser;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The daemon's configuration, from environment variables. The old tool's names keep their meaning
 * ({@code NODE_SCALER_BACKEND}, {@code DEFAULT_MIN_WORKER_NODES}, ...); every variable is listed in
 * {@code config/swarm-scaler.env}. All problems are reported at once, each naming the variable and the form
 * expected.
 */
public record ScalerConfig(
        Backend backend,
        String dockerHost,
        Optional<URI> prometheusAddress,
        Duration reconcileInterval,
        Duration scaleUpCooldown,
        Duration provisionTimeout,
        String rescheduleLabel,
        Duration scaleDownCooldown,
        Duration drainTimeout,
        double scaleDownMargin,
        Duration failedGroupBackoff,
        Duration failedGroupBackoffMax,
        Duration pendingTaskDelay,
        WarmPool.Settings warmPools,
        Duration trendLookback,
        Duration trendStep,
        Map<NodeRole, GroupBounds> defaultBounds,
        ServiceScaling.Defaults replicaDefaults,
        boolean legacyNodeExporterNames,
        Local local,
        Aws aws,
        Http http,
        Observability observability,
        Leadership leadership) {

    /**
     * Where the replicas keep their memory and their lease, and the lease's timing (Kubernetes' defaults).
     *
     * @param stateService the 0-replica Swarm service whose labels hold the state
     * @param replicaId this replica's name in the lease: unique among the replicas
     */
    public record Leadership(String stateService, String replicaId, Duration lease, Duration renewDeadline,
            Duration retryPeriod) {}

    /**
     * What the daemon reports about itself.
     *
     * @param dryRun plan and report everything, change nothing ({@code DRY_RUN}, {@code --dry-run})
     * @param jsonLogs one JSON object per log line instead of plain lines ({@code LOG_FORMAT=json})
     * @param readyMaxAge {@code /readyz} fails when no reconcile pass succeeded for this long
     */
    public record Observability(boolean dryRun, boolean jsonLogs, Duration readyMaxAge) {}

    /**
     * The HTTP API and where notifications go.
     *
     * @param prefix extra path prefix of every route (the old tool's {@code SERVER_PREFIX}), or empty
     * @param authFile credentials required on every route but the liveness ones, when set
     * @param slackWebhookUrl a secret: never logged
     */
    public record Http(String listenAddress, int listenPort, String prefix, int maxConnections,
            Optional<java.nio.file.Path> authFile, Optional<URI> alertmanagerAddress, Optional<URI> slackWebhookUrl) {
        @Override
        public String toString() {
            return "Http[listen=%s:%d, prefix=%s, maxConnections=%d, auth=%s, alertmanager=%s, slack=%s]".formatted(
                    listenAddress, listenPort, prefix, maxConnections, authFile.isPresent() ? "file" : "none",
                    alertmanagerAddress.orElse(null), slackWebhookUrl.isPresent() ? "set" : "none");
        }
    }

    public enum Backend {
        LOCAL,
        AWS
    }

    /**
     * The {@code local} backend's own settings.
     *
     * @param workers how many worker nodes to have when it starts
     * @param keepCluster leave the cluster running when the daemon stops, for the next start to adopt
     * @param bootDelay how long a node the scaler launches takes before it joins, to act like a cloud's boot
     */
    public record Local(String name, Path stateDir, String subnet, int workers, int prometheusPort,
            int exporterPort, boolean keepCluster, Duration bootDelay) {}

    /**
     * The {@code aws} backend's settings.
     *
     * @param workerGroup {@code AWS_WORKER_ASG}: the Auto Scaling group of the worker nodes
     * @param managerGroup {@code AWS_MANAGER_ASG}: the Auto Scaling group of the manager nodes
     * @param envFile {@code AWS_ENV_FILE}: credentials as {@code export AWS_ACCESS_KEY_ID=...} lines; when the
     *     file does not exist, the SDK's default chain is used
     * @param endpoint {@code AWS_ENDPOINT_URL}: one endpoint for Auto Scaling and EC2 (a VPC endpoint, a test)
     */
    public record Aws(Optional<String> workerGroup, Optional<String> managerGroup, String region, Path envFile,
            Optional<URI> endpoint) {}

    public static ScalerConfig fromEnvironment(Map<String, String> env) {
        Reader r = new Reader(env);
        Backend backend = r.value("NODE_SCALER_BACKEND", "local", "local or aws", v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "local" -> Backend.LOCAL;
            case "aws" -> Backend.AWS;
            default -> null;
        });
        String dockerHost = r.value("DOCKER_HOST", "unix:///var/run/docker.sock",
                "a Docker address such as unix:///var/run/docker.sock or tcp://host:2375",
                v -> v.startsWith("unix://") || v.startsWith("tcp://") ? v : null);
        Optional<URI> prometheus = Optional.ofNullable(env.get("PROMETHEUS_ADDRESS")).filter(v -> !v.isBlank())
                .map(v -> r.<URI>value("PROMETHEUS_ADDRESS", v, "an http(s) URL such as http://prometheus:9090",
                        ScalerConfig::httpUri));
        if (backend != Backend.LOCAL && prometheus.isEmpty()) {
            r.problems.add("PROMETHEUS_ADDRESS is not set: expected the URL of the Prometheus that scrapes the"
                    + " node exporters, e.g. http://prometheus:9090");
        }
        // A local cluster is small and cheap to look at: a short loop shows decisions within seconds.
        Duration interval = r.duration("RECONCILE_INTERVAL", backend == Backend.LOCAL ? "2s" : "10s");
        Duration cooldown = r.duration("SCALE_UP_COOLDOWN", "3m");
        Duration provision = env.containsKey("RESCHEDULE_TIMEOUT") && !env.containsKey("NODE_PROVISION_TIMEOUT")
                ? Duration.ofSeconds(r.integer("RESCHEDULE_TIMEOUT", "1000", 1))
                : r.duration("NODE_PROVISION_TIMEOUT", "15m");
        Duration scaleDownCooldown = r.duration("SCALE_DOWN_COOLDOWN", "10m");
        Duration drainTimeout = r.duration("DRAIN_TIMEOUT", "10m");
        double margin = r.value("SCALE_DOWN_MARGIN", "0.05", "a ratio between 0 and 1, e.g. 0.05", v -> {
            try {
                double d = Double.parseDouble(v);
                return d >= 0 && d < 1 ? d : null;
            } catch (NumberFormatException e) {
                return null;
            }
        });
        Duration backoff = r.duration("FAILED_GROUP_BACKOFF", "5m");
        Duration backoffMax = r.duration("FAILED_GROUP_BACKOFF_MAX", "30m");
        Duration pendingTaskDelay = r.duration("PENDING_TASK_DELAY", "10s");
        String rescheduleLabel = r.value("RESCHEDULE_LABEL", "com.df.reschedule", "a Docker label key",
                v -> v.isBlank() || v.contains("=") ? null : v);
        int upBy = r.integer("DEFAULT_SCALE_NODES_UP_BY", "1", 1);
        int downBy = r.integer("DEFAULT_SCALE_NODES_DOWN_BY", "1", 1);
        Map<NodeRole, GroupBounds> bounds = Map.of(
                NodeRole.WORKER, r.bounds("WORKER", 0, 5, upBy, downBy),
                NodeRole.MANAGER, r.bounds("MANAGER", 3, 7, upBy, downBy));
        ServiceScaling.Defaults replicas = r.replicaDefaults();
        Duration trendLookback = r.duration("PREDICT_LOOKBACK", "15m");
        Duration trendStep = r.duration("PREDICT_STEP", "15s");
        if (trendStep.compareTo(trendLookback) > 0) {
            r.problems.add("PREDICT_STEP (%s) is longer than PREDICT_LOOKBACK (%s): expected a step that fits in the"
                    .formatted(trendStep, trendLookback) + " lookback, e.g. 15s in 15m");
        }
        WarmPool.Settings warm = new WarmPool.Settings(r.integer("DEFAULT_WARM_WORKER_NODES", "0", 0),
                r.durationOrNone("WARM_NODE_MAX_IDLE", "0s"));
        boolean legacy = r.value("NODE_EXPORTER_METRIC_NAMES", "current", "current (names ending in _bytes) or legacy",
                v -> switch (v) {
                    case "current" -> Boolean.FALSE;
                    case "legacy" -> Boolean.TRUE;
                    default -> null;
                });
        Local local = new Local(
                r.value("LOCAL_CLUSTER_NAME", "ssl", "1 to 8 lower-case letters or digits",
                        v -> v.matches("[a-z][a-z0-9]{0,7}") ? v : null),
                Path.of(r.<String>value("LOCAL_STATE_DIR", "/var/lib/swarm-scaler/local", "an absolute path",
                        v -> v.startsWith("/") ? v : null)),
                r.value("LOCAL_SUBNET", "10.213.0", "the first three octets of a private /24, e.g. 10.213.0",
                        v -> v.matches("(10|192\\.168|172\\.(1[6-9]|2\\d|3[01]))(\\.\\d{1,3}){1,2}")
                                && v.split("\\.").length == 3 ? v : null),
                r.integer("LOCAL_WORKERS", "1", 0),
                r.port("LOCAL_PROMETHEUS_PORT", "9090"),
                r.port("LOCAL_EXPORTER_PORT", "9101"),
                r.bool("LOCAL_KEEP_CLUSTER", "false"),
                r.durationOrNone("LOCAL_NODE_BOOT_DELAY", "0s"));
        Aws aws = r.aws(backend == Backend.AWS);
        Http http = new Http(
                r.value("LISTEN_ADDRESS", "0.0.0.0", "an IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1",
                        v -> v.matches("[0-9.]+|[0-9a-fA-F:]+") ? v : null),
                r.value("LISTEN_PORT", "8080", "a TCP port between 0 and 65535 (0: any free port)", v -> {
                    try {
                        int i = Integer.parseInt(v);
                        return i >= 0 && i <= 65535 ? i : null;
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }),
                r.value("SERVER_PREFIX", "", "a path such as /scaler", v -> v.isEmpty() || v.startsWith("/") ? v : null),
                r.integer("HTTP_MAX_CONNECTIONS", "512", 4),
                Optional.ofNullable(env.get("WEBHOOK_AUTH_FILE")).filter(v -> !v.isBlank()).map(java.nio.file.Path::of),
                Optional.ofNullable(env.get("ALERTMANAGER_ADDRESS")).filter(v -> !v.isBlank())
                        .map(v -> r.<URI>value("ALERTMANAGER_ADDRESS", v, "an http(s) URL such as"
                                + " http://alert-manager:9093", ScalerConfig::httpUri)),
                Optional.ofNullable(env.get("SLACK_WEBHOOK_URL")).filter(v -> !v.isBlank())
                        .map(v -> r.<URI>secret("SLACK_WEBHOOK_URL", v, "an https URL of a Slack incoming webhook",
                                ScalerConfig::httpUri)));
        Observability observability = new Observability(
                r.bool("DRY_RUN", "false"),
                r.value("LOG_FORMAT", "text", "text or json", v -> switch (v.toLowerCase(Locale.ROOT)) {
                    case "text" -> Boolean.FALSE;
                    case "json" -> Boolean.TRUE;
                    default -> null;
                }),
                // Long enough for a few failed passes with backoff, short enough for Swarm to restart a stuck daemon.
                r.duration("READY_MAX_AGE", "2m"));
        Leadership leadership = new Leadership(
                r.value("STATE_SERVICE_NAME", "swarm-scaler-state", "a Swarm service name (letters, digits, -, _)",
                        v -> v.matches("[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}") ? v : null),
                r.value("REPLICA_ID", defaultReplicaId(), "a non-empty name without spaces",
                        v -> v.matches("\\S{1,128}") ? v : null),
                r.duration("LEASE_DURATION", "15s"),
                r.duration("LEASE_RENEW_DEADLINE", "10s"),
                r.duration("LEASE_RETRY_PERIOD", "2s"));
        if (leadership.renewDeadline().compareTo(leadership.lease()) >= 0
                || leadership.retryPeriod().compareTo(leadership.renewDeadline()) >= 0) {
            r.problems.add(("LEASE_RETRY_PERIOD (%s) < LEASE_RENEW_DEADLINE (%s) < LEASE_DURATION (%s) does not hold:"
                    + " a leader must give up before another may take over").formatted(leadership.retryPeriod(),
                    leadership.renewDeadline(), leadership.lease()));
        }
        if (!r.problems.isEmpty()) {
            throw new ConfigException(r.problems);
        }
        return new ScalerConfig(backend, dockerHost, prometheus, interval, cooldown, provision, rescheduleLabel,
                scaleDownCooldown, drainTimeout, margin, backoff, backoffMax, pendingTaskDelay, warm, trendLookback, trendStep,
                bounds, replicas,
                legacy, local, aws, http, observability, leadership);
    }

    /** A Swarm task's hostname is its container's id; the pid tells apart processes on one host. */
    private static String defaultReplicaId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "replica";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    public Planner.Settings plannerSettings() {
        return new Planner.Settings(scaleUpCooldown, provisionTimeout, rescheduleLabel, scaleDownCooldown,
                drainTimeout, scaleDownMargin, failedGroupBackoff, failedGroupBackoffMax, pendingTaskDelay, defaultBounds,
                replicaDefaults, warmPools);
    }

    public PolicyParser.Settings parserSettings() {
        return new PolicyParser.Settings(defaultBounds, legacyNodeExporterNames, rescheduleLabel, trendLookback,
                trendStep);
    }

    private static URI httpUri(String v) {
        try {
            URI uri = URI.create(v);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    ? uri : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Reads variables, collecting every problem instead of stopping at the first. */
    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        <T> T value(String name, String fallback, String expected, Function<String, T> parse) {
            String raw = env.getOrDefault(name, fallback);
            T parsed = parse.apply(raw.trim());
            if (parsed == null) {
                problems.add("%s=\"%s\" is not valid: expected %s".formatted(name, raw, expected));
                return parse.apply(fallback);
            }
            return parsed;
        }

        /** Like {@link #value} for a secret: a problem names the variable but never shows its value. */
        <T> T secret(String name, String raw, String expected, Function<String, T> parse) {
            T parsed = parse.apply(raw.trim());
            if (parsed == null) {
                problems.add("%s is not valid (value hidden): expected %s".formatted(name, expected));
            }
            return parsed;
        }

        Duration duration(String name, String fallback) {
            return value(name, fallback, Durations.EXPECTED,
                    v -> Durations.parse(v).filter(d -> !d.isZero()).orElse(null));
        }

        /** A duration where 0s means none (no delay, never). */
        Duration durationOrNone(String name, String fallback) {
            return value(name, fallback, Durations.EXPECTED + ", or 0s for none", v -> Durations.parse(v).orElse(null));
        }

        int integer(String name, String fallback, int lowest) {
            return value(name, fallback, "a whole number, at least " + lowest, v -> {
                try {
                    int i = Integer.parseInt(v);
                    return i >= lowest ? i : null;
                } catch (NumberFormatException e) {
                    return null;
                }
            });
        }

        int port(String name, String fallback) {
            return value(name, fallback, "a TCP port between 1 and 65535", v -> {
                try {
                    int i = Integer.parseInt(v);
                    return i >= 1 && i <= 65535 ? i : null;
                } catch (NumberFormatException e) {
                    return null;
                }
            });
        }

        boolean bool(String name, String fallback) {
            return value(name, fallback, "true or false", v -> switch (v.toLowerCase(Locale.ROOT)) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> null;
            });
        }

        /** The {@code aws} settings; the group names are required only when that backend is chosen. */
        Aws aws(boolean required) {
            Optional<String> worker = groupName("AWS_WORKER_ASG");
            Optional<String> manager = groupName("AWS_MANAGER_ASG");
            if (required && worker.isEmpty() && manager.isEmpty()) {
                problems.add("NODE_SCALER_BACKEND=aws needs AWS_WORKER_ASG and AWS_MANAGER_ASG (at least one):"
                        + " expected the names of the Auto Scaling groups, e.g. devops22-NodeAsg-1ABCDEF");
            }
            String region = value("AWS_DEFAULT_REGION", "us-east-1", "an AWS region such as us-east-1",
                    v -> v.matches("[a-z]{2}(-[a-z]+)+-\\d{1,2}") ? v : null);
            Path envFile = Path.of(this.<String>value("AWS_ENV_FILE", "/run/secrets/aws",
                    "the path of a file with export AWS_ACCESS_KEY_ID=... lines", v -> v.isEmpty() ? null : v));
            Optional<URI> endpoint = Optional.ofNullable(env.get("AWS_ENDPOINT_URL")).filter(v -> !v.isBlank())
                    .map(v -> this.<URI>value("AWS_ENDPOINT_URL", v,
                            "an http(s) URL such as https://autoscaling.us-east-1.amazonaws.com",
                            ScalerConfig::httpUri));
            return new Aws(worker, manager, region, envFile, endpoint);
        }

        private Optional<String> groupName(String name) {
            return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty())
                    .map(v -> value(name, v, "an Auto Scaling group name of at most 255 characters",
                            g -> g.length() <= 255 && g.chars().noneMatch(Character::isISOControl) ? g : null));
        }

        /** The old tool's replica bounds for services without com.df.scaleMin/Max labels: 1..5. */
        ServiceScaling.Defaults replicaDefaults() {
            int lo = integer("DEFAULT_MIN_REPLICAS", "1", 0);
            int hi = integer("DEFAULT_MAX_REPLICAS", "5", 0);
            if (lo > hi) {
                problems.add("DEFAULT_MIN_REPLICAS=%d is above DEFAULT_MAX_REPLICAS=%d: expected a minimum no greater"
                        .formatted(lo, hi) + " than the maximum");
                return new ServiceScaling.Defaults(1, 5);
            }
            return new ServiceScaling.Defaults(lo, hi);
        }

        GroupBounds bounds(String role, int min, int max, int upBy, int downBy) {
            String minName = "DEFAULT_MIN_" + role + "_NODES";
            String maxName = "DEFAULT_MAX_" + role + "_NODES";
            int lo = integer(minName, Integer.toString(min), 0);
            int hi = integer(maxName, Integer.toString(max), 0);
            if (lo > hi) {
                problems.add("%s=%d is above %s=%d: expected a minimum no greater than the maximum"
                        .formatted(minName, lo, maxName, hi));
                return new GroupBounds(min, max, upBy, downBy);
            }
            return new GroupBounds(lo, hi, upBy, downBy);
        }
    }
}
