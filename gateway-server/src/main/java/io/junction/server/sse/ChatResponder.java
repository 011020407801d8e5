package io.junction.server.sse;

import io.junction.core.error.GatewayException;
import io.junction.core.route.Attempt;
import io.junction.core.route.CallInfo;
import io.junction.core.route.CallListener;
import io.junction.core.route.RoutedCall;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.ExtraFields;
import io.junction.core.schema.Json;
import io.junction.core.stream.SseEncoder;
import io.junction.server.http.GatewayContext;
import io.junction.server.http.HttpResponses;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes one chat completion to the client: a JSON body, or an SSE stream relayed chunk by chunk,
 * each chunk flushed as it arrives. Runs on the client channel's event loop.
 *
 * <p>Stream rules: headers go out with the first chunk; each chunk is {@code data: <json>\n\n},
 * byte-exact when the upstream spoke OpenAI; a normal end is {@code data: [DONE]}; a failure after
 * the first chunk is a {@code data: {"error":...}} event and the end of the body, never a
 * clean-looking end.
 */
public final class ChatResponder implements CallListener {
    private final ChannelHandlerContext ctx;
    private final GatewayContext gw;
    private final ChatRequest request;
    private final String requestId;
    private final Runnable onDone;
    private RoutedCall call;
    private boolean finished;
    private boolean headersSent;
    private String abArm;

    public ChatResponder(
            ChannelHandlerContext ctx, GatewayContext gw, ChatRequest request, String requestId, Runnable onDone) {
        this.ctx = ctx;
        this.gw = gw;
        this.request = request;
        this.requestId = requestId;
        this.onDone = onDone;
    }

    /** The A/B arm the planner chose for this call, reported in {@code extra_fields.ab_arm}. */
    public void abArm(String arm) {
        this.abArm = arm;
    }

    public void bind(RoutedCall call) {
        this.call = call;
    }

    public RoutedCall call() {
        return call;
    }

    @Override
    public void onResponse(ChatResponse response, CallInfo info) {
        ChatResponse out =
                gw.extraFields() ? response.withExtraFields(extraFields(info, response.model(), 0)) : response;
        FullHttpResponse r = HttpResponses.json(200, Json.bytes(out), requestId);
        routingHeaders(r.headers(), info, 0);
        ctx.writeAndFlush(r);
        done(200, info);
    }

    @Override
    public void onStreamStart(CallInfo info) {
        if (!headersSent) {
            sendStreamHeaders(info);
        }
    }

    /** Waiting for a slow first token: headers (once), then an SSE comment the client ignores. */
    @Override
    public void onKeepAlive(CallInfo info) {
        if (!headersSent) {
            sendStreamHeaders(info);
        }
        ctx.writeAndFlush(new DefaultHttpContent(SseEncoder.comment("ping")), ctx.voidPromise());
    }

    private void sendStreamHeaders(CallInfo info) {
        headersSent = true;
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        h.set("x-accel-buffering", "no");
        h.set(HttpResponses.REQUEST_ID, requestId);
        routingHeaders(h, info, 1);
        HttpUtil.setTransferEncodingChunked(r, true);
        ctx.write(r);
    }

    @Override
    public void onChunk(ChatChunk chunk, ByteBuf rawJson, CallInfo info) {
        ByteBuf frame;
        if (chunk.isUsageOnly() && gw.extraFields()) {
            // The final usage chunk carries extra_fields: it is the one chunk we re-encode.
            ReferenceCountUtil.release(rawJson);
            frame = SseEncoder.event(ctx.alloc(), chunk.withExtraFields(extraFields(info, chunk.model(), 1)));
        } else if (rawJson != null) {
            frame = SseEncoder.frame(ctx.alloc(), rawJson);
        } else {
            frame = SseEncoder.event(ctx.alloc(), chunk);
        }
        ctx.writeAndFlush(new DefaultHttpContent(frame), ctx.voidPromise());
    }

    @Override
    public void onStreamEnd(CallInfo info) {
        ctx.write(new DefaultHttpContent(SseEncoder.done()), ctx.voidPromise());
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        done(200, info);
    }

    @Override
    public void onFailure(GatewayException error, CallInfo info) {
        if (info.committed() || headersSent) {
            ByteBuf event = SseEncoder.event(ctx.alloc(), error.toBody());
            ctx.writeAndFlush(new DefaultLastHttpContent(event));
        } else {
            FullHttpResponse r = HttpResponses.error(error, requestId);
            routingHeaders(r.headers(), info, 0);
            ctx.writeAndFlush(r);
        }
        done(error.status(), info);
    }

    @Override
    public boolean clientWritable() {
        return ctx.channel().isWritable();
    }

    /** The client is gone: stop the upstream call; nothing more is written. */
    public void clientGone() {
        if (!finished) {
            finished = true;
            if (call != null) {
                call.cancel();
            }
            record(499, call == null ? null : call.info());
            onDone.run();
        }
    }

    private void done(int status, CallInfo info) {
        if (finished) {
            return;
        }
        finished = true;
        record(status, info);
        onDone.run();
    }

    private void record(int status, CallInfo info) {
        String provider = info == null || info.target() == null
                ? "none"
                : info.target().provider().name();
        long nanos = System.nanoTime() - (info == null ? System.nanoTime() : info.startNanos());
        gw.metrics().request("chat.completions", request.model(), provider, status, nanos);
        if (info != null) {
            gw.metrics().attempts(info.attempts(), status < 400);
        }
    }

    private ExtraFields extraFields(CallInfo info, String modelFromUpstream, int inProgress) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - info.startNanos());
        List<ExtraFields.AttemptInfo> attempts = new ArrayList<>(info.attempts().size() + inProgress);
        for (Attempt a : info.attempts()) {
            attempts.add(new ExtraFields.AttemptInfo(a.target(), a.status(), a.errorCode(), a.latencyMs()));
        }
        if (inProgress > 0) {
            // the streaming attempt that is answering now: its outcome is not known yet
            attempts.add(new ExtraFields.AttemptInfo(
                    info.target().id(),
                    200,
                    null,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - info.attemptStartNanos())));
        }
        return new ExtraFields(
                info.target().provider().name(),
                request.model(),
                modelFromUpstream == null ? info.target().model() : modelFromUpstream,
                ms,
                attempts,
                abArm);
    }

    /** {@code inProgress}: attempts still running, not yet in {@code info.attempts()}. */
    private static void routingHeaders(HttpHeaders h, CallInfo info, int inProgress) {
        if (info.target() != null) {
            h.set("x-junction-provider", info.target().provider().name());
            h.set("x-junction-model", info.target().model());
        }
        h.set("x-junction-attempts", Integer.toString(info.attempts().size() + inProgress));
        if (!info.attempts().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (Attempt a : info.attempts()) {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(a.target()).append(' ').append(a.status());
            }
            h.set("x-junction-attempt-log", sb.toString());
        }
    }
}
