package io.junction.core.route;

import io.junction.core.transport.UpstreamHeaders;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads the rate-limit state a provider states in its response headers, success or error:
 *
 * <ul>
 *   <li>OpenAI style (also Groq, Azure OpenAI, Mistral, Together, ...):
 *       {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}}, the reset as a Go-style
 *       duration from now ({@code 1s}, {@code 6m0s}, {@code 20ms}, {@code 1h2m3.5s}) or a bare
 *       number of seconds;
 *   <li>Anthropic: {@code anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,
 *       remaining,reset}}, the reset as an RFC 3339 timestamp.
 * </ul>
 *
 * <p>A value that does not parse is ignored (never an exception): a provider's odd header must not
 * break a call. A reset more than {@link #MAX_RESET_NANOS} away is ignored as implausible.
 */
public final class RateLimitHeaders {
    /** Resets further away than a day are taken for garbage. */
    static final long MAX_RESET_NANOS = 86_400_000_000_000L;

    private RateLimitHeaders() {}

    /** Header names, {remaining, limit, reset} per window, built once (this runs on every response). */
    private static final String[] OAI_REQUESTS = openAiNames("requests");

    private static final String[] OAI_TOKENS = openAiNames("tokens");
    private static final String[] ANT_REQUESTS = anthropicNames("requests");
    private static final String[] ANT_TOKENS = anthropicNames("tokens");
    private static final String[] ANT_INPUT = anthropicNames("input-tokens");
    private static final String[] ANT_OUTPUT = anthropicNames("output-tokens");

    private static String[] openAiNames(String kind) {
        return new String[] {"x-ratelimit-remaining-" + kind, "x-ratelimit-limit-" + kind, "x-ratelimit-reset-" + kind};
    }

    private static String[] anthropicNames(String kind) {
        String p = "anthropic-ratelimit-" + kind + "-";
        return new String[] {p + "remaining", p + "limit", p + "reset"};
    }

    /**
     * One limit: {@code limit} (-1 unknown), {@code remaining} (-1 unknown) and when it is full again,
     * as a {@link System#nanoTime()}-style instant ({@link #NO_RESET} unknown).
     */
    public record Window(long limit, long remaining, long resetAtNanos) {
        public static final long NO_RESET = Long.MIN_VALUE;

        /** Nothing left, and a known reset still ahead of {@code nowNanos}. */
        public boolean exhausted(long nowNanos) {
            return remaining == 0 && resetAtNanos != NO_RESET && resetAtNanos - nowNanos > 0;
        }
    }

    /** What one response said; a window is null when the response did not state it. */
    public record Learned(Window requests, Window tokens, Window inputTokens, Window outputTokens) {
        public boolean isEmpty() {
            return requests == null && tokens == null && inputTokens == null && outputTokens == null;
        }
    }

    /**
     * The limits stated in {@code headers}, or null when there are none.
     *
     * @param nowNanos the monotonic clock when the headers arrived (relative resets count from it)
     * @param wallMillis the wall clock at the same moment (absolute resets are converted with it)
     */
    public static Learned parse(UpstreamHeaders headers, long nowNanos, long wallMillis) {
        Window requests = openAi(headers, OAI_REQUESTS, nowNanos);
        Window tokens = openAi(headers, OAI_TOKENS, nowNanos);
        if (requests == null) {
            requests = anthropic(headers, ANT_REQUESTS, nowNanos, wallMillis);
        }
        if (tokens == null) {
            tokens = anthropic(headers, ANT_TOKENS, nowNanos, wallMillis);
        }
        Window input = anthropic(headers, ANT_INPUT, nowNanos, wallMillis);
        Window output = anthropic(headers, ANT_OUTPUT, nowNanos, wallMillis);
        Learned l = new Learned(requests, tokens, input, output);
        return l.isEmpty() ? null : l;
    }

    private static Window openAi(UpstreamHeaders h, String[] names, long nowNanos) {
        long remaining = count(h.get(names[0]));
        if (remaining < 0) {
            return null; // without "remaining" the other two say nothing the router can use
        }
        long limit = count(h.get(names[1]));
        long in = durationNanos(h.get(names[2]));
        return new Window(limit, remaining, in < 0 ? Window.NO_RESET : nowNanos + in);
    }

    private static Window anthropic(UpstreamHeaders h, String[] names, long nowNanos, long wallMillis) {
        long remaining = count(h.get(names[0]));
        if (remaining < 0) {
            return null;
        }
        long limit = count(h.get(names[1]));
        long reset = Window.NO_RESET;
        long at = epochMillis(h.get(names[2]));
        if (at != Long.MIN_VALUE) {
            long inMs = at - wallMillis;
            // a reset already past (clock skew, or a window that just refilled) means "full now"
            long in = Math.max(0, inMs) * 1_000_000L;
            if (in <= MAX_RESET_NANOS) {
                reset = nowNanos + in;
            }
        }
        return new Window(limit, remaining, reset);
    }

    /** A non-negative whole number, or -1. */
    static long count(String v) {
        if (v == null) {
            return -1;
        }
        String s = v.strip();
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /**
     * A Go-style duration ({@code 1h2m3.5s}, {@code 6m0s}, {@code 20ms}, {@code 1.5s}; units
     * {@code h m s ms us µs ns}) or a bare number of seconds, in nanoseconds; -1 when it does not
     * parse or is over a day.
     */
    static long durationNanos(String v) {
        if (v == null) {
            return -1;
        }
        String s = v.strip();
        if (s.isEmpty() || s.length() > 40) {
            return -1;
        }
        int i = 0;
        int n = s.length();
        double total = 0;
        boolean any = false;
        while (i < n) {
            int start = i;
            boolean dot = false;
            while (i < n && (isDigit(s.charAt(i)) || (s.charAt(i) == '.' && !dot))) {
                if (s.charAt(i) == '.') {
                    dot = true;
                }
                i++;
            }
            if (i == start || (i == start + 1 && dot)) {
                return -1;
            }
            double number = Double.parseDouble(s.substring(start, i));
            double unit;
            if (i == n) {
                if (any) {
                    return -1; // "1m30" : a unit is missing
                }
                unit = 1e9; // a bare number: seconds
            } else if (s.startsWith("ms", i)) {
                unit = 1e6;
                i += 2;
            } else if (s.startsWith("us", i) || s.startsWith("µs", i)) {
                unit = 1e3;
                i += 2;
            } else if (s.startsWith("ns", i)) {
                unit = 1;
                i += 2;
            } else if (s.charAt(i) == 'h') {
                unit = 3600e9;
                i++;
            } else if (s.charAt(i) == 'm') {
                unit = 60e9;
                i++;
            } else if (s.charAt(i) == 's') {
                unit = 1e9;
                i++;
            } else {
                return -1;
            }
            total += number * unit;
            any = true;
        }
        if (!any || total > MAX_RESET_NANOS) {
            return -1;
        }
        return (long) Math.ceil(total);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** An RFC 3339 timestamp in epoch milliseconds, or Long.MIN_VALUE. */
    static long epochMillis(String v) {
        if (v == null || v.isBlank() || v.length() > 64) {
            return Long.MIN_VALUE;
        }
        try {
            return OffsetDateTime.parse(v.strip()).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return Long.MIN_VALUE;
        }
    }
}
