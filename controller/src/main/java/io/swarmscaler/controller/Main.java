package io.swarmscaler.controller;

import io.swarmscaler.controller.aws.AwsConfigurationException;
import io.swarmscaler.controller.aws.AwsNodeGroups;
import io.swarmscaler.controller.config.ConfigException;
import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.docker.DockerSwarms;
import io.swarmscaler.controller.http.HttpApi;
import io.swarmscaler.controller.local.LocalCluster;
import io.swarmscaler.controller.local.LocalLab;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.controller.prometheus.Prometheus;
import io.swarmscaler.controller.state.StateStore;
import io.swarmscaler.controller.notify.Notifiers;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code swarm-scaler} command. */
@Command(name = "swarm-scaler", mixinStandardHelpOptions = true, version = "swarm-scaler 0.1.0",
        description = "Keeps a Docker Swarm cluster the right size.",
        subcommands = {Main.Run.class, CheckCommand.class, StatusCommand.class})
public final class Main implements Callable<Integer> {
    static {
        System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    public static void main(String[] args) {
        OneLineLogFormat.install();
        if (java.util.logging.LogManager.getLogManager() instanceof ShutdownSafeLogManager manager) {
            manager.keepHandlersUntilExit();
        }
        System.exit(commandLine().execute(args));
    }

    /** The command with its subcommands; {@code run --help} lists every variable from config/swarm-scaler.env. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        CommandLine run = cli.getSubcommands().get("run");
        // Rendered only when help is asked for: a start need not read and format the whole configuration file.
        run.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
                help -> EnvironmentHelp.text());
        return cli;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Runs the daemon. Configured by environment variables (below; config/swarm-scaler.env"
                    + " has them all with their defaults).",
                    "NODE_SCALER_BACKEND=local (the default) starts a local Swarm, a demo exporter and Prometheus."},
            footerHeading = "%nEnvironment variables:%n")
    static final class Run implements Callable<Integer> {
        @CommandLine.Option(names = "--dry-run", description = "Plan and report everything, change nothing"
                + " (env DRY_RUN=true).")
        boolean dryRun;

        @CommandLine.Option(names = "--log-format", paramLabel = "text|json",
                description = "Plain lines (default) or one JSON object per line (env LOG_FORMAT).")
        String logFormat;

        @Override
        public Integer call() throws Exception {
            Map<String, String> env = new HashMap<>(System.getenv());
            if (dryRun) {
                env.put("DRY_RUN", "true");
            }
            if (logFormat != null) {
                env.put("LOG_FORMAT", logFormat);
            }
            ScalerConfig config;
            try {
                config = ScalerConfig.fromEnvironment(env);
            } catch (ConfigException e) {
                System.err.println("swarm-scaler: " + e.getMessage());
                return 2;
            }
            if (config.observability().jsonLogs()) {
                OneLineLogFormat.install(new JsonLogFormat());
            }
            try {
                return new Daemon(config).runUntilStopped();
            } catch (AwsConfigurationException | ConfigException e) {
                System.err.println("swarm-scaler: " + e.getMessage());
                return 2;
            }
        }
    }

    /** Wires the ports to their adapters and runs the loop until the process is asked to stop. */
    static final class Daemon {
        private final ScalerConfig config;

        Daemon(ScalerConfig config) {
            this.config = config;
        }

        int runUntilStopped() throws InterruptedException {
            HttpApi api = ScalerRuntime.listen(config); // first: /v1/ping answers while the backends connect
            LocalLab lab = null;
            ScalerRuntime runtime;
            URI prometheusAddress;
            try {
                Swarm swarm;
                Supplier<List<NodeGroup>> groups;
                String dockerHost = config.dockerHost();
                if (config.backend() == ScalerConfig.Backend.LOCAL) {
                    ScalerConfig.Local local = config.local();
                    lab = LocalLab.start(new LocalCluster.Settings(local.name(), local.stateDir(), local.subnet()),
                            local.workers(), local.exporterPort(), local.prometheusPort(), local.keepCluster(),
                            DockerSwarms::connect);
                    lab.deployDemoServices(DockerSwarms.client(lab.cluster().dockerHost()));
                    swarm = lab.swarm();
                    dockerHost = lab.cluster().dockerHost();
                    List<NodeGroup> workers = List.of(lab.cluster().workerGroup(local.bootDelay()));
                    groups = () -> workers;
                    prometheusAddress = config.prometheusAddress().orElse(lab.prometheus().address());
                    printLocalHints(lab);
                } else {
                    // The AWS SDK's set-up and check take about a second: alongside Docker's clients and the
                    // first lease round (ScalerRuntime waits for the groups only once that round has begun).
                    CompletableFuture<AwsNodeGroups> aws = CompletableFuture.supplyAsync(
                            () -> AwsNodeGroups.connect(config.aws()));
                    swarm = DockerSwarms.connect(config.dockerHost());
                    groups = () -> joined(aws).groups();
                    prometheusAddress = config.prometheusAddress().orElseThrow();
                }
                Metrics metrics = Prometheus.connect(prometheusAddress);
                runtime = ScalerRuntime.start(config, swarm, groups, metrics,
                        Notifiers.from(config.http(), Clock.systemUTC()), Clock.systemUTC(),
                        StateStore.swarmService(dockerHost, config.leadership().stateService()), api);
            } catch (RuntimeException e) {
                api.close();
                throw e;
            }
            LOG.info("Swarm Scaler running%s: backend %s, Prometheus %s, every %ss, HTTP API on %s:%d%s".formatted(
                    config.observability().dryRun() ? " as a DRY RUN (plans and reports, changes nothing)" : "",
                    config.backend().name().toLowerCase(java.util.Locale.ROOT), prometheusAddress,
                    config.reconcileInterval().toSeconds(), config.http().listenAddress(), runtime.httpPort(),
                    config.http().prefix()));

            CountDownLatch stopped = new CountDownLatch(1);
            LocalLab ownedLab = lab;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("Stopping");
                try {
                    runtime.close();
                } catch (Exception e) {
                    LOG.warning("while stopping: " + e.getMessage());
                }
                if (ownedLab != null) {
                    ownedLab.close();
                }
                stopped.countDown();
            }, "shutdown"));
            stopped.await();
            return 0;
        }

        /** The value, or the exception it failed with as it was thrown (a configuration error stops the start). */
        private static <T> T joined(CompletableFuture<T> future) {
            try {
                return future.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }

        private static void printLocalHints(LocalLab lab) {
            String set = "curl -X POST 'http://%s/memory?role=worker&ratio=%s'";
            LOG.info(String.join("\n  ",
                    "Local Swarm ready. Try it:",
                    "make the worker policy fire:  " + set.formatted(lab.exporter().target(), "0.9"),
                    "let it calm down again:       " + set.formatted(lab.exporter().target(), "0.3"),
                    "watch the nodes and tasks:    docker -H " + lab.cluster().dockerHost()
                            + " node ls; docker -H " + lab.cluster().dockerHost() + " service ps demo",
                    "Prometheus:                   " + lab.prometheus().address()));
        }
    }
}
