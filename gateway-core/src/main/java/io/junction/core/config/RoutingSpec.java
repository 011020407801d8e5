package io.junction.core.config;

/**
 * {@code routing:} — gateway-wide routing policy.
 *
 * @param retryBudgetRatio same-target retries allowed as a fraction of recent requests (default 0.2)
 * @param retryBudgetMinPerSecond retries always allowed per second, so a quiet gateway can still retry (default 10)
 * @param retryBudgetWindowMs the window "recent" means (default 10000)
 * @param streamCommit a stream's commit point, up to which failover is invisible: {@code first_token}
 *     (default: the first content token), {@code first_chunk}, or a number of content characters
 */
public record RoutingSpec(
        Double retryBudgetRatio, Integer retryBudgetMinPerSecond, Long retryBudgetWindowMs, String streamCommit) {
    public static final RoutingSpec DEFAULTS = new RoutingSpec(null, null, null, null);

    public RoutingSpec {
        retryBudgetRatio = retryBudgetRatio == null ? 0.2 : retryBudgetRatio;
        retryBudgetMinPerSecond = retryBudgetMinPerSecond == null ? 10 : retryBudgetMinPerSecond;
        retryBudgetWindowMs = retryBudgetWindowMs == null ? 10_000L : retryBudgetWindowMs;
        streamCommit = streamCommit == null ? "first_token" : streamCommit.strip();
    }

    public RoutingSpec(Double retryBudgetRatio, Integer retryBudgetMinPerSecond, Long retryBudgetWindowMs) {
        this(retryBudgetRatio, retryBudgetMinPerSecond, retryBudgetWindowMs, null);
    }

    /** The commit point as {@link io.junction.core.route.RouteSettings#commitChars()}; -2 when invalid. */
    public int commitChars() {
        return switch (streamCommit) {
            case "first_token" -> 0;
            case "first_chunk" -> -1;
            default -> {
                try {
                    int n = Integer.parseInt(streamCommit);
                    yield n > 0 ? n : -2;
                } catch (NumberFormatException e) {
                    yield -2;
                }
            }
        };
    }
}
