package io.junction.core.config;

/**
 * {@code routing:} — gateway-wide routing policy.
 *
 * @param retryBudgetRatio same-target retries allowed as a fraction of recent requests (default 0.2)
 * @param retryBudgetMinPerSecond retries always allowed per second, so a quiet gateway can still retry (default 10)
 * @param retryBudgetWindowMs the window "recent" means (default 10000)
 */
public record RoutingSpec(Double retryBudgetRatio, Integer retryBudgetMinPerSecond, Long retryBudgetWindowMs) {
    public static final RoutingSpec DEFAULTS = new RoutingSpec(null, null, null);

    public RoutingSpec {
        retryBudgetRatio = retryBudgetRatio == null ? 0.2 : retryBudgetRatio;
        retryBudgetMinPerSecond = retryBudgetMinPerSecond == null ? 10 : retryBudgetMinPerSecond;
        retryBudgetWindowMs = retryBudgetWindowMs == null ? 10_000L : retryBudgetWindowMs;
    }
}
