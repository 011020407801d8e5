package io.junction.server.http;

import io.junction.core.error.GatewayException;
import io.junction.core.govern.Admission;
import io.junction.core.schema.Json;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.lifecycle.DrainDeadline;
import io.junction.server.lifecycle.Lifecycle;
import io.junction.server.lifecycle.Readiness;
import io.junction.server.metrics.GatewayMetrics;
import io.junction.server.observe.RequestAccessLog;
import io.junction.server.sse.ChatResponder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request of one client connection to its endpoint. One request is answered at a time;
 * pipelined requests wait their turn. While a chat call runs, this handler relays the connection's
 * writability to it (backpressure) and cancels it if the client goes away.
 *
 * <p>Shutdown: while the server drains, responses carry {@code Connection: close}, a new chat call
 * gets a 503 {@code server_shutting_down}, and a call that finishes closes its connection; at the
 * {@link DrainDeadline} a call still running ends with the shutdown error and the connection closes.
 */
public final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    private final Supplier<GatewayContext> gateway;
    private final Lifecycle lifecycle;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(0);
    private ChatResponder active;
    /** An admin usage query is running off the loop; its answer comes before the next request's. */
    private boolean adminQueryActive;

    public RequestHandler(Supplier<GatewayContext> gateway, Lifecycle lifecycle) {
        this.gateway = gateway;
        this.lifecycle = lifecycle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (active != null || adminQueryActive) {
            waiting.add(req);
            return;
        }
        handle(ctx, req);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        String requestId = HttpResponses.requestId(req.headers().get(HttpResponses.REQUEST_ID));
        GatewayContext gw = gateway.get();
        long start = System.nanoTime();
        String path = path(req.uri());
        String endpoint = "other";
        String keyName = null; // for the access log: who was authenticated
        // Read once, so that an answer and whether it is the connection's last agree (a refusal for
        // shutting down always closes; an answer computed before the drain began does not).
        boolean draining = lifecycle.draining();
        try {
            if (path.equals("/v1/chat/completions") || path.equals("/chat/completions")) {
                endpoint = "chat.completions";
                requireMethod(req, HttpMethod.POST);
                if (draining) {
                    throw Lifecycle.shuttingDown();
                }
                KeyAuthenticator.Principal principal =
                        gw.auth().authenticate(req.headers().get(HttpHeaderNames.AUTHORIZATION));
                ChatResponder responder =
                        ChatCompletionsEndpoint.prepare(ctx, gw, req, principal, requestId, () -> onCallDone(ctx));
                active = responder;
                lifecycle.callStarted();
                // Budgets and rate limits: at once with the memory store; a remote store answers later,
                // back on this loop (the call is already active: a disconnect meanwhile cancels it).
                CompletableFuture<Admission> admission = ChatCompletionsEndpoint.admit(
                                gw, principal, responder.request(), () -> requestId + '-' + Long.toHexString(start))
                        .toCompletableFuture();
                Admission now = admission.getNow(null);
                if (now != null) {
                    responder.admitted(now);
                } else {
                    admission.thenAcceptAsync(responder::admitted, ctx.executor());
                }
                return;
            }
            FullHttpResponse response;
            if (path.equals("/health")) {
                endpoint = "health";
                requireMethod(req, HttpMethod.GET);
                response = HttpResponses.json(200, HttpResponses.utf8("{\"status\":\"ok\"}"), requestId);
            } else if (path.equals("/ready")) {
                endpoint = "ready";
                requireMethod(req, HttpMethod.GET);
                Readiness.Report report = lifecycle.readiness().evaluate();
                // The drain may have begun during the checks: the answer decides. "Not ready" while
                // draining is the connection's last; "ready" means the shutdown check still passed.
                draining = !report.ready() && lifecycle.draining();
                response = HttpResponses.json(report.ready() ? 200 : 503, Json.bytes(report.body()), requestId);
            } else if (path.equals("/metrics")) {
                endpoint = "metrics";
                requireMethod(req, HttpMethod.GET);
                String accept = req.headers().get(HttpHeaderNames.ACCEPT);
                boolean openMetrics = accept != null && accept.contains(GatewayMetrics.OPENMETRICS);
                response = HttpResponses.full(
                        200,
                        HttpResponses.utf8(gw.metrics().scrape(openMetrics ? GatewayMetrics.OPENMETRICS : null)),
                        openMetrics
                                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                : "text/plain; version=0.0.4; charset=utf-8",
                        requestId);
            } else if (path.equals("/v1/models") || path.equals("/models")) {
                endpoint = "models";
                requireMethod(req, HttpMethod.GET);
                KeyAuthenticator.Principal principal =
                        gw.auth().authenticate(req.headers().get(HttpHeaderNames.AUTHORIZATION));
                keyName = principal.name();
                response = HttpResponses.json(200, ModelsEndpoint.list(gw, principal), requestId);
            } else if (path.startsWith("/v1/models/") && path.length() > "/v1/models/".length()) {
                endpoint = "models";
                requireMethod(req, HttpMethod.GET);
                KeyAuthenticator.Principal principal =
                        gw.auth().authenticate(req.headers().get(HttpHeaderNames.AUTHORIZATION));
                keyName = principal.name();
                String id = QueryStringDecoder.decodeComponent(path.substring("/v1/models/".length()));
                response = HttpResponses.json(200, ModelsEndpoint.one(gw, principal, id), requestId);
            } else if (path.equals("/admin/usage") || path.equals("/admin/usage.csv")) {
                endpoint = "admin";
                requireMethod(req, HttpMethod.GET);
                AdminEndpoint.authorize(gw, req.headers().get(HttpHeaderNames.AUTHORIZATION));
                AccessLine line = accessLine(gw, ctx, req, path, "admin", requestId, ADMIN, start);
                AdminUsageEndpoint.start(ctx, gw, req, requestId, path.endsWith(".csv"), start, status -> {
                    adminQueryActive = false;
                    AccessLine.log(line, status);
                    onCallDone(ctx);
                });
                adminQueryActive = true;
                return;
            } else if (path.equals(AdminKeysEndpoint.PATH) || path.startsWith(AdminKeysEndpoint.PATH + "/")) {
                // run-time keys (docs/governance-keys.md): database work off the loop, like /admin/usage
                endpoint = "admin";
                AdminEndpoint.authorize(gw, req.headers().get(HttpHeaderNames.AUTHORIZATION));
                AccessLine line = accessLine(gw, ctx, req, path, "admin", requestId, ADMIN, start);
                AdminKeysEndpoint.start(ctx, gw, req, requestId, start, status -> {
                    adminQueryActive = false;
                    AccessLine.log(line, status);
                    onCallDone(ctx);
                });
                adminQueryActive = true;
                return;
            } else if (path.equals("/admin/routes")) {
                endpoint = "admin";
                requireMethod(req, HttpMethod.GET);
                AdminEndpoint.authorize(gw, req.headers().get(HttpHeaderNames.AUTHORIZATION));
                keyName = ADMIN;
                response = HttpResponses.json(200, AdminEndpoint.routes(gw), requestId);
            } else if (path.equals("/admin/config/status")) {
                endpoint = "admin";
                requireMethod(req, HttpMethod.GET);
                AdminEndpoint.authorize(gw, req.headers().get(HttpHeaderNames.AUTHORIZATION));
                keyName = ADMIN;
                response = HttpResponses.json(
                        200, Json.bytes(lifecycle.configStatus().toJson()), requestId);
            } else {
                throw GatewayException.notFound("Unknown request URL: " + req.method() + " " + path + ".");
            }
            send(ctx, response, draining);
            gw.metrics().request(endpoint, "none", "none", response.status().code(), System.nanoTime() - start);
            AccessLine.log(
                    accessLine(gw, ctx, req, path, endpoint, requestId, keyName, start),
                    response.status().code());
        } catch (GatewayException e) {
            clearActive();
            send(ctx, HttpResponses.error(e, requestId), draining);
            gw.metrics().request(endpoint, "none", "none", e.status(), System.nanoTime() - start);
            AccessLine.log(accessLine(gw, ctx, req, path, endpoint, requestId, keyName, start), e.status());
        } catch (RuntimeException e) {
            clearActive();
            log.error("request {} failed inside Junction", requestId, e);
            send(
                    ctx,
                    HttpResponses.error(
                            GatewayException.internal("Internal error in Junction (request " + requestId + ").", e),
                            requestId),
                    draining);
            gw.metrics().request(endpoint, "none", "none", 500, System.nanoTime() - start);
            AccessLine.log(accessLine(gw, ctx, req, path, endpoint, requestId, keyName, start), 500);
        } finally {
            req.release();
        }
    }

    private static final String ADMIN = "admin";

    /**
     * The access-log line of a request answered here (not a chat call, or a chat request refused
     * before its call was built), or null when the access log is off or excludes {@code path}.
     * Only the path is logged, never the query string.
     */
    private static AccessLine accessLine(
            GatewayContext gw,
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            String path,
            String endpoint,
            String requestId,
            String keyName,
            long startNanos) {
        if (!gw.config().logging().accessLog() || gw.config().logging().excluded(path) || !RequestAccessLog.enabled()) {
            return null;
        }
        return new AccessLine(
                System.currentTimeMillis()
                        - java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                requestId,
                endpoint,
                req.method().name(),
                path,
                keyName,
                ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                        ? a.getAddress().getHostAddress()
                        : null,
                req.headers().get(HttpHeaderNames.USER_AGENT),
                TraceContext.traceparent(req.headers()),
                startNanos);
    }

    /** What is known of a request before its status; {@link #log} hands it to the writer thread. */
    private record AccessLine(
            long timestampMs,
            String requestId,
            String endpoint,
            String method,
            String path,
            String key,
            String client,
            String userAgent,
            String traceparent,
            long startNanos) {
        static void log(AccessLine l, int status) {
            if (l != null) {
                RequestAccessLog.offer(new RequestAccessLog.Line(
                        l.timestampMs,
                        l.requestId,
                        l.endpoint,
                        l.method,
                        l.path,
                        status,
                        System.nanoTime() - l.startNanos,
                        l.key,
                        l.client,
                        l.userAgent,
                        l.traceparent));
            }
        }
    }

    private static void requireMethod(FullHttpRequest req, HttpMethod method) {
        if (!req.method().equals(method)) {
            throw new GatewayException(
                    405,
                    "invalid_request_error",
                    "method_not_allowed",
                    null,
                    "Method " + req.method() + " is not allowed here; use " + method + ".",
                    false);
        }
    }

    /**
     * While draining (as read when the request began), a response is the connection's last: the
     * keep-alive handler closes it once written. A connection that answered just before the drain
     * began is closed by the drain's end, if not by its next request.
     */
    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean draining) {
        if (draining) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(response);
    }

    private void clearActive() {
        if (active != null) {
            active.releaseSource(); // done already when the call ended; not when it failed to start
            active = null;
            lifecycle.callEnded();
        }
    }

    /** Closes once everything written so far is flushed; requests still waiting are dropped. */
    private void closeWhenFlushed(ChannelHandlerContext ctx) {
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void onCallDone(ChannelHandlerContext ctx) {
        clearActive();
        if (lifecycle.draining()) {
            closeWhenFlushed(ctx);
            return;
        }
        FullHttpRequest next = waiting.poll();
        if (next != null) {
            ctx.executor().execute(() -> {
                if (ctx.channel().isActive()) {
                    handle(ctx, next);
                } else {
                    next.release();
                }
            });
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (active != null && ctx.channel().isWritable()) {
            active.call().resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ChatResponder a = active;
        clearActive();
        if (a != null) {
            a.clientGone();
        }
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainDeadline.INSTANCE) {
            ChatResponder a = active;
            if (a != null && !a.call().isFinished()) {
                // Stop the upstream side, then answer like any failed call: an SSE error event when the
                // stream already started, else a 503. Its completion closes the connection (draining).
                a.call().cancel();
                a.onFailure(Lifecycle.shuttingDown(), a.call().info());
            } else {
                closeWhenFlushed(ctx);
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // An idle keep-alive connection is closed; one waiting on a slow upstream answer is not.
            if (active == null && !adminQueryActive && waiting.isEmpty()) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection error: {}", cause.toString());
        ctx.close();
    }

    /**
     * The decoded path of a request target, as {@code new QueryStringDecoder(uri).path()} gives it,
     * without building the decoder (or a string, for a target with no query) when there is nothing to
     * decode.
     */
    static String path(String uri) {
        int end = uri.length();
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
            if (c == '%') {
                return new QueryStringDecoder(uri).path();
            }
        }
        return end == uri.length() ? uri : uri.substring(0, end);
    }
}
