package io.junction.core.cache;

import io.junction.core.config.CacheSpec;
import io.junction.core.schema.ChatRequest;
import java.util.Locale;

/**
 * Whether one request uses the response cache, and how.
 *
 * <ol>
 *   <li>{@code cache.enabled: false} → {@link Decision#OFF} (no cache header at all);
 *   <li>request header {@code x-junction-cache: no-store} → {@link Decision#BYPASS} (neither read nor
 *       written);
 *   <li>the alias's {@code cache: false} → bypass;
 *   <li>{@code logprobs: true} → bypass (per-token log probabilities are not kept);
 *   <li>cacheable when the alias says {@code cache: true}, or {@code cache.mode: always}, or the
 *       request is deterministic: {@code temperature: 0} or a {@code seed}; otherwise bypass;
 *   <li>header {@code x-junction-cache: refresh} → {@link Decision#REFRESH} (skip the read, store the
 *       fresh answer); else {@link Decision#LOOKUP}.
 * </ol>
 */
public final class CachePolicy {
    private CachePolicy() {}

    /** The request header that opts a request out ({@code no-store}) or forces a fresh answer ({@code refresh}). */
    public static final String HEADER = "x-junction-cache";

    public enum Decision {
        /** The cache is turned off: not consulted, nothing reported. */
        OFF,
        /** Not read, not written (reported as {@code BYPASS}). */
        BYPASS,
        /** Read; on a miss, the fresh answer is stored. */
        LOOKUP,
        /** Not read; the fresh answer replaces any stored one. */
        REFRESH;

        public boolean reads() {
            return this == LOOKUP;
        }

        public boolean writes() {
            return this == LOOKUP || this == REFRESH;
        }
    }

    /**
     * @param aliasCache the alias's {@code cache} flag (null when unset or the model is no alias)
     * @param header the {@code x-junction-cache} request header, or null
     * @throws IllegalArgumentException for a header value other than {@code no-store} or {@code refresh}
     */
    public static Decision decide(CacheSpec spec, Boolean aliasCache, String header, ChatRequest request) {
        String h = header == null ? "" : header.strip().toLowerCase(Locale.ROOT);
        if (!h.isEmpty() && !h.equals("no-store") && !h.equals("refresh")) {
            throw new IllegalArgumentException(
                    "Invalid header '" + HEADER + "': expected no-store or refresh, got '" + header.strip() + "'.");
        }
        if (!spec.enabled()) {
            return Decision.OFF;
        }
        if (h.equals("no-store") || Boolean.FALSE.equals(aliasCache) || Boolean.TRUE.equals(request.logprobs())) {
            return Decision.BYPASS;
        }
        boolean cacheable = Boolean.TRUE.equals(aliasCache) || "always".equals(spec.mode()) || deterministic(request);
        if (!cacheable) {
            return Decision.BYPASS;
        }
        return h.equals("refresh") ? Decision.REFRESH : Decision.LOOKUP;
    }

    /** {@code temperature: 0} or a {@code seed}: the request asks for a repeatable answer. */
    public static boolean deterministic(ChatRequest request) {
        return (request.temperature() != null && request.temperature() == 0.0) || request.seed() != null;
    }
}
