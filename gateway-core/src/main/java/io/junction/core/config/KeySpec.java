package io.junction.core.config;

import java.util.List;
import java.util.Map;

/**
 * One client key ({@code keys:} entry), sent by clients as {@code Authorization: Bearer <key>}.
 * See docs/governance.md.
 *
 * @param key the secret; never logged
 * @param name a label for logs, metrics, limits and the ledger
 * @param models glob allow-list of model names (aliases or provider/model) this key may call; default all
 * @param team the team ({@code teams:} entry) the key belongs to: the team's budget and limits apply
 *     too, and both are charged; null for none
 * @param providers glob allow-list of provider names the key's calls may be routed to; default all
 * @param budget spend cap in USD per period; null for none
 * @param limits rpm / tpm / concurrent caps; null for none
 * @param expiresAt ISO-8601 instant ({@code 2027-01-31T00:00:00Z}) or date after which the key is refused
 * @param enabled false refuses the key (401) without removing it; default true
 * @param metadata free-form labels, shown by the admin API
 */
public record KeySpec(
        String key,
        String name,
        List<String> models,
        String team,
        List<String> providers,
        BudgetSpec budget,
        LimitsSpec limits,
        String expiresAt,
        Boolean enabled,
        Map<String, String> metadata) {
    public KeySpec {
        models = models == null || models.isEmpty() ? List.of("*") : List.copyOf(models);
        providers = providers == null || providers.isEmpty() ? List.of("*") : List.copyOf(providers);
        enabled = enabled == null || enabled;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public KeySpec(String key, String name, List<String> models) {
        this(key, name, models, null, null, null, null, null, null, null);
    }

    /** The name this key goes by: its {@code name}, else {@code key-<index>} (its place in {@code keys:}). */
    public String effectiveName(int index) {
        return name == null || name.isBlank() ? "key-" + index : name;
    }

    @Override
    public String toString() {
        return "KeySpec[name=" + name + ", team=" + team + ", models=" + models + ", key=<redacted>]";
    }
}
