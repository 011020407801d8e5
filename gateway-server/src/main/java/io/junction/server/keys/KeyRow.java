package io.junction.server.keys;

import io.junction.core.config.BudgetSpec;
import io.junction.core.config.KeySpec;
import io.junction.core.config.LimitsSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run-time key as stored in {@code junction_keys}: everything but the secret, which exists only
 * as {@code secretHash} (HMAC-SHA256 under the pepper identified by {@code pepperId}) and its first
 * characters for display.
 *
 * @param expiresAtMs epoch milliseconds after which the key is refused, or null
 * @param revokedAtMs when it was revoked (soft delete), or null
 */
public record KeyRow(
        String id,
        String name,
        String secretHash,
        String secretPrefix,
        String pepperId,
        String team,
        List<String> models,
        List<String> providers,
        BudgetSpec budget,
        LimitsSpec limits,
        Long expiresAtMs,
        boolean enabled,
        Map<String, String> metadata,
        long createdAtMs,
        long updatedAtMs,
        Long revokedAtMs) {

    public KeyRow {
        models = models == null || models.isEmpty() ? List.of("*") : List.copyOf(models);
        providers = providers == null || providers.isEmpty() ? List.of("*") : List.copyOf(providers);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public boolean revoked() {
        return revokedAtMs != null;
    }

    /** The key as a {@link KeySpec} (no secret), for {@code Principal.of}. */
    public KeySpec spec() {
        return new KeySpec(
                null,
                name,
                models,
                team,
                providers,
                budget,
                limits,
                expiresAtMs == null ? null : Instant.ofEpochMilli(expiresAtMs).toString(),
                enabled,
                metadata);
    }

    public KeyRow withRevoked(long nowMs) {
        return new KeyRow(
                id,
                name,
                secretHash,
                secretPrefix,
                pepperId,
                team,
                models,
                providers,
                budget,
                limits,
                expiresAtMs,
                enabled,
                metadata,
                createdAtMs,
                nowMs,
                nowMs);
    }

    @Override
    public String toString() {
        return "KeyRow[id=" + id + ", name=" + name + ", team=" + team + ", enabled=" + enabled + ", revoked="
                + revoked() + "]";
    }
}
