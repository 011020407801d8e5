package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.junction.core.pricing.Cost;
import java.util.List;

/**
 * Junction's {@code extra_fields} block on responses: who served the request, how long it took, what
 * it cost, and every upstream attempt made. Turned off with {@code server.extra_fields: false} for
 * clients that reject unknown fields.
 *
 * <p>{@code cost} is USD by part ({@code input}, {@code cached_input}, {@code cache_write},
 * {@code output}, {@code total}), or {@code null} when the model has no price. {@code ttft_ms} is
 * set on streams only. {@code overhead_us} is the time spent inside Junction, upstream waits
 * excluded (see docs/observability.md). {@code usage_estimated} is true when the usage (and so the
 * cost) was counted by Junction because the provider reported none. {@code cache} is {@code "hit"}
 * when the answer came from the response cache (then {@code cost} is zero), {@code "miss"} when the
 * cache was asked and the answer was stored, absent when the cache was not used.
 */
public record ExtraFields(
        String provider,
        String modelRequested,
        String modelUsed,
        Long latencyMs,
        Long ttftMs,
        Long overheadUs,
        Boolean usageEstimated,
        @JsonInclude(JsonInclude.Include.ALWAYS) Cost cost,
        List<AttemptInfo> attempts,
        String abArm,
        String cache) {

    public ExtraFields(
            String provider,
            String modelRequested,
            String modelUsed,
            Long latencyMs,
            Long ttftMs,
            Long overheadUs,
            Boolean usageEstimated,
            Cost cost,
            List<AttemptInfo> attempts,
            String abArm) {
        this(
                provider,
                modelRequested,
                modelUsed,
                latencyMs,
                ttftMs,
                overheadUs,
                usageEstimated,
                cost,
                attempts,
                abArm,
                null);
    }

    public ExtraFields(
            String provider, String modelRequested, String modelUsed, Long latencyMs, List<AttemptInfo> attempts) {
        this(provider, modelRequested, modelUsed, latencyMs, null, null, null, null, attempts, null, null);
    }

    /**
     * One upstream attempt: {@code target} is {@code provider/model}; {@code status} is the HTTP status
     * (or the status Junction assigned: 502/504 for network failures, 503 for a skipped open circuit).
     */
    public record AttemptInfo(String target, int status, String errorCode, long latencyMs) {}
}
