package io.junction.server.observe.trace;

import io.junction.core.config.TracingSpec;
import io.junction.core.schema.ChatRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing of chat calls (docs/observability.md#tracing): one SERVER span per chat
 * request, one CLIENT span per upstream attempt, exported over OTLP/HTTP by a
 * {@link BatchSpanProcessor} — its own thread batches and sends, so an event loop only hands a
 * finished span to a bounded queue (a full queue drops the span, never waits).
 *
 * <p>Exists only when {@code tracing.enabled}: with tracing off, nothing of the SDK is created and
 * the request path tests a null reference.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final Clock clock = Clock.getDefault();

    private Tracing(SdkTracerProvider provider) {
        this.provider = provider;
        this.tracer = provider.get("io.junction", Tracing.class.getPackage().getImplementationVersion());
        // The context storage is found through a ServiceLoader (jar reads) on first use: here, at start,
        // rather than on an event loop with the first request. A span under an unsampled parent is not
        // recorded, so this warms the span path up without exporting anything.
        Context.current();
        Span warm = tracer.spanBuilder("warm-up")
                .setParent(Context.root()
                        .with(Span.wrap(SpanContext.create(
                                "0af7651916cd43dd8448eb211c80319c",
                                "b7ad6b7169203331",
                                TraceFlags.getDefault(),
                                TraceState.getDefault()))))
                .startSpan();
        inject(Context.root().with(warm), new java.util.HashMap<>());
        warm.end();
    }

    /** Tracing as {@code spec} asks, exporting over OTLP/HTTP; null when it is off. */
    public static Tracing start(TracingSpec spec) {
        if (!spec.enabled()) {
            return null;
        }
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(spec.endpoint())
                .setTimeout(Duration.ofMillis(spec.timeoutMs()));
        spec.headers().forEach(b::addHeader);
        log.info(
                "tracing: OTLP/HTTP export to {} (sample ratio {}, service.name {})",
                spec.endpoint(),
                spec.sampleRatio(),
                spec.serviceName());
        return create(spec, b.build());
    }

    /** Tracing exporting to {@code exporter} (tests: an in-memory exporter), batched like the real one. */
    public static Tracing create(TracingSpec spec, SpanExporter exporter) {
        Resource resource =
                Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, spec.serviceName())));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(spec.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter)
                        .setExporterTimeout(Duration.ofMillis(spec.timeoutMs()))
                        .build())
                .build();
        return new Tracing(provider);
    }

    /**
     * Starts the SERVER span of a chat call, back-dated to its arrival ({@code receivedNanos}, from
     * {@link System#nanoTime()}): a child of the client's {@code traceparent} when it sent a valid
     * one, else the root of a new trace.
     */
    public ChatSpan chat(String traceparent, String tracestate, ChatRequest request, long receivedNanos) {
        Context parent = Context.root();
        if (traceparent != null) {
            parent = W3CTraceContextPropagator.getInstance()
                    .extract(parent, new String[] {traceparent, tracestate}, HEADERS);
        }
        long startEpochNanos = clock.now() - (System.nanoTime() - receivedNanos);
        return new ChatSpan(tracer, parent, request, startEpochNanos);
    }

    /** Exports what is queued, waiting at most {@code timeout}. */
    public boolean flush(Duration timeout) {
        return provider.forceFlush()
                .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
    }

    /** Exports what is queued (bounded wait) and stops the export thread. Not on an event loop. */
    @Override
    public void close() {
        if (!provider.shutdown().join(10, TimeUnit.SECONDS).isSuccess()) {
            log.warn("tracing: the last spans could not be exported at shutdown");
        }
    }

    /** The W3C headers as a two-element array: traceparent, tracestate (nullable). */
    private static final TextMapGetter<String[]> HEADERS = new TextMapGetter<>() {
        private static final List<String> KEYS = Arrays.asList("traceparent", "tracestate");

        @Override
        public Iterable<String> keys(String[] carrier) {
            return KEYS;
        }

        @Override
        public String get(String[] carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return switch (key) {
                case "traceparent" -> carrier[0];
                case "tracestate" -> carrier[1];
                default -> null;
            };
        }
    };

    /** Writes W3C headers into a map (upstream requests). */
    static void inject(Context context, Map<String, String> out) {
        W3CTraceContextPropagator.getInstance().inject(context, out, (m, k, v) -> m.put(k, v));
    }
}
