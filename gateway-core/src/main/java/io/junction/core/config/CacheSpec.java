package io.junction.core.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cache:} — the response cache (see docs/configuration.md#response-cache).
 *
 * @param enabled master switch (default false)
 * @param store where entries live: {@code memory} (default, in-process); other stores are not
 *     supported yet
 * @param ttl how long an entry is served, as a duration: {@code 500ms}, {@code 30s}, {@code 10m},
 *     {@code 1h}, {@code 1d} (default 10m); {@code ttl_ms} is the same in milliseconds — give one
 * @param ttlMs see {@code ttl}
 * @param maxEntries most entries kept; the least recently used go first (default 10000)
 * @param maxBytes instead of an entry count, bound the approximate size of the stored answers
 *     (their JSON bytes); give {@code max_entries} or {@code max_bytes}, not both
 * @param scope who shares entries: {@code key} (default: each client key has its own), {@code team}
 *     or {@code global}
 * @param mode {@code deterministic} (default: only requests with {@code temperature: 0} or a
 *     {@code seed}) or {@code always}
 */
public record CacheSpec(
        Boolean enabled,
        String store,
        String ttl,
        Long ttlMs,
        Long maxEntries,
        Long maxBytes,
        String scope,
        String mode) {

    public static final CacheSpec DEFAULTS = new CacheSpec(null, null, null, null, null, null, null, null);
    public static final List<String> STORES = List.of("memory");
    public static final List<String> SCOPES = List.of("key", "team", "global");
    public static final List<String> MODES = List.of("deterministic", "always");
    public static final long DEFAULT_TTL_MS = 600_000L;
    public static final long DEFAULT_MAX_ENTRIES = 10_000L;

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    public CacheSpec {
        enabled = enabled != null && enabled;
        store = store == null || store.isBlank() ? "memory" : store.strip().toLowerCase(Locale.ROOT);
        scope = scope == null || scope.isBlank() ? "key" : scope.strip().toLowerCase(Locale.ROOT);
        mode = mode == null || mode.isBlank() ? "deterministic" : mode.strip().toLowerCase(Locale.ROOT);
        ttl = ttl == null || ttl.isBlank() ? null : ttl.strip();
    }

    /** The effective time to live in milliseconds ({@code ttl_ms}, else {@code ttl}, else 10 minutes); -1 if invalid. */
    public long ttlMillis() {
        if (ttlMs != null) {
            return ttlMs;
        }
        if (ttl == null) {
            return DEFAULT_TTL_MS;
        }
        return parseDuration(ttl);
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} in milliseconds; -1 when not such a duration. */
    public static long parseDuration(String s) {
        Matcher m = DURATION.matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return -1;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
        long unit =
                switch (m.group(2)) {
                    case "ms" -> 1L;
                    case "s" -> 1000L;
                    case "m" -> 60_000L;
                    case "h" -> 3_600_000L;
                    default -> 86_400_000L;
                };
        return n > Long.MAX_VALUE / unit ? -1 : n * unit;
    }

    /** The entry bound when no {@code max_bytes} is given. */
    public long effectiveMaxEntries() {
        return maxEntries == null ? DEFAULT_MAX_ENTRIES : maxEntries;
    }

    /**
     * The first problem with this section as {@code <key>: <what is wrong>} (relative to {@code cache.}),
     * or null when it is valid.
     */
    public String problem() {
        if (!STORES.contains(store)) {
            return "store: '" + store + "' is not supported yet (supported: " + String.join(", ", STORES) + ")";
        }
        if (!SCOPES.contains(scope)) {
            return "scope: expected key, team or global, got '" + scope + "'";
        }
        if (!MODES.contains(mode)) {
            return "mode: expected deterministic or always, got '" + mode + "'";
        }
        if (ttl != null && ttlMs != null) {
            return "ttl: give ttl or ttl_ms, not both";
        }
        if (ttl != null && parseDuration(ttl) < 0) {
            return "ttl: expected a duration such as 500ms, 30s, 10m, 1h or 1d, got '" + ttl + "'";
        }
        if (ttlMillis() < 1) {
            return (ttlMs != null ? "ttl_ms" : "ttl") + ": must be positive";
        }
        if (maxEntries != null && maxBytes != null) {
            return "max_entries: give max_entries or max_bytes, not both";
        }
        if (maxEntries != null && maxEntries < 1) {
            return "max_entries: must be positive";
        }
        if (maxBytes != null && maxBytes < 1) {
            return "max_bytes: must be positive";
        }
        return null;
    }
}
