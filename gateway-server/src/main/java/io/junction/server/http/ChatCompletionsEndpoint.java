package io.junction.server.http;

import io.junction.core.cache.CachePolicy;
import io.junction.core.config.AliasSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.govern.Admission;
import io.junction.core.route.RoutePlanner;
import io.junction.core.route.RouteSettings;
import io.junction.core.route.RoutedCall;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatRequestSource;
import io.junction.core.spi.Target;
import io.junction.core.time.Scheduler;
import io.junction.core.usage.TokenEstimator;
import io.junction.core.validate.RequestParser;
import io.junction.core.validate.RequestValidator;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.cache.CachePlan;
import io.junction.server.observe.trace.ChatSpan;
import io.junction.server.sse.ChatResponder;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/** {@code POST /v1/chat/completions}: parse, validate, authorize, resolve, then run the routed call. */
final class ChatCompletionsEndpoint {
    private ChatCompletionsEndpoint() {}

    /**
     * Prepares the answer to {@code req}: returns a responder bound to a call that is not started yet
     * (the caller keeps it to relay writability and disconnects, then starts the call), or throws a
     * {@link GatewayException} for a request that is answered with an error at once.
     */
    static ChatResponder prepare(
            ChannelHandlerContext ctx,
            GatewayContext gw,
            FullHttpRequest req,
            KeyAuthenticator.Principal principal,
            String requestId,
            Runnable onDone) {
        long receivedNanos = System.nanoTime();
        String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null && !isJson(contentType)) {
            throw new GatewayException(
                    415,
                    "invalid_request_error",
                    "unsupported_media_type",
                    null,
                    "Unsupported content type '" + contentType + "': send the request body as application/json.",
                    false);
        }
        ChatRequest chat =
                RequestParser.parse(new ByteBufInputStream(req.content().duplicate()));
        RequestValidator.validate(chat);
        if (!principal.mayCall(chat.model())) {
            throw GatewayException.forbidden(
                    "The API key '" + principal.name() + "' may not call model '" + chat.model() + "'.");
        }
        List<String> fallbacks = chat.fallbacks() != null ? chat.fallbacks() : headerList(req, FALLBACKS_HEADER);
        if (fallbacks != null) {
            for (int i = 0; i < fallbacks.size(); i++) {
                if (!principal.mayCall(fallbacks.get(i))) {
                    throw new GatewayException(
                            403,
                            "permission_error",
                            "model_not_allowed",
                            "fallbacks[" + i + "]",
                            "The API key '" + principal.name() + "' may not call model '" + fallbacks.get(i) + "'.",
                            false);
                }
            }
        }
        RoutePlanner.Plan plan = gw.planner()
                .plan(chat, fallbacks, () -> ThreadLocalRandom.current().nextDouble());
        plan = allowedProviders(plan, principal, chat.model());
        RouteSettings settings = settings(gw, req, chat);
        // response cache: decided (and the header checked) before the responder exists
        CachePlan cachePlan = gw.cache()
                .plan(
                        gw.config(),
                        chat,
                        plan.request(),
                        plan.targets(),
                        principal.name(),
                        principal.team(),
                        req.headers().get(CachePolicy.HEADER));
        ChatResponder responder = new ChatResponder(ctx, gw, chat, requestId, onDone);
        ChatRequestSource source = new ChatRequestSource(chat);
        responder.cache(cachePlan);
        responder.abArm(plan.abArm());
        if (plan.abArm() != null) {
            gw.metrics().abAssignment(chat.abCampaign(), plan.abArm());
        }
        EventLoop loop = ctx.channel().eventLoop();
        RoutedCall call = new RoutedCall(
                plan.request(),
                plan.targets(),
                gw.transport(),
                loop,
                Scheduler.of(loop),
                settings,
                gw.routes(),
                () -> ThreadLocalRandom.current().nextDouble(),
                responder);
        call.requestSource(source);
        call.recordSkipped(plan.skipped());
        call.contextFallbacks(plan.contextFallbacks());
        responder.bind(call);
        responder.observe(principal.name(), receivedNanos);
        String traceparent = TraceContext.traceparent(req.headers());
        if (gw.tracing() != null) {
            // tracing on: the request's span (child of the client's), and each attempt sends its own traceparent
            ChatSpan span = gw.tracing()
                    .chat(
                            traceparent,
                            traceparent == null
                                    ? null
                                    : TraceContext.propagation(req.headers(), traceparent)
                                            .get("tracestate"),
                            chat,
                            receivedNanos);
            span.caller(requestId, principal.name(), plan.abArm());
            responder.trace(span);
            call.observeAttempts(span);
        } else if (traceparent != null) {
            call.upstreamHeaders(TraceContext.propagation(req.headers(), traceparent));
        }
        responder.client(
                ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                        ? a.getAddress().getHostAddress()
                        : null,
                req.headers().get(HttpHeaderNames.USER_AGENT),
                traceparent);
        // held for the first upstream body from here on; the responder releases it if the call ends first
        responder.source(source);
        source.adopt(req.content());
        return responder;
    }

    /**
     * The plan without the targets whose provider the key may not use ({@code keys[].providers}); a
     * 403 when none is left.
     */
    private static RoutePlanner.Plan allowedProviders(
            RoutePlanner.Plan plan, KeyAuthenticator.Principal principal, String model) {
        if (principal.mayUseAll()) {
            return plan;
        }
        List<Target> targets = new ArrayList<>(plan.targets().size());
        for (Target t : plan.targets()) {
            if (principal.mayUse(t.provider().name())) {
                targets.add(t);
            }
        }
        if (targets.isEmpty()) {
            throw new GatewayException(
                    403,
                    "permission_error",
                    "model_not_allowed",
                    "model",
                    "The API key '" + principal.name() + "' may not use the providers that serve model '" + model
                            + "'.",
                    false);
        }
        List<Target> context = new ArrayList<>();
        for (Target t : plan.contextFallbacks()) {
            if (principal.mayUse(t.provider().name())) {
                context.add(t);
            }
        }
        return new RoutePlanner.Plan(plan.request(), targets, plan.abArm(), plan.skipped(), context);
    }

    /**
     * The key's and its team's budgets and rate limits: completes at once with the memory store,
     * later with a remote one. The prompt is estimated (characters / 4, cheap) only when a
     * tokens-per-minute cap applies.
     */
    static CompletionStage<Admission> admit(
            GatewayContext gw,
            KeyAuthenticator.Principal principal,
            ChatRequest chat,
            java.util.function.Supplier<String> leaseId) {
        return gw.governor()
                .admit(
                        principal.policy(),
                        principal.team(),
                        () -> TokenEstimator.promptTokens(TokenEstimator.Method.CHARS_PER_4, chat),
                        leaseId);
    }

    static final String FALLBACKS_HEADER = "x-junction-fallbacks";
    static final String TIMEOUT_HEADER = "x-junction-timeout-ms";
    static final String TTFT_HEADER = "x-junction-max-ttft-ms";
    static final String HEDGE_HEADER = "x-junction-hedge";

    /**
     * The call's policy: request deadline from {@code x-junction-timeout-ms} or {@code
     * server.request_timeout_ms}; first-token deadline from the body's {@code max_ttft_ms}, else
     * {@code x-junction-max-ttft-ms}, else the alias's {@code ttft_timeout_ms} (else each provider's).
     */
    private static RouteSettings settings(GatewayContext gw, FullHttpRequest req, ChatRequest chat) {
        Long timeoutMs = headerMillis(req, TIMEOUT_HEADER);
        Duration timeout = Duration.ofMillis(
                timeoutMs != null ? timeoutMs : gw.config().server().requestTimeoutMs());
        Long ttftMs = chat.maxTtftMs();
        if (ttftMs == null) {
            ttftMs = headerMillis(req, TTFT_HEADER);
        }
        if (ttftMs == null) {
            AliasSpec alias = gw.config().models().get(chat.model());
            ttftMs = alias == null ? null : alias.ttftTimeoutMs();
        }
        long keepaliveMs = gw.config().server().streamKeepaliveMs();
        Long hedgeMs = headerMillis(req, HEDGE_HEADER);
        if (hedgeMs == null) {
            AliasSpec alias = gw.config().models().get(chat.model());
            hedgeMs = alias == null ? null : alias.hedgeAfterMs();
        }
        return new RouteSettings(
                timeout,
                keepaliveMs > 0 ? Duration.ofMillis(keepaliveMs) : null,
                ttftMs == null ? null : Duration.ofMillis(ttftMs),
                true,
                hedgeMs == null ? null : Duration.ofMillis(hedgeMs),
                gw.config().routing().commitChars());
    }

    private static Long headerMillis(FullHttpRequest req, String name) {
        String v = req.headers().get(name);
        if (v == null) {
            return null;
        }
        try {
            long ms = Long.parseLong(v.strip());
            if (ms > 0) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw GatewayException.invalidRequest(
                name, "Invalid header '" + name + "': expected a positive number of milliseconds.");
    }

    private static List<String> headerList(FullHttpRequest req, String name) {
        String v = req.headers().get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static boolean isJson(String contentType) {
        String ct = contentType.strip().toLowerCase(java.util.Locale.ROOT);
        int semi = ct.indexOf(';');
        String mime = (semi < 0 ? ct : ct.substring(0, semi)).strip();
        return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
    }
}
