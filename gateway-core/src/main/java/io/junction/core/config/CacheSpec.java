package io.junction.core.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cache:} — the response cache (see docs/configuration.md#response-cache).
 *
 * @param enabled master switch (default false)
 * @param store where entries live: {@code memory} (default, in-process, per instance) or {@code redis}
 *     (shared by every instance pointing at the same Redis: cluster-wide hits)
 * @param ttl how long an entry is served, as a duration: {@code 500ms}, {@code 30s}, {@code 10m},
 *     {@code 1h}, {@code 1d} (default 10m); {@code ttl_ms} is the same in milliseconds — give one
 * @param ttlMs see {@code ttl}
 * @param maxEntries most entries kept; the least recently used go first (default 10000); memory
 *     store only (Redis bounds itself: {@code maxmemory} and an eviction policy)
 * @param maxBytes instead of an entry count, bound the approximate size of the stored answers
 *     (their JSON bytes); give {@code max_entries} or {@code max_bytes}, not both; memory store only
 * @param scope who shares entries: {@code key} (default: each client key has its own), {@code team}
 *     or {@code global}
 * @param mode {@code deterministic} (default: only requests with {@code temperature: 0} or a
 *     {@code seed}) or {@code always}
 * @param url {@code store: redis}: {@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://}
 *     for TLS; defaults to {@code limits_store.url} when {@code limits_store.type} is {@code redis}
 *     (see {@link JunctionConfig}); never logged
 * @param timeoutMs {@code store: redis}: how long a lookup waits for Redis before it counts as a miss
 *     (default 50)
 * @param prefix {@code store: redis}: the first part of every key, {@code <prefix>:cache:...} (default
 *     {@code junction}); one per deployment sharing a Redis
 */
public record CacheSpec(
        Boolean enabled,
        String store,
        String ttl,
        Long ttlMs,
        Long maxEntries,
        Long maxBytes,
        String scope,
        String mode,
        String url,
        Long timeoutMs,
        String prefix) {

    public static final CacheSpec DEFAULTS = new CacheSpec(null, null, null, null, null, null, null, null);
    public static final List<String> STORES = List.of("memory", "redis");
    public static final List<String> SCOPES = List.of("key", "team", "global");
    public static final List<String> MODES = List.of("deterministic", "always");
    public static final long DEFAULT_TTL_MS = 600_000L;
    public static final long DEFAULT_MAX_ENTRIES = 10_000L;
    public static final long DEFAULT_TIMEOUT_MS = 50L;
    public static final String DEFAULT_PREFIX = "junction";

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    public CacheSpec {
        enabled = enabled != null && enabled;
        store = store == null || store.isBlank() ? "memory" : store.strip().toLowerCase(Locale.ROOT);
        scope = scope == null || scope.isBlank() ? "key" : scope.strip().toLowerCase(Locale.ROOT);
        mode = mode == null || mode.isBlank() ? "deterministic" : mode.strip().toLowerCase(Locale.ROOT);
        ttl = ttl == null || ttl.isBlank() ? null : ttl.strip();
        url = url == null || url.isBlank() ? null : url.strip();
        prefix = prefix == null || prefix.isBlank() ? null : prefix.strip();
    }

    /** Without the Redis settings (a memory store). */
    public CacheSpec(
            Boolean enabled,
            String store,
            String ttl,
            Long ttlMs,
            Long maxEntries,
            Long maxBytes,
            String scope,
            String mode) {
        this(enabled, store, ttl, ttlMs, maxEntries, maxBytes, scope, mode, null, null, null);
    }

    /** This section with {@code url} (the {@code limits_store.url} default). */
    public CacheSpec withUrl(String newUrl) {
        return new CacheSpec(enabled, store, ttl, ttlMs, maxEntries, maxBytes, scope, mode, newUrl, timeoutMs, prefix);
    }

    public boolean redis() {
        return "redis".equals(store);
    }

    /** How long a Redis lookup waits ({@code timeout_ms}, default 50). */
    public long effectiveTimeoutMs() {
        return timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs;
    }

    /** The Redis key prefix ({@code prefix}, default {@code junction}). */
    public String effectivePrefix() {
        return prefix == null ? DEFAULT_PREFIX : prefix;
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
            return "store: expected memory or redis, got '" + store + "'";
        }
        if (redis()) {
            if (url == null || !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
                return "url: store redis needs a URL (redis://host:6379, rediss:// for TLS)";
            }
            if (maxEntries != null || maxBytes != null) {
                return (maxEntries != null ? "max_entries" : "max_bytes")
                        + ": applies to store memory only; bound a Redis cache with Redis's maxmemory and an"
                        + " eviction policy (e.g. allkeys-lru)";
            }
            if (timeoutMs != null && (timeoutMs < 1 || timeoutMs > 10_000)) {
                return "timeout_ms: must be between 1 and 10000";
            }
            if (prefix != null && !prefix.matches("[A-Za-z0-9._:{}-]+")) {
                return "prefix: letters, digits and . _ - : { } only, got '" + prefix + "'";
            }
        } else if (url != null || timeoutMs != null || prefix != null) {
            return (url != null ? "url" : timeoutMs != null ? "timeout_ms" : "prefix")
                    + ": only used with store: redis";
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

    /** The URL may hold a password: never printed. */
    @Override
    public String toString() {
        return "CacheSpec[enabled=" + enabled + ", store=" + store + ", ttl=" + ttl + ", ttlMs=" + ttlMs
                + ", maxEntries=" + maxEntries + ", maxBytes=" + maxBytes + ", scope=" + scope + ", mode=" + mode
                + ", url=" + (url == null ? "none" : "<redacted>") + ", timeoutMs=" + timeoutMs + ", prefix="
                + prefix + "]";
    }
}
