package io.swarmscaler.controller;

import io.swarmscaler.controller.config.ConfigException;
import io.swarmscaler.controller.config.ScalerConfig;
import io.swarmscaler.controller.docker.DockerSwarms;
import io.swarmscaler.controller.port.BackendUnavailableException;
import io.swarmscaler.model.Condition;
import io.swarmscaler.model.Durations;
import io.swarmscaler.model.Policy;
import io.swarmscaler.model.PolicyError;
import io.swarmscaler.model.PolicyParser;
import io.swarmscaler.model.PolicySet;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code check}: reads the Swarm's labels and prints every policy as understood, with the label errors. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Reads the service labels of the Swarm and prints every policy as Swarm Scaler understands"
                + " it, and every label it cannot use, without acting.",
                "Exit status: 0 all labels understood, 1 some labels have errors, 2 Docker or the configuration"
                        + " failed."})
final class CheckCommand implements Callable<Integer> {
    @Option(names = "--docker-host", paramLabel = "URL",
            description = "Docker engine of a Swarm manager (env DOCKER_HOST, default unix:///var/run/docker.sock).")
    String dockerHost;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (dockerHost != null) {
            env.put("DOCKER_HOST", dockerHost);
        }
        PolicySet policies;
        try {
            ScalerConfig config = ScalerConfig.fromEnvironment(env);
            policies = new PolicyParser(config.parserSettings())
                    .parse(DockerSwarms.connect(config.dockerHost()).services());
        } catch (ConfigException | BackendUnavailableException e) {
            err.println("swarm-scaler check: " + e.getMessage());
            return 2;
        }
        out.printf("%d policies, %d label errors%n", policies.policies().size(), policies.errors().size());
        for (Policy p : policies.policies()) {
            out.println();
            out.printf("%s (%s)%n", p.id(), p.alertName());
            out.printf("  when   %s%n", describe(p.condition()));
            out.printf("  for    %s%n", Durations.format(p.holdFor()));
            out.printf("  then   %s%n", switch (p.direction()) {
                case UP -> p.bounds().tracksTarget()
                        ? "add the %s nodes that bring the ratio to the threshold minus the margin, up to %d"
                                .formatted(p.role().word(), p.bounds().max())
                        : "add %d %s node(s), up to %d".formatted(p.bounds().upBy(), p.role().word(), p.bounds().max());
                case DOWN -> "remove %d %s node(s), down to %d".formatted(p.bounds().downBy(), p.role().word(),
                        p.bounds().min());
                case NOTIFY_ONLY -> "notify only (scale=no)";
            });
            out.printf("  label  %s%n", p.alertIf());
        }
        if (!policies.errors().isEmpty()) {
            out.println();
            out.println("Label errors (these policies are skipped; every other policy still works):");
            for (PolicyError e : policies.errors()) {
                out.println("  " + e.message());
            }
        }
        return policies.errors().isEmpty() ? 0 : 1;
    }

    private static String describe(Condition condition) {
        if (condition instanceof Condition.Threshold t) {
            return "%s %s %s".formatted(t.query(), t.comparison().symbol(), t.threshold());
        }
        return condition.query() + " returns any sample";
    }
}
