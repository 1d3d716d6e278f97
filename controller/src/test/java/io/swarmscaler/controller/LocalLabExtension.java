package io.swarmscaler.controller;

import io.swarmscaler.controller.local.LocalCluster;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Owns the local lab of {@link LocalSwarmTest} classes. Starting one costs a manager, its workers and a Prometheus,
 * so one lab serves the whole run: it lives in the root context's store, which closes it when the run ends, and
 * it is reset between classes. Its name and subnet are chosen here, and only here; the first start removes what a
 * killed earlier run left under them.
 */
final class LocalLabExtension implements BeforeAllCallback, AfterEachCallback, ParameterResolver {
    /** One lab per JVM: test classes run one after another, and the IT lock keeps other runs off the machine. */
    static final LocalCluster.Settings SETTINGS = new LocalCluster.Settings("sslab",
            Path.of("/tmp/swarm-scaler-tests", "sslab"), "10.213.40");

    private static final Logger LOG = Logger.getLogger(LocalLabExtension.class.getName());
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            LocalLabExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        int workers = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), LocalSwarmTest.class)
                .orElseThrow(() -> new IllegalStateException(context.getRequiredTestClass().getName()
                        + " uses LocalLabExtension without @LocalSwarmTest(workers = N)"))
                .workers();
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        TestLab lab = store.getOrComputeIfAbsent(TestLab.class, k -> TestLab.start(SETTINGS, workers), TestLab.class);
        try {
            lab.resetNodes(workers);
        } catch (RuntimeException | AssertionError e) {
            // An earlier class left the Swarm in a state the reset cannot undo: start again from nothing.
            LOG.warning("Resetting the shared lab failed (" + e.getMessage() + "); starting a new one");
            store.remove(TestLab.class, TestLab.class).close();
            store.put(TestLab.class, TestLab.start(SETTINGS, workers));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        lab(context).reset();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestLab.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return lab(context);
    }

    private static TestLab lab(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).get(TestLab.class, TestLab.class);
    }
}
