package io.junction.core.config;

/**
 * {@code admin:} — the key that protects {@code /admin/*}; with none, admin endpoints are refused.
 *
 * @param key the Bearer key for {@code /admin/*}; never logged
 * @param keyPepper secret mixed into the hash of every run-time key (HMAC-SHA256 key); never logged.
 *     Unset: a random pepper generated once and kept in the database is used (see
 *     docs/governance-keys.md). Read at start.
 * @param keysRefreshMs how often each replica reloads run-time keys from the database (default 5000)
 */
public record AdminSpec(String key, String keyPepper, Long keysRefreshMs) {
    public static final AdminSpec NONE = new AdminSpec(null);

    public AdminSpec {
        keysRefreshMs = keysRefreshMs == null ? 5000L : keysRefreshMs;
    }

    public AdminSpec(String key) {
        this(key, null, null);
    }

    @Override
    public String toString() {
        return "AdminSpec[key=" + (key == null ? "none" : "<redacted>") + ", keyPepper="
                + (keyPepper == null ? "none" : "<redacted>") + ", keysRefreshMs=" + keysRefreshMs + "]";
    }
}
