package io.junction.core.config;

/**
 * {@code limits:} of a key or team (see docs/governance.md), or of a provider (see
 * docs/routing.md). Each is optional; a missing one is no limit.
 *
 * <p>Keys and teams: {@code rpm} and {@code tpm} over a sliding 60 s window, the prompt estimated at
 * admission and corrected with the real usage when the call ends; {@code concurrent} calls in
 * flight. Providers: the provider key's own limits, enforced locally (per replica, in memory) so the
 * router steers away before the provider answers 429; requests count when dispatched, tokens from
 * the usage each call reports; {@code concurrent} does not apply.
 *
 * @param rpm requests per minute
 * @param tpm tokens (prompt + completion) per minute
 * @param concurrent calls in flight at once (keys and teams only)
 */
public record LimitsSpec(Long rpm, Long tpm, Integer concurrent) {
    public static final LimitsSpec NONE = new LimitsSpec(null, null, null);

    public LimitsSpec(Long rpm, Long tpm) {
        this(rpm, tpm, null);
    }

    public boolean any() {
        return rpm != null || tpm != null || concurrent != null;
    }
}
