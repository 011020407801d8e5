package io.junction.core.govern;

/**
 * The per-minute counter behind {@code rpm} and {@code tpm}: a sliding-window counter over two fixed
 * 60 s buckets aligned to the epoch minute. The count "in the last minute" is estimated as
 * {@code previous × (1 − elapsed/60 s) + current}, which smooths the double burst a plain fixed
 * window allows at its boundary, in O(1) state. The same arithmetic runs in Redis (see
 * {@code RedisLimitStore}'s script), so one replica or many give the same answers.
 *
 * <p>Not thread-safe: the memory store guards each scope's windows with the scope's lock.
 */
public final class SlidingWindow {
    public static final long WINDOW_MS = 60_000;

    private long bucket = Long.MIN_VALUE;
    private long current;
    private long previous;

    /** Moves to {@code nowMs}'s bucket: the current bucket becomes the previous one, or both empty. */
    private void roll(long nowMs) {
        long b = Math.floorDiv(nowMs, WINDOW_MS);
        if (b == bucket) {
            return;
        }
        previous = b == bucket + 1 ? current : 0;
        current = 0;
        bucket = b;
    }

    public double estimate(long nowMs) {
        roll(nowMs);
        return estimate(previous, current, Math.floorMod(nowMs, WINDOW_MS));
    }

    /** True when {@code cost} more fits under {@code limit} now. */
    public boolean fits(long nowMs, long cost, long limit) {
        return estimate(nowMs) + cost <= limit;
    }

    public void add(long nowMs, long n) {
        roll(nowMs);
        current += n;
    }

    /**
     * Corrects a count made at {@code thenMs} by {@code delta} (e.g. estimated prompt tokens replaced
     * by the real usage): applied to whichever bucket counted it, if that bucket is still held;
     * never below zero.
     */
    public void correct(long nowMs, long thenMs, long delta) {
        roll(nowMs);
        long then = Math.floorDiv(thenMs, WINDOW_MS);
        if (then == bucket) {
            current = Math.max(0, current + delta);
        } else if (then == bucket - 1) {
            previous = Math.max(0, previous + delta);
        }
    }

    public long remaining(long nowMs, long limit) {
        return Math.max(0, (long) Math.floor(limit - estimate(nowMs)));
    }

    /** Time until the window is empty again (OpenAI's {@code x-ratelimit-reset-*}). */
    public long resetMs(long nowMs) {
        roll(nowMs);
        return resetMs(previous, current, Math.floorMod(nowMs, WINDOW_MS));
    }

    /** Time until {@code cost} more fits, or -1 when it never can ({@code cost > limit}). */
    public long retryAfterMs(long nowMs, long cost, long limit) {
        roll(nowMs);
        return retryAfterMs(previous, current, Math.floorMod(nowMs, WINDOW_MS), cost, limit);
    }

    // ---- the arithmetic, on plain values (shared with the Redis store and its tests) ----

    public static double estimate(long previous, long current, long elapsedMs) {
        return previous * (1.0 - (double) elapsedMs / WINDOW_MS) + current;
    }

    public static long resetMs(long previous, long current, long elapsedMs) {
        if (current > 0) {
            return WINDOW_MS - elapsedMs + WINDOW_MS;
        }
        return previous > 0 ? WINDOW_MS - elapsedMs : 0;
    }

    /** {@link #resetMs} right after something was counted at {@code nowMs}: the current bucket is not empty. */
    public static long resetAfterChargeMs(long nowMs) {
        return 2 * WINDOW_MS - Math.floorMod(nowMs, WINDOW_MS);
    }

    public static long retryAfterMs(long previous, long current, long elapsedMs, long cost, long limit) {
        if (cost > limit) {
            return -1;
        }
        if (estimate(previous, current, elapsedMs) + cost <= limit) {
            return 0;
        }
        if (current + cost <= limit) {
            // within this bucket, once enough of the previous bucket has slid out
            double f = 1.0 - (double) (limit - current - cost) / previous;
            return Math.max(1, (long) Math.ceil(f * WINDOW_MS) - elapsedMs);
        }
        // in the next bucket, once enough of this one has slid out
        double f = current == 0 ? 0 : Math.max(0, 1.0 - (double) (limit - cost) / current);
        return WINDOW_MS - elapsedMs + (long) Math.ceil(f * WINDOW_MS);
    }
}
