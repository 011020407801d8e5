package io.junction.core.config;

import java.util.Locale;

/**
 * {@code limits_store:} — where rate-limit windows, concurrency leases and budget spend live.
 *
 * @param type {@code memory} (default: this process only) or {@code redis} (shared by every replica
 *     pointing at the same Redis)
 * @param url Redis URL ({@code redis://[:password@]host:6379[/db]}, {@code rediss://} for TLS); never logged
 * @param onError when Redis cannot be reached: {@code fail_open} (default; the call goes ahead,
 *     counted and logged) or {@code fail_closed} (503)
 * @param timeoutMs how long an admission waits for Redis before {@code on_error} applies (default 200)
 * @param prefix key prefix in Redis (default {@code junction})
 */
public record LimitsStoreSpec(String type, String url, String onError, Long timeoutMs, String prefix) {
    public static final LimitsStoreSpec DEFAULTS = new LimitsStoreSpec(null, null, null, null, null);

    public LimitsStoreSpec {
        type = type == null || type.isBlank() ? "memory" : type.strip().toLowerCase(Locale.ROOT);
        onError = onError == null || onError.isBlank()
                ? "fail_open"
                : onError.strip().toLowerCase(Locale.ROOT);
        timeoutMs = timeoutMs == null ? 200L : timeoutMs;
        prefix = prefix == null || prefix.isBlank() ? "junction" : prefix.strip();
    }

    public boolean failClosed() {
        return "fail_closed".equals(onError);
    }

    @Override
    public String toString() {
        return "LimitsStoreSpec[type=" + type + ", url=" + (url == null ? "none" : "<redacted>") + ", onError="
                + onError + ", timeoutMs=" + timeoutMs + ", prefix=" + prefix + "]";
    }
}
