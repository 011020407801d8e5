package io.junction.core.config;

/**
 * {@code limits:} of a provider: the provider key's own limits, enforced locally (per replica, in
 * memory) over a sliding 60 s window, so the router steers away before the provider answers 429.
 * With several {@code api_keys}, each key has its own window.
 *
 * @param rpm requests per minute, counted when a request is dispatched; null = no limit
 * @param tpm tokens per minute, counted from the usage each call reports when it ends; null = no limit
 */
public record LimitsSpec(Long rpm, Long tpm) {
    public static final LimitsSpec NONE = new LimitsSpec(null, null);

    public boolean any() {
        return rpm != null || tpm != null;
    }
}
