package io.junction.core.config;

/**
 * {@code limits:} of a key or team. Each is optional; a missing one is no limit.
 *
 * @param rpm requests per minute (sliding 60 s window)
 * @param tpm tokens (prompt + completion) per minute; the prompt is estimated at admission and the
 *     count corrected with the real usage when the call ends
 * @param concurrent calls in flight at once
 */
public record LimitsSpec(Long rpm, Long tpm, Integer concurrent) {
    public static final LimitsSpec NONE = new LimitsSpec(null, null, null);

    public boolean any() {
        return rpm != null || tpm != null || concurrent != null;
    }
}
