package io.swarmscaler.controller.observe;

import com.google.common.base.CaseFormat;
import com.google.common.base.Throwables;
import io.swarmscaler.controller.port.Metrics;
import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.controller.port.Swarm;
import io.swarmscaler.model.QueryResult;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Wraps the ports so that every call to Docker, Prometheus and a node group backend is timed and counted. */
public final class InstrumentedPorts {
    private InstrumentedPorts() {}

    public static Swarm swarm(Swarm swarm, ScalerMetrics metrics) {
        return timed(Swarm.class, swarm, "docker", Set.of("watch"), metrics);
    }

    public static Metrics metrics(Metrics prometheus, ScalerMetrics metrics) {
        return new TimedMetrics(prometheus, metrics);
    }

    public static List<NodeGroup> groups(List<NodeGroup> groups, ScalerMetrics metrics) {
        return groups.stream()
                .map(g -> timed(NodeGroup.class, g, g.backend(), Set.of("role", "backend", "instanceIdOf"), metrics))
                .toList();
    }

    /**
     * {@code target} with every call of {@code port}'s methods but {@code untimed} (those that ask nothing of the
     * backend) timed and counted as {@code backend}'s call named after the method in snake case
     * ({@code setDesiredCapacity} is {@code set_desired_capacity}), so that a port's new method is measured too.
     */
    private static <T> T timed(Class<T> port, T target, String backend, Set<String> untimed, ScalerMetrics metrics) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class || untimed.contains(method.getName())) {
                return invoke(method, target, args);
            }
            return metrics.timeCall(backend, snakeCase(method.getName()), () -> invoke(method, target, args));
        };
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, handler));
    }

    /** Calls {@code method} on {@code target}, throwing what it throws (ports throw unchecked exceptions only). */
    private static Object invoke(Method method, Object target, Object[] args) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwables.throwIfUnchecked(e.getCause());
            throw new IllegalStateException(method.getName() + " threw a checked exception", e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String snakeCase(String name) {
        return CaseFormat.LOWER_CAMEL.to(CaseFormat.LOWER_UNDERSCORE, name);
    }

    private record TimedMetrics(Metrics prometheus, ScalerMetrics metrics) implements Metrics {
        @Override
        public QueryResult query(String promql) {
            QueryResult result = metrics.timeCall("prometheus", "query", () -> prometheus.query(promql));
            if (result instanceof QueryResult.NoData) {
                // The port's failure (unreachable, rejected, unreadable); no samples is an empty answer.
                metrics.backendError("prometheus", "query");
            }
            return result;
        }

        @Override
        public Optional<String> unavailable() {
            return metrics.timeCall("prometheus", "ready", prometheus::unavailable);
        }

        @Override
        public Optional<java.time.Instant> holdingSince(io.swarmscaler.model.Condition.Threshold condition,
                java.time.Duration lookback, java.time.Instant now) {
            return metrics.timeCall("prometheus", "history", () -> prometheus.holdingSince(condition, lookback, now));
        }
    }
}
