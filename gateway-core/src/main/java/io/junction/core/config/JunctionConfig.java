package io.junction.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, as bound from YAML. The outside shape (top-level keys and their names)
 * is a contract: extend it, never rename. See docs/configuration.md.
 */
public record JunctionConfig(
        ServerSpec server,
        List<KeySpec> keys,
        Map<String, ProviderSpec> providers,
        Map<String, AliasSpec> models,
        AdminSpec admin,
        RoutingSpec routing,
        Map<String, AbCampaignSpec> abCampaigns,
        Map<String, PriceSpec> pricing,
        LedgerSpec ledger,
        MetricsSpec metrics,
        LoggingSpec logging,
        Map<String, TeamSpec> teams,
        LimitsStoreSpec limitsStore,
        CacheSpec cache,
        TracingSpec tracing) {

    public JunctionConfig(
            ServerSpec server, List<KeySpec> keys, Map<String, ProviderSpec> providers, Map<String, AliasSpec> models) {
        this(server, keys, providers, models, null, null, null, null, null, null, null, null, null, null, null);
    }

    public JunctionConfig(
            ServerSpec server,
            List<KeySpec> keys,
            Map<String, ProviderSpec> providers,
            Map<String, AliasSpec> models,
            AdminSpec admin) {
        this(server, keys, providers, models, admin, null, null, null, null, null, null, null, null, null, null);
    }

    public JunctionConfig(
            ServerSpec server,
            List<KeySpec> keys,
            Map<String, ProviderSpec> providers,
            Map<String, AliasSpec> models,
            AdminSpec admin,
            RoutingSpec routing,
            Map<String, AbCampaignSpec> abCampaigns) {
        this(
                server,
                keys,
                providers,
                models,
                admin,
                routing,
                abCampaigns,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** Every section up to {@code logging}; governance, the cache and tracing take their defaults. */
    public JunctionConfig(
            ServerSpec server,
            List<KeySpec> keys,
            Map<String, ProviderSpec> providers,
            Map<String, AliasSpec> models,
            AdminSpec admin,
            RoutingSpec routing,
            Map<String, AbCampaignSpec> abCampaigns,
            Map<String, PriceSpec> pricing,
            LedgerSpec ledger,
            MetricsSpec metrics,
            LoggingSpec logging) {
        this(
                server,
                keys,
                providers,
                models,
                admin,
                routing,
                abCampaigns,
                pricing,
                ledger,
                metrics,
                logging,
                null,
                null,
                null,
                null);
    }

    public JunctionConfig {
        server = server == null ? ServerSpec.DEFAULTS : server;
        keys = keys == null ? List.of() : List.copyOf(keys);
        providers = providers == null ? Map.of() : new LinkedHashMap<>(providers);
        models = models == null ? Map.of() : new LinkedHashMap<>(models);
        admin = admin == null ? AdminSpec.NONE : admin;
        routing = routing == null ? RoutingSpec.DEFAULTS : routing;
        abCampaigns = abCampaigns == null ? Map.of() : new LinkedHashMap<>(abCampaigns);
        pricing = pricing == null ? Map.of() : new LinkedHashMap<>(pricing);
        ledger = ledger == null ? LedgerSpec.DEFAULTS : ledger;
        metrics = metrics == null ? MetricsSpec.DEFAULTS : metrics;
        logging = logging == null ? LoggingSpec.DEFAULTS : logging;
        teams = teams == null ? Map.of() : new LinkedHashMap<>(teams);
        limitsStore = limitsStore == null ? LimitsStoreSpec.DEFAULTS : limitsStore;
        cache = cache == null ? CacheSpec.DEFAULTS : cache;
        // a Redis cache without its own URL uses the Redis of the limits store
        if (cache.redis() && cache.url() == null && "redis".equals(limitsStore.type()) && limitsStore.url() != null) {
            cache = cache.withUrl(limitsStore.url());
        }
        tracing = tracing == null ? TracingSpec.DEFAULTS : tracing;
    }

    /** This config with other keys (everything else unchanged). */
    public JunctionConfig withKeys(List<KeySpec> newKeys) {
        return new JunctionConfig(
                server,
                newKeys,
                providers,
                models,
                admin,
                routing,
                abCampaigns,
                pricing,
                ledger,
                metrics,
                logging,
                teams,
                limitsStore,
                cache,
                tracing);
    }

    /** This config with other providers (everything else unchanged; used when defaults are filled in at load). */
    public JunctionConfig withProviders(Map<String, ProviderSpec> newProviders) {
        return new JunctionConfig(
                server,
                keys,
                newProviders,
                models,
                admin,
                routing,
                abCampaigns,
                pricing,
                ledger,
                metrics,
                logging,
                teams,
                limitsStore,
                cache,
                tracing);
    }
}
