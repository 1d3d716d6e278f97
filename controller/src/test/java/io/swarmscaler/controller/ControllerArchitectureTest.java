package io.swarmscaler.controller;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports and adapters: the reconcile core and the adapters meet only at {@code port}; no package cycle lets a change
 * in one adapter ripple into the core or another adapter.
 */
@AnalyzeClasses(packages = "io.swarmscaler.controller", importOptions = ImportOption.DoNotIncludeTests.class)
class ControllerArchitectureTest {
    private static final String ROOT = "io.swarmscaler.controller";
    private static final String MODEL = "io.swarmscaler.model..";
    private static final String PORT = ROOT + ".port..";
    private static final String CONFIG = ROOT + ".config..";
    /** The JDK (with its HTTP server), SDKs and libraries an adapter may use. */
    private static final List<String> LIBRARIES = List.of("java..", "javax..", "com.sun.net.httpserver..",
            "com.github.dockerjava..", "software.amazon.awssdk..", "com.fasterxml.jackson..", "com.google.common..",
            "org.slf4j..");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching(ROOT + ".(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule awsUsesOnlyPortsConfigAndModel = adapter("aws");

    @ArchTest
    static final ArchRule dockerUsesOnlyPortsConfigAndModel = adapter("docker");

    @ArchTest
    static final ArchRule localUsesOnlyPortsConfigAndModel = adapter("local");

    @ArchTest
    static final ArchRule prometheusUsesOnlyPortsConfigAndModel = adapter("prometheus");

    @ArchTest
    static final ArchRule portsSpeakOnlyTheModel = classes().that().resideInAPackage(PORT)
            .should().onlyDependOnClassesThat().resideInAnyPackage(PORT, MODEL, "java..")
            .because("a port is what the core needs, in the model's terms, with no SDK type in it");

    @ArchTest
    static final ArchRule reconcileKnowsOnlyPortsAndModel = classes().that().resideInAPackage(ROOT + ".reconcile..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(ROOT + ".reconcile..", PORT, MODEL, "java..")
            .because("the reconcile core reaches the world through ports and reports through its own listener");

    private static ArchRule adapter(String name) {
        String own = ROOT + "." + name + "..";
        List<String> allowed = new ArrayList<>(List.of(own, PORT, CONFIG, MODEL));
        allowed.addAll(LIBRARIES);
        return classes().that().resideInAPackage(own)
                .should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new))
                .because("an adapter implements ports; what it shares with another adapter goes behind a port");
    }
}
