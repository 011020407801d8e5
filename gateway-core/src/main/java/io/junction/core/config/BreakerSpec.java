package io.junction.core.config;

/**
 * {@code circuit_breaker:} of a provider, applied per target (provider/model).
 *
 * @param enabled default true
 * @param consecutiveFailures open after this many failures in a row (default 5)
 * @param failureRate open when this fraction of the last {@code window} calls failed (default 0.5)
 * @param window number of recent calls the rate is computed over (default 20)
 * @param minCalls the rate rule applies only once this many calls are in the window (default 10)
 * @param cooldownMs how long an open breaker skips the target before one probe is let through (default 30000)
 */
public record BreakerSpec(
        Boolean enabled,
        Integer consecutiveFailures,
        Double failureRate,
        Integer window,
        Integer minCalls,
        Long cooldownMs) {
    public static final BreakerSpec DEFAULTS = new BreakerSpec(null, null, null, null, null, null);

    public BreakerSpec {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        consecutiveFailures = consecutiveFailures == null ? 5 : consecutiveFailures;
        failureRate = failureRate == null ? 0.5 : failureRate;
        window = window == null ? 20 : window;
        minCalls = minCalls == null ? 10 : minCalls;
        cooldownMs = cooldownMs == null ? 30_000L : cooldownMs;
    }
}
