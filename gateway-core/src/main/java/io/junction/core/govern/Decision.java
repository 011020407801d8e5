package io.junction.core.govern;

/**
 * A store's answer to an admission: refused ({@link #rejection} set, nothing charged) or admitted;
 * either way, the tightest request and token quota among the scopes, for the
 * {@code x-ratelimit-*} headers (null when no scope caps that).
 */
public record Decision(Rejection rejection, Quota requests, Quota tokens) {
    public static final Decision ADMITTED_UNCAPPED = new Decision(null, null, null);

    public boolean admitted() {
        return rejection == null;
    }

    /** What is left of a per-minute cap: {@code remaining} after this call, window empty in {@code resetMs}. */
    public record Quota(long limit, long remaining, long resetMs) {
        /** The tighter of two quotas (least remaining), either may be null. */
        public static Quota tighter(Quota a, Quota b) {
            if (a == null) {
                return b;
            }
            if (b == null) {
                return a;
            }
            return b.remaining < a.remaining ? b : a;
        }
    }

    public enum Kind {
        REQUESTS,
        TOKENS,
        CONCURRENT,
        BUDGET
    }

    /**
     * Why a call was refused: the first scope over a cap, which cap, its value (requests, tokens,
     * calls or micro-dollars), what it stands at, and how long until it could pass (-1: never, the
     * call alone is bigger than the cap).
     */
    public record Rejection(String scope, Kind kind, long limit, long used, long retryAfterMs) {}
}
