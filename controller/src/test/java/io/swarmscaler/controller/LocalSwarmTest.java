package io.swarmscaler.controller;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class on the local lab (a real Swarm, Prometheus and the demo exporter). The lab is shared by every such
 * class of the run; before the class it is reset to a manager and {@link #workers()} quiet workers, and after each
 * test its services, ratios and captured output are reset. Take it as a {@link TestLab} parameter of a
 * {@code @BeforeAll} method.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(LocalLabExtension.class)
@interface LocalSwarmTest {
    /** Worker nodes of the lab's local worker group when the class starts (0: another backend brings workers). */
    int workers();
}
