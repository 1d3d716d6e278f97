package io.swarmscaler.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The class list behind the image's class-data sharing archive (scripts/cds-archive.sh) is a training run's
 * output, checked in: it must come from a run whose passes succeeded, and name no class of ours that is gone.
 */
class ClassListTest {
    private static final Path CLASS_LIST = Path.of("src/main/cds/swarm-scaler.classlist");
    private static final String REGENERATE = "; write it again with scripts/benchmark.sh classlist";

    @Test
    void namesNoClassOfOursThatIsGone() throws IOException {
        List<String> stale = ourClasses().stream()
                .filter(name -> ClassListTest.class.getClassLoader().getResource(name + ".class") == null)
                .toList();
        assertThat(stale).as("classes in %s that the build no longer has%s", CLASS_LIST, REGENERATE).isEmpty();
    }

    @Test
    void coversWhatOnlyASuccessfulPassLoads() throws IOException {
        // A run against closed ports loads neither the groups' model nor the planner's decisions.
        assertThat(classes()).as("%s should come from a training run whose passes succeeded%s", CLASS_LIST,
                        REGENERATE)
                .contains("software/amazon/awssdk/services/autoscaling/model/AutoScalingGroup",
                        "io/swarmscaler/controller/reconcile/Reconciler", "io/swarmscaler/model/Plan",
                        "io/swarmscaler/controller/http/HttpApi");
    }

    private static List<String> ourClasses() throws IOException {
        return classes().stream().filter(name -> name.startsWith("io/swarmscaler/")).toList();
    }

    /** The first word of each class line; comments and the {@code @lambda} lines left out. */
    private static List<String> classes() throws IOException {
        return Files.readAllLines(CLASS_LIST).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#") && !line.startsWith("@"))
                .map(line -> line.split(" ")[0])
                .toList();
    }
}
