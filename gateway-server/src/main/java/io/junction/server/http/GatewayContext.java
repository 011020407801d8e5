package io.junction.server.http;

import io.junction.core.config.JunctionConfig;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.BreakerRegistry;
import io.junction.core.route.ModelResolver;
import io.junction.core.transport.UpstreamTransport;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.ledger.UsageRecorder;
import io.junction.server.metrics.GatewayMetrics;
import io.junction.server.observe.UsageAccountant;

/** What request handling needs, built once from a loaded config. Immutable and shared by all loops. */
public record GatewayContext(
        JunctionConfig config,
        ModelResolver resolver,
        KeyAuthenticator auth,
        UpstreamTransport transport,
        GatewayMetrics metrics,
        BreakerRegistry breakers,
        UsageAccountant accountant) {

    /** Without a ledger: prices from the shipped table and the config, records discarded. */
    public GatewayContext(
            JunctionConfig config,
            ModelResolver resolver,
            KeyAuthenticator auth,
            UpstreamTransport transport,
            GatewayMetrics metrics,
            BreakerRegistry breakers) {
        this(
                config,
                resolver,
                auth,
                transport,
                metrics,
                breakers,
                new UsageAccountant(PricingTable.load(config.pricing()), metrics, UsageRecorder.disabled(metrics)));
    }

    public boolean extraFields() {
        return config.server().extraFields();
    }
}
