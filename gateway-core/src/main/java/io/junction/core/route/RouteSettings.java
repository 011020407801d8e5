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
 */
public record RouteSettings(
        Duration requestTimeout,
        Duration streamKeepalive,
        Duration ttft,
        boolean sameTargetRetries,
        Duration hedgeAfter) {

    /** Failover across targets only: no retries of one target, no deadlines, no keep-alives. */
    public static final RouteSettings FAILOVER_ONLY = new RouteSettings(null, null, null, false, null);

    public RouteSettings(Duration requestTimeout, Duration streamKeepalive, Duration ttft, boolean sameTargetRetries) {
        this(requestTimeout, streamKeepalive, ttft, sameTargetRetries, null);
    }

    public RouteSettings withTtft(Duration newTtft) {
        return new RouteSettings(requestTimeout, streamKeepalive, newTtft, sameTargetRetries, hedgeAfter);
    }

    public RouteSettings withRequestTimeout(Duration timeout) {
        return new RouteSettings(timeout, streamKeepalive, ttft, sameTargetRetries, hedgeAfter);
    }

    public RouteSettings withHedgeAfter(Duration after) {
        return new RouteSettings(requestTimeout, streamKeepalive, ttft, sameTargetRetries, after);
    }
}
