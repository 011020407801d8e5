package io.junction.server.observe.trace;

import io.opentelemetry.api.trace.SpanContext;

/**
 * Trace ids as exemplars of {@code junction_request_duration_seconds}: Prometheus' exemplar sampler
 * asks for "the current span" while a duration is recorded; Junction has no thread-bound current
 * span (calls interleave on an event loop), so the request's span is made current only around that
 * one record call ({@link #recording}). Visible in the OpenMetrics scrape
 * ({@code Accept: application/openmetrics-text}). Installed only when tracing is on.
 */
public final class TraceExemplars implements io.prometheus.metrics.tracer.common.SpanContext {
    private static final ThreadLocal<SpanContext> CURRENT = new ThreadLocal<>();

    /** Runs {@code record} with {@code span} as the current exemplar candidate. */
    public static void recording(SpanContext span, Runnable record) {
        CURRENT.set(span);
        try {
            record.run();
        } finally {
            CURRENT.remove();
        }
    }

    @Override
    public String getCurrentTraceId() {
        SpanContext s = CURRENT.get();
        return s == null ? null : s.getTraceId();
    }

    @Override
    public String getCurrentSpanId() {
        SpanContext s = CURRENT.get();
        return s == null ? null : s.getSpanId();
    }

    @Override
    public boolean isCurrentSpanSampled() {
        SpanContext s = CURRENT.get();
        return s != null && s.isSampled();
    }

    @Override
    public void markCurrentSpanAsExemplar() {
        // the span is already sampled and exported; nothing to mark
    }
}
