package io.junction.core.route;

import java.time.Duration;

/**
 * Per-call routing policy, resolved from config, the request and its {@code x-junction-*} headers.
 *
 * @param requestTimeout deadline for the whole call, all attempts and backoffs included; null = none
 * @param streamKeepalive streams: SSE comment interval while waiting for the first token; null = off
 * @param ttft streams: first-token deadline for every attempt, overriding the providers'; null = the
 *     provider's {@code ttft_timeout_ms}, if any
 * @param sameTargetRetries whether a target's {@code retry} policy applies (false = fail over at once)
 * @param hedgeAfter when set, an attempt that has produced nothing (no first token for a stream, no
 *     answer otherwise) after this long gets a parallel attempt on the next target; the first to
 *     produce wins and the other is cancelled; one hedge per call at most
 * @param commitChars the stream's commit point: {@code 0} the first content token (default),
 *     {@code -1} the first chunk of any kind, {@code N > 0} the first N characters of content
 */
public record RouteSettings(
        Duration requestTimeout,
        Duration streamKeepalive,
        Duration ttft,
        boolean sameTargetRetries,
        Duration hedgeAfter,
        int commitChars) {

    /** Failover across targets only: no retries of one target, no deadlines, no keep-alives. */
    public static final RouteSettings FAILOVER_ONLY = new RouteSettings(null, null, null, false, null, 0);

    public RouteSettings(Duration requestTimeout, Duration streamKeepalive, Duration ttft, boolean sameTargetRetries) {
        this(requestTimeout, streamKeepalive, ttft, sameTargetRetries, null, 0);
    }

    public RouteSettings(
            Duration requestTimeout,
            Duration streamKeepalive,
            Duration ttft,
            boolean sameTargetRetries,
            Duration hedgeAfter) {
        this(requestTimeout, streamKeepalive, ttft, sameTargetRetries, hedgeAfter, 0);
    }

    public RouteSettings withTtft(Duration newTtft) {
        return new RouteSettings(requestTimeout, streamKeepalive, newTtft, sameTargetRetries, hedgeAfter, commitChars);
    }

    public RouteSettings withRequestTimeout(Duration timeout) {
        return new RouteSettings(timeout, streamKeepalive, ttft, sameTargetRetries, hedgeAfter, commitChars);
    }

    public RouteSettings withHedgeAfter(Duration after) {
        return new RouteSettings(requestTimeout, streamKeepalive, ttft, sameTargetRetries, after, commitChars);
    }

    public RouteSettings withCommitChars(int chars) {
        return new RouteSettings(requestTimeout, streamKeepalive, ttft, sameTargetRetries, hedgeAfter, chars);
    }
}
