package io.junction.server.observe.trace;

import io.junction.core.pricing.Cost;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.Attempt;
import io.junction.core.route.AttemptObserver;
import io.junction.core.route.CallInfo;
import io.junction.core.route.RoutedCall;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Target;
import io.junction.server.observe.ErrorTypes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spans of one chat call: the SERVER span {@code chat {model}} and, as its children, one CLIENT
 * span {@code chat {target model}} per upstream attempt (retries, fallbacks and hedges included).
 * The {@code traceparent} sent upstream carries the attempt span's id, so the provider's spans hang
 * under the attempt. Attributes follow the OpenTelemetry GenAI and HTTP semantic conventions where
 * they fit, {@code junction.*} otherwise. Confined to the call's event loop.
 */
public final class ChatSpan implements AttemptObserver {
    // GenAI semantic conventions
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    static final AttributeKey<Double> TOP_P = AttributeKey.doubleKey("gen_ai.request.top_p");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHE_READ = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<Long> CACHE_WRITE = AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
    static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    // HTTP, server and error semantic conventions
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    // Junction's own
    static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("junction.stream");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("junction.request_id");
    static final AttributeKey<String> KEY = AttributeKey.stringKey("junction.key");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("junction.provider");
    static final AttributeKey<String> TARGET = AttributeKey.stringKey("junction.target");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("junction.attempts");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("junction.attempt");
    static final AttributeKey<Boolean> HEDGE = AttributeKey.booleanKey("junction.hedge");
    static final AttributeKey<String> JUNCTION_ERROR_TYPE = AttributeKey.stringKey("junction.error_type");
    static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("junction.error_code");
    static final AttributeKey<Double> COST = AttributeKey.doubleKey("junction.cost_usd");
    static final AttributeKey<Long> TTFT = AttributeKey.longKey("junction.ttft_ms");
    static final AttributeKey<Long> OVERHEAD = AttributeKey.longKey("junction.overhead_us");
    static final AttributeKey<Boolean> ESTIMATED = AttributeKey.booleanKey("junction.usage_estimated");
    static final AttributeKey<String> AB_ARM = AttributeKey.stringKey("junction.ab_arm");
    static final AttributeKey<String> CACHE = AttributeKey.stringKey("junction.cache");

    private final Tracer tracer;
    private final Span span;
    private final Context context;
    private String responseModel;

    ChatSpan(Tracer tracer, Context parent, ChatRequest request, long startEpochNanos) {
        this.tracer = tracer;
        var b = tracer.spanBuilder("chat " + request.model())
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(startEpochNanos, java.util.concurrent.TimeUnit.NANOSECONDS)
                .setAttribute(HTTP_METHOD, "POST")
                .setAttribute(HTTP_ROUTE, "/v1/chat/completions")
                .setAttribute(OPERATION, "chat")
                .setAttribute(REQUEST_MODEL, request.model())
                .setAttribute(STREAM, request.isStream());
        requestAttributes(b, request);
        this.span = b.startSpan();
        this.context = parent.with(span);
    }

    private static void requestAttributes(io.opentelemetry.api.trace.SpanBuilder b, ChatRequest request) {
        Integer max = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        if (max != null) {
            b.setAttribute(MAX_TOKENS, max.longValue());
        }
        if (request.temperature() != null) {
            b.setAttribute(TEMPERATURE, request.temperature());
        }
        if (request.topP() != null) {
            b.setAttribute(TOP_P, request.topP());
        }
    }

    /** The SERVER span's context (exemplars, tests). */
    public SpanContext spanContext() {
        return span.getSpanContext();
    }

    /** Who is calling and which request this is; once, when known. */
    public void caller(String requestId, String keyName, String abArm) {
        span.setAttribute(REQUEST_ID, requestId);
        span.setAttribute(KEY, keyName);
        if (abArm != null) {
            span.setAttribute(AB_ARM, abArm);
        }
    }

    /** The model the provider says answered (first one reported wins). */
    public void responseModel(String model) {
        if (responseModel == null && model != null) {
            responseModel = model;
        }
    }

    public boolean wantsResponseModel() {
        return responseModel == null;
    }

    /**
     * The call ended: outcome, usage (when the provider reported it; an estimate is made later, off
     * the event loop, and is not on the span) and cost, then the span ends and goes to the export
     * queue. Status ERROR for a failure that was not the caller's (error types other than
     * {@code caller_*} and {@code policy_*}); {@code error.type} is set for every failure.
     */
    public void end(
            int status,
            String errorType,
            CallInfo info,
            Usage usage,
            Cost cost,
            boolean estimated,
            Long ttftMs,
            long overheadUs) {
        span.setAttribute(HTTP_STATUS, (long) status);
        Target target = info == null ? null : info.target();
        if (target != null) {
            span.setAttribute(PROVIDER, target.provider().name());
            String system = providerName(target.provider().spec().type());
            span.setAttribute(PROVIDER_NAME, system);
            span.setAttribute(SYSTEM, system);
        }
        if (responseModel != null) {
            span.setAttribute(RESPONSE_MODEL, responseModel);
        } else if (target != null && status < 400) {
            span.setAttribute(RESPONSE_MODEL, target.model());
        }
        if (usage != null) {
            usage(span, usage);
            span.setAttribute(ESTIMATED, estimated);
        }
        if (cost != null) {
            span.setAttribute(COST, cost.total());
        }
        if (ttftMs != null) {
            span.setAttribute(TTFT, ttftMs);
        }
        span.setAttribute(OVERHEAD, overheadUs);
        if (info != null) {
            span.setAttribute(ATTEMPTS, (long) info.attempts().size());
            if (info.finishReason() != null) {
                span.setAttribute(FINISH_REASONS, List.of(info.finishReason()));
            }
            skippedEvents(info.attempts());
        }
        if (errorType != null && !ErrorTypes.NONE.equals(errorType)) {
            span.setAttribute(ERROR_TYPE, errorType);
            span.setAttribute(JUNCTION_ERROR_TYPE, errorType);
            if (!errorType.startsWith("caller_") && !errorType.startsWith("policy_")) {
                span.setStatus(StatusCode.ERROR, errorType);
            }
        }
        span.end();
    }

    /**
     * The call was answered from the response cache: no attempt, cost 0, the cached usage (no provider
     * tokens were spent for it), {@code junction.cache = hit}.
     */
    public void endCacheHit(String provider, Usage usage, long overheadUs) {
        span.setAttribute(HTTP_STATUS, 200L);
        span.setAttribute(CACHE, "hit");
        if (provider != null) {
            span.setAttribute(PROVIDER, provider);
        }
        if (responseModel != null) {
            span.setAttribute(RESPONSE_MODEL, responseModel);
        }
        if (usage != null) {
            usage(span, usage);
        }
        span.setAttribute(COST, 0.0);
        span.setAttribute(ATTEMPTS, 0L);
        span.setAttribute(OVERHEAD, overheadUs);
        span.end();
    }

    /** Targets passed over without a network call (open circuit, spent rate limit, missing capability). */
    private void skippedEvents(List<Attempt> attempts) {
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            String code = a.errorCode();
            boolean skipped = "circuit_open".equals(code)
                    || RoutedCall.PROVIDER_RATE_LIMITED.equals(code)
                    || (a.status() == 0 && code != null && !"hedge_lost".equals(code));
            if (skipped) {
                span.addEvent("junction.target_skipped", Attributes.of(TARGET, a.target(), ERROR_CODE, code));
            }
        }
    }

    private static void usage(Span s, Usage u) {
        s.setAttribute(INPUT_TOKENS, (long) u.prompt());
        s.setAttribute(OUTPUT_TOKENS, (long) u.completion());
        if (u.cached() > 0) {
            s.setAttribute(CACHE_READ, (long) u.cached());
        }
        long written = PricingTable.cacheWriteTokens(u);
        if (written > 0) {
            s.setAttribute(CACHE_WRITE, written);
        }
    }

    // ---- attempts (AttemptObserver: RoutedCall calls these on the event loop) ----

    @Override
    public AttemptObserver.Handle started(Target target, ChatRequest sent, int number, boolean hedge) {
        String system = providerName(target.provider().spec().type());
        var b = tracer.spanBuilder("chat " + target.model())
                .setParent(context)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(OPERATION, "chat")
                .setAttribute(PROVIDER_NAME, system)
                .setAttribute(SYSTEM, system)
                .setAttribute(REQUEST_MODEL, target.model())
                .setAttribute(PROVIDER, target.provider().name())
                .setAttribute(TARGET, target.id())
                .setAttribute(ATTEMPT, (long) number)
                .setAttribute(STREAM, sent.isStream());
        if (hedge) {
            b.setAttribute(HEDGE, true);
        }
        requestAttributes(b, sent);
        return new AttemptSpan(b.startSpan());
    }

    /** One upstream attempt's CLIENT span. */
    private static final class AttemptSpan implements AttemptObserver.Handle {
        private final Span span;

        AttemptSpan(Span span) {
            this.span = span;
        }

        @Override
        public Map<String, String> sending(URI uri) {
            if (uri.getHost() != null) {
                span.setAttribute(SERVER_ADDRESS, uri.getHost());
                int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
                span.setAttribute(SERVER_PORT, (long) port);
            }
            Map<String, String> headers = new LinkedHashMap<>(4);
            Tracing.inject(Context.root().with(span), headers);
            return headers;
        }

        @Override
        public void end(int status, String errorCode, CallInfo info) {
            if (status > 0) {
                span.setAttribute(HTTP_STATUS, (long) status);
            }
            if (errorCode == null) {
                if (info.usage() != null) {
                    usage(span, info.usage());
                }
                if (info.finishReason() != null) {
                    span.setAttribute(FINISH_REASONS, List.of(info.finishReason()));
                }
            } else {
                span.setAttribute(ERROR_TYPE, errorCode);
                span.setStatus(StatusCode.ERROR, errorCode);
            }
            span.end();
        }
    }

    /**
     * {@code gen_ai.provider.name}: the semantic conventions' well-known value for a provider type,
     * else the type itself.
     */
    static String providerName(String type) {
        if (type == null) {
            return "unknown";
        }
        return switch (type) {
            case "azure" -> "azure.ai.openai";
            case "gemini" -> "gcp.gemini";
            case "bedrock" -> "aws.bedrock";
            case "mistral" -> "mistral_ai";
            case "xai" -> "x_ai";
            default -> type;
        };
    }
}
