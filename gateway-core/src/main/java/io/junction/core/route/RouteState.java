package io.junction.core.route;

import io.junction.core.config.RoutingSpec;

/**
 * Routing state shared by every call and event loop: breakers, live target stats, the retry budget,
 * key rotation and the providers' rate-limit quotas.
 */
public record RouteState(
        BreakerRegistry breakers, TargetStats stats, RetryBudget retryBudget, KeyRotation keys, ProviderQuotas quotas) {

    public RouteState(BreakerRegistry breakers, TargetStats stats, RetryBudget retryBudget) {
        this(breakers, stats, retryBudget, new KeyRotation());
    }

    public RouteState(BreakerRegistry breakers, TargetStats stats, RetryBudget retryBudget, KeyRotation keys) {
        this(breakers, stats, retryBudget, keys, new ProviderQuotas());
    }

    public static RouteState create(RoutingSpec spec) {
        return new RouteState(new BreakerRegistry(), new TargetStats(), new RetryBudget(spec));
    }

    /** No breaking and no budget: plain failover (tests, tools). */
    public static RouteState failoverOnly() {
        return new RouteState(
                BreakerRegistry.disabled(),
                new TargetStats(),
                new RetryBudget(new RoutingSpec(Double.MAX_VALUE, Integer.MAX_VALUE / 1000, 1000L)));
    }
}
