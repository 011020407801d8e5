package io.junction.server.http;

import io.junction.core.config.JunctionConfig;
import io.junction.core.govern.Governor;
import io.junction.core.govern.MemoryLimitStore;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.BreakerRegistry;
import io.junction.core.route.ModelResolver;
import io.junction.core.route.RoutePlanner;
import io.junction.core.route.RouteState;
import io.junction.core.transport.UpstreamTransport;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.cache.CacheService;
import io.junction.server.ledger.UsageRecorder;
import io.junction.server.metrics.GatewayMetrics;
import io.junction.server.observe.UsageAccountant;
import io.junction.server.observe.trace.Tracing;

/**
 * What request handling needs, built once from a loaded config. Immutable and shared by all loops.
 * {@code tracing} is null when tracing is off.
 */
public record GatewayContext(
        JunctionConfig config,
        ModelResolver resolver,
        KeyAuthenticator auth,
        UpstreamTransport transport,
        GatewayMetrics metrics,
        RouteState routes,
        RoutePlanner planner,
        UsageAccountant accountant,
        Governor governor,
        CacheService cache,
        Tracing tracing) {

    /** Without tracing. */
    public GatewayContext(
            JunctionConfig config,
            ModelResolver resolver,
            KeyAuthenticator auth,
            UpstreamTransport transport,
            GatewayMetrics metrics,
            RouteState routes,
            RoutePlanner planner,
            UsageAccountant accountant,
            Governor governor,
            CacheService cache) {
        this(config, resolver, auth, transport, metrics, routes, planner, accountant, governor, cache, null);
    }

    /** Without a ledger: prices from the shipped table and the config, records discarded. */
    public GatewayContext(
            JunctionConfig config,
            ModelResolver resolver,
            KeyAuthenticator auth,
            UpstreamTransport transport,
            GatewayMetrics metrics,
            RouteState routes,
            RoutePlanner planner) {
        this(
                config,
                resolver,
                auth,
                transport,
                metrics,
                routes,
                planner,
                new UsageAccountant(PricingTable.load(config.pricing()), metrics, UsageRecorder.disabled(metrics)),
                new Governor(
                        config.teams(),
                        new MemoryLimitStore(),
                        System::currentTimeMillis,
                        false,
                        config.limitsStore().timeoutMs(),
                        config.server().requestTimeoutMs() + 60_000,
                        null),
                CacheService.disabled());
    }

    public BreakerRegistry breakers() {
        return routes.breakers();
    }

    public boolean extraFields() {
        return config.server().extraFields();
    }
}
