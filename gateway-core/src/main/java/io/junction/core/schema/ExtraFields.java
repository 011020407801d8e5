package io.junction.core.schema;

import java.util.List;

/**
 * Junction's {@code extra_fields} block on responses: who served the request, how long it took, and
 * every upstream attempt made. Turned off with {@code server.extra_fields: false} for clients that
 * reject unknown fields.
 */
public record ExtraFields(
        String provider,
        String modelRequested,
        String modelUsed,
        Long latencyMs,
        List<AttemptInfo> attempts,
        String abArm) {

    public ExtraFields(
            String provider, String modelRequested, String modelUsed, Long latencyMs, List<AttemptInfo> attempts) {
        this(provider, modelRequested, modelUsed, latencyMs, attempts, null);
    }

    /**
     * One upstream attempt: {@code target} is {@code provider/model}; {@code status} is the HTTP status
     * (or the status Junction assigned: 502/504 for network failures, 503 for a skipped open circuit).
     */
    public record AttemptInfo(String target, int status, String errorCode, long latencyMs) {}
}
