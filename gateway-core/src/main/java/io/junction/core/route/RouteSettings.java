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
 */
public record RouteSettings(
        Duration requestTimeout, Duration streamKeepalive, Duration ttft, boolean sameTargetRetries) {

    /** Failover across targets only: no retries of one target, no deadlines, no keep-alives. */
    public static final RouteSettings FAILOVER_ONLY = new RouteSettings(null, null, null, false);

    public RouteSettings withTtft(Duration newTtft) {
        return new RouteSettings(requestTimeout, streamKeepalive, newTtft, sameTargetRetries);
    }

    public RouteSettings withRequestTimeout(Duration timeout) {
        return new RouteSettings(timeout, streamKeepalive, ttft, sameTargetRetries);
    }
}
