package io.junction.core.config;

/**
 * {@code retry:} of a provider — how often one target is tried again before the router moves on.
 *
 * @param maxRetries extra attempts on the same target after a retryable failure (default 1)
 * @param initialBackoffMs first backoff ceiling; doubles per retry, with full jitter (default 250)
 * @param maxBackoffMs cap of the backoff ceiling (default 4000)
 * @param maxRetryAfterMs a provider's {@code Retry-After} up to this long is waited for (if it also fits
 *     in the request deadline); a longer one moves on to the next target at once (default 30000)
 */
public record RetrySpec(Integer maxRetries, Long initialBackoffMs, Long maxBackoffMs, Long maxRetryAfterMs) {
    public static final RetrySpec DEFAULTS = new RetrySpec(null, null, null, null);
    public static final RetrySpec NONE = new RetrySpec(0, 0L, 0L, 0L);

    public RetrySpec(Integer maxRetries, Long initialBackoffMs, Long maxBackoffMs) {
        this(maxRetries, initialBackoffMs, maxBackoffMs, null);
    }

    public RetrySpec {
        maxRetries = maxRetries == null ? 1 : maxRetries;
        initialBackoffMs = initialBackoffMs == null ? 250L : initialBackoffMs;
        maxBackoffMs = maxBackoffMs == null ? 4000L : maxBackoffMs;
        maxRetryAfterMs = maxRetryAfterMs == null ? 30_000L : maxRetryAfterMs;
    }
}
