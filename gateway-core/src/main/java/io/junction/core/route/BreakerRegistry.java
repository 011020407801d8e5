package io.junction.core.route;

import io.junction.core.spi.Target;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link CircuitBreaker} per target ({@code provider/model}), created on first use. */
public final class BreakerRegistry {
    private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final boolean enabled;

    public BreakerRegistry() {
        this(true);
    }

    private BreakerRegistry(boolean enabled) {
        this.enabled = enabled;
    }

    /** A registry whose breakers never open: for callers that want failover without breaking. */
    public static BreakerRegistry disabled() {
        return new BreakerRegistry(false);
    }

    /** The breaker for {@code target}, or null when breaking is disabled. */
    public CircuitBreaker forTarget(Target target) {
        if (!enabled) {
            return null;
        }
        CircuitBreaker b = breakers.get(target.id());
        return b != null
                ? b
                : breakers.computeIfAbsent(
                        target.id(),
                        id -> new CircuitBreaker(target.provider().spec().circuitBreaker()));
    }

    /** Every breaker created so far, by target id, sorted. */
    public Map<String, CircuitBreaker> snapshot() {
        return new TreeMap<>(breakers);
    }
}
