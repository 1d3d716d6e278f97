package io.swarmscaler.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The model is pure: only the JDK, and no I/O of any kind. */
@AnalyzeClasses(packages = "io.swarmscaler.model", importOptions = ImportOption.DoNotIncludeTests.class)
class ModelPurityTest {

    @ArchTest
    static final ArchRule dependsOnlyOnTheJdk = classes()
            .that().resideInAPackage("io.swarmscaler.model..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.swarmscaler.model..", "java..")
            .because("the model is pure: no SDK, Docker, AWS or logging types");

    @ArchTest
    static final ArchRule doesNoIo = noClasses()
            .that().resideInAPackage("io.swarmscaler.model..")
            .should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.file..", "java.net.http..",
                    "java.nio.channels..", "java.sql..", "java.rmi..")
            .orShould().dependOnClassesThat().belongToAnyOf(java.io.File.class, java.io.InputStream.class,
                    java.io.OutputStream.class, java.io.Reader.class, java.io.Writer.class,
                    java.io.RandomAccessFile.class, java.io.Console.class, ProcessBuilder.class, Process.class,
                    Runtime.class, Thread.class, System.class)
            .because("the planner is a pure function: the controller does all I/O, reads the clock and the env");

    @ArchTest
    static final ArchRule readsNoClock = noClasses()
            .that().resideInAPackage("io.swarmscaler.model..")
            .should().callMethod(java.time.Instant.class, "now")
            .orShould().dependOnClassesThat().belongToAnyOf(java.time.Clock.class)
            .because("the planner is given the time; it never reads the clock");
}
