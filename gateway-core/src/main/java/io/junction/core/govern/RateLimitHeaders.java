package io.junction.core.govern;

import java.util.function.BiConsumer;

/**
 * OpenAI's rate-limit response headers: {@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-requests}, {@code x-ratelimit-reset-requests} and the same three for
 * {@code -tokens}; resets are durations in OpenAI's style ({@code 20ms}, {@code 1s}, {@code 6m0s}).
 */
public final class RateLimitHeaders {
    private RateLimitHeaders() {}

    public static void write(Decision d, BiConsumer<String, String> out) {
        if (d == null) {
            return;
        }
        if (d.requests() != null) {
            out.accept("x-ratelimit-limit-requests", Long.toString(d.requests().limit()));
            out.accept(
                    "x-ratelimit-remaining-requests", Long.toString(d.requests().remaining()));
            out.accept("x-ratelimit-reset-requests", duration(d.requests().resetMs()));
        }
        if (d.tokens() != null) {
            out.accept("x-ratelimit-limit-tokens", Long.toString(d.tokens().limit()));
            out.accept("x-ratelimit-remaining-tokens", Long.toString(d.tokens().remaining()));
            out.accept("x-ratelimit-reset-tokens", duration(d.tokens().resetMs()));
        }
    }

    /** {@code 0s}, {@code 350ms}, {@code 1.5s}, {@code 6m0s}, {@code 2h3m4s}, {@code 3d4h}. */
    public static String duration(long ms) {
        if (ms <= 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long days = ms / 86_400_000;
        if (days > 0) {
            return days + "d" + (ms % 86_400_000) / 3_600_000 + "h";
        }
        long h = ms / 3_600_000;
        long m = (ms % 3_600_000) / 60_000;
        long s = (ms % 60_000) / 1000;
        long frac = ms % 1000;
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            b.append(m).append('m');
        }
        b.append(s);
        if (frac > 0 && h == 0 && m == 0) {
            String f = String.format(java.util.Locale.ROOT, "%03d", frac);
            while (f.endsWith("0")) {
                f = f.substring(0, f.length() - 1);
            }
            b.append('.').append(f);
        }
        return b.append('s').toString();
    }
}
