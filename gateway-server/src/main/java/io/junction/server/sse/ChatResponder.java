package io.junction.server.sse;

import io.junction.core.cache.CachedAnswer;
import io.junction.core.error.GatewayException;
import io.junction.core.govern.Admission;
import io.junction.core.govern.Ticket;
import io.junction.core.pricing.Cost;
import io.junction.core.route.Attempt;
import io.junction.core.route.CallInfo;
import io.junction.core.route.CallListener;
import io.junction.core.route.RoutedCall;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatRequestSource;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.ExtraFields;
import io.junction.core.schema.ForwardedAnswer;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Target;
import io.junction.core.stream.PassThroughChunk;
import io.junction.core.usage.CompletionText;
import io.junction.server.cache.CachePlan;
import io.junction.server.cache.CacheService;
import io.junction.server.cache.CachedReplay;
import io.junction.server.cache.ResponseCapture;
import io.junction.server.http.FlatHttpHeaders;
import io.junction.server.http.GatewayContext;
import io.junction.server.http.HttpResponses;
import io.junction.server.http.SseWriter;
import io.junction.server.ledger.UsageRecord;
import io.junction.server.metrics.GatewayMetrics;
import io.junction.server.observe.ErrorTypes;
import io.junction.server.observe.UsageAccountant;
import io.junction.server.observe.trace.ChatSpan;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
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
    /**
     * The client's bytes of the request, for the first upstream body (which lets them go); released here
     * when the call ends without one (a cache hit, a refusal, a client gone first).
     */
    private ChatRequestSource source;

    private RoutedCall call;
    private boolean finished;
    /** Writes the stream's head, events and end; set when the head is sent, null before. */
    private SseWriter sse;

    private String abArm;
    private Admission admission = Admission.UNCAPPED;

    // ---- accounting (see docs/observability.md) ----
    private final long receivedEpochMs = System.currentTimeMillis();
    private long receivedNanos = System.nanoTime();
    private String keyName = "anonymous";
    /** Request arrival (parse, validation, routing plan) to the call being built. */
    private long parseNanos;
    /** Time this responder spent encoding a non-streamed answer. */
    private long selfNanos;
    /** What the client received, for estimating usage the provider did not report. */
    private final CompletionText received = new CompletionText();

    private GatewayMetrics.StreamMeters streamMeters;
    private long lastChunkNanos;
    private boolean accounted;
    private Usage usage;
    private Cost cost;
    private boolean estimated;
    private String clientAddress;
    private String userAgent;
    private String traceparent;
    /** The call's OpenTelemetry span; null when tracing is off. */
    private ChatSpan span;

    // ---- response cache (see io.junction.server.cache); all null when the cache is off ----
    private CachePlan cachePlan;
    /** Set when the fresh answer is to be stored. */
    private ResponseCapture capture;
    /** {@code HIT}, {@code MISS} or {@code BYPASS} for the response header; null when the cache is off. */
    private String cacheStatus;

    public ChatResponder(
            ChannelHandlerContext ctx, GatewayContext gw, ChatRequest request, String requestId, Runnable onDone) {
        this.ctx = ctx;
        this.gw = gw;
        this.request = request;
        this.requestId = requestId;
        this.onDone = onDone;
        gw.metrics().callStarted();
    }

    /**
     * Who is calling ({@code keyName}) and when the request arrived ({@link System#nanoTime()}):
     * called once the call is built, so the time since then is Junction's request-side overhead.
     */
    public void observe(String keyName, long receivedNanos) {
        this.keyName = keyName;
        this.receivedNanos = receivedNanos;
        this.parseNanos = System.nanoTime() - receivedNanos;
    }

    /** For the access log: the client's address, its user agent and W3C {@code traceparent} (nullable). */
    public void client(String clientAddress, String userAgent, String traceparent) {
        this.clientAddress = clientAddress;
        this.userAgent = userAgent;
        this.traceparent = traceparent;
    }

    /** Tracing is on: {@code span} is ended with the call's outcome when it is recorded. */
    public void trace(ChatSpan span) {
        this.span = span;
    }

    /** The A/B arm the planner chose for this call, reported in {@code extra_fields.ab_arm}. */
    public void abArm(String arm) {
        this.abArm = arm;
    }

    public void bind(RoutedCall call) {
        this.call = call;
    }

    public ChatRequest request() {
        return request;
    }

    /**
     * The governor's answer: start the call, or refuse it with the 429/503 (its rate-limit headers
     * either way). If the client left meanwhile, the ticket is given back unused.
     */
    public void admitted(Admission a) {
        if (finished) {
            a.ticket().release();
            a.ticket().settle(0, null);
            return;
        }
        admission = a;
        if (!a.admitted()) {
            onFailure(a.error(), call.info());
            return;
        }
        start(); // a response-cache lookup, then (on a miss) the routed call
    }

    public RoutedCall call() {
        return call;
    }

    /** The client's bytes of the request, released when the call ends if no attempt has let them go. */
    public void source(ChatRequestSource source) {
        this.source = source;
    }

    /** Releases the client's bytes: the call has ended, or will never run. Idempotent. */
    public void releaseSource() {
        if (source != null) {
            source.close();
        }
    }

    private void ended() {
        releaseSource();
        onDone.run();
    }

    // ---- response cache ----

    /** What the response cache does for this request; null when it is off. Before {@link #start}. */
    public void cache(CachePlan plan) {
        this.cachePlan = plan;
        if (plan != null) {
            cacheStatus = plan.reads() || plan.writes() ? CacheService.MISS : CacheService.BYPASS;
            if (plan.writes()) {
                capture = new ResponseCapture(plan, request.isStream());
            }
        }
    }

    /**
     * Starts answering: a cache lookup first when the request may be served from the cache (a hit is
     * written at once and the routed call never starts), else the routed call.
     */
    public void start() {
        if (cachePlan == null || !cachePlan.reads()) {
            if (cachePlan != null && cachePlan.writes()) {
                cachePlan.counted(false); // refresh: counted as a miss
            }
            call.start();
            return;
        }
        java.util.concurrent.CompletableFuture<CachedAnswer> lookup;
        try {
            lookup = cachePlan.service().store().get(cachePlan.key()).toCompletableFuture();
        } catch (RuntimeException e) {
            lookup = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        if (lookup.isDone()) {
            afterLookup(lookup.isCompletedExceptionally() ? null : lookup.getNow(null));
        } else {
            // a remote store: continue on this connection's event loop
            lookup.whenComplete((a, e) -> ctx.executor().execute(() -> afterLookup(e == null ? a : null)));
        }
    }

    private void afterLookup(CachedAnswer hit) {
        if (finished) {
            return; // the client went away, or the drain ended the call, while the store answered
        }
        cachePlan.counted(hit != null);
        if (hit == null) {
            call.start();
            return;
        }
        cacheStatus = CacheService.HIT;
        capture = null;
        if (gw.config().logging().logPayloads()) {
            received.add(hit.response()); // for the access log
        }
        call.cancel(); // never started: marks it finished
        long nanos = System.nanoTime() - receivedNanos;
        long overheadUs = nanos / 1000;
        Usage u = hit.response().usage();
        ExtraFields extra = gw.extraFields()
                ? new ExtraFields(
                        hit.provider(),
                        request.model(),
                        hit.response().model() != null ? hit.response().model() : hit.model(),
                        TimeUnit.NANOSECONDS.toMillis(nanos),
                        request.isStream() ? TimeUnit.NANOSECONDS.toMillis(nanos) : null,
                        overheadUs,
                        false,
                        Cost.ZERO,
                        List.of(),
                        abArm,
                        "hit")
                : null;
        CachedReplay.write(
                ctx,
                request,
                hit,
                requestId,
                extra,
                COST_HEADER,
                OVERHEAD_HEADER,
                overheadUs,
                h -> admission.headers(h::set));
        finished = true;
        recordHit(hit, u, System.nanoTime() - receivedNanos);
        ended();
    }

    /** A hit's accounting: no provider was called, so cost 0, provider label {@code cache} in the metrics. */
    private void recordHit(CachedAnswer hit, Usage u, long nanos) {
        GatewayMetrics metrics = gw.metrics();
        metrics.callEnded();
        metrics.request("chat.completions", request.model(), "cache", 200, ErrorTypes.NONE, nanos);
        metrics.overhead(nanos);
        UsageRecord base = new UsageRecord(
                        requestId,
                        receivedEpochMs,
                        keyName,
                        request.model(),
                        hit.model(),
                        hit.provider(),
                        null,
                        null,
                        false,
                        TimeUnit.NANOSECONDS.toMillis(nanos),
                        request.isStream() ? TimeUnit.NANOSECONDS.toMillis(nanos) : null,
                        nanos / 1000,
                        200,
                        ErrorTypes.NONE,
                        0,
                        request.isStream(),
                        request.sessionId(),
                        request.tags(),
                        request.effectiveLabels(),
                        access())
                .asCacheHit();
        if (span != null) {
            span.responseModel(hit.response().model());
            span.endCacheHit(hit.provider(), u, nanos / 1000);
        }
        // no provider tokens were used: the admission's token estimate is given back, nothing is spent
        Ticket ticket = admission.ticket();
        ticket.release();
        gw.accountant().finish(base, null, u == null ? Usage.of(0, 0) : u, Cost.ZERO, false, Ticket.NONE);
        ticket.settle(0, null);
    }

    @Override
    public void onResponse(ChatResponse response, CallInfo info) {
        respond(response, null, info);
    }

    /** The upstream's OpenAI-format body goes to the client as sent, plus {@code extra_fields}. */
    @Override
    public void onResponse(ChatResponse response, ByteBuf rawJson, CallInfo info) {
        respond(response, rawJson, info);
    }

    private void respond(ChatResponse response, ByteBuf raw, CallInfo info) {
        long t0 = System.nanoTime();
        if (span != null) {
            span.responseModel(response.model());
        }
        if (response.usage() != null) {
            account(info.target(), response.usage(), false);
            if (gw.config().logging().logPayloads()) {
                received.add(response); // for the access log
            }
        } else {
            // no usage from the provider: estimate now, the answer's extra_fields and headers need it
            received.add(response);
            account(info.target(), UsageAccountant.estimateNow(info.target(), request, received), true);
        }
        ByteBuf body = null;
        if (raw != null) {
            try {
                // Re-encoded instead: an answer with its own extra_fields (it would get a second member),
                // and one the cache stores (hits are replayed from the parsed answer: miss and hit agree).
                if (response.extraFields() == null && capture == null) {
                    body = gw.extraFields()
                            ? HttpResponses.withExtraFields(ctx.alloc(), raw, extraFields(info, response.model(), 0))
                            : raw.retain();
                }
            } finally {
                raw.release();
            }
        }
        if (body == null) { // re-encoded: another format upstream, or a body that cannot take the splice
            ChatResponse out =
                    gw.extraFields() ? response.withExtraFields(extraFields(info, response.model(), 0)) : response;
            body = HttpResponses.jsonBuffer(ctx.alloc(), out);
        }
        send(body, response, info, t0);
    }

    /** Nothing here reads the whole answer: only a cache capture or payload logging does. */
    @Override
    public boolean readsWholeAnswer() {
        return capture != null || gw.config().logging().logPayloads();
    }

    /**
     * The upstream's OpenAI-format body with its usage (never parsed into a {@code ChatResponse}): sent
     * as received plus {@code extra_fields} ({@link #readsWholeAnswer()} was false, so there is no
     * capture to feed and no text to log; the scan refused bodies with their own {@code extra_fields}).
     */
    @Override
    public void onForwarded(ForwardedAnswer answer, ByteBuf raw, CallInfo info) {
        long t0 = System.nanoTime();
        ByteBuf body;
        try {
            if (span != null) {
                span.responseModel(answer.model());
            }
            account(info.target(), answer.usage(), false);
            body = gw.extraFields()
                    ? HttpResponses.withExtraFields(ctx.alloc(), raw, extraFields(info, answer.model(), 0))
                    : raw.retain();
        } finally {
            raw.release();
        }
        send(body, null, info, t0);
    }

    /** Writes the 200 answer {@code body} (owned) with Junction's headers; {@code parsed} feeds a capture. */
    private void send(ByteBuf body, ChatResponse parsed, CallInfo info, long t0) {
        selfNanos += System.nanoTime() - t0;
        FullHttpResponse r = HttpResponses.json(200, body, requestId);
        try {
            routingHeaders(r.headers(), info, 0);
            admission.headers(r.headers()::set);
            if (cost != null) {
                r.headers().set(COST_HEADER, cost.totalString());
            }
            r.headers().set(OVERHEAD_HEADER, Long.toString(overheadNanos(info) / 1000));
            if (cacheStatus != null) {
                r.headers().set(CachedReplay.HEADER, cacheStatus);
            }
            if (capture != null && parsed != null) {
                // stored before the client has the answer, so its next identical request finds it
                capture.response(parsed, usage, info.target());
            }
        } catch (RuntimeException e) {
            r.release(); // the body is a pooled buffer now
            throw e;
        }
        // nothing waits on this write: a void promise spares the encoder combining its pieces' promises
        // (a failed write reaches the pipeline's exceptionCaught, as a streamed chunk's does)
        ctx.writeAndFlush(r, ctx.voidPromise());
        done(200, info);
    }

    public static final String COST_HEADER = "x-junction-cost-usd";
    public static final String OVERHEAD_HEADER = "x-junction-overhead-us";

    /** Prices the call's usage: once per call. */
    private void account(Target target, Usage u, boolean isEstimate) {
        if (!accounted && target != null && u != null) {
            accounted = true;
            usage = u;
            estimated = isEstimate;
            cost = gw.accountant().cost(target, u);
        }
    }

    private long overheadNanos(CallInfo info) {
        return parseNanos + (info == null ? 0 : info.overheadNanos()) + selfNanos;
    }

    @Override
    public void onStreamStart(CallInfo info) {
        if (sse == null) {
            sendStreamHeaders(info);
        }
        if (info.target() != null) {
            streamMeters = gw.metrics().stream(info.target().provider().name());
            streamMeters.ttft().record(ttftNanos(info), TimeUnit.NANOSECONDS);
        }
    }

    /** Arrival to the first chunk (the stream's commit point). */
    private long ttftNanos(CallInfo info) {
        return parseNanos + info.firstChunkNanos() - info.startNanos();
    }

    /** Waiting for a slow first token: headers (once), then an SSE comment the client ignores. */
    @Override
    public void onKeepAlive(CallInfo info) {
        if (sse == null) {
            sendStreamHeaders(info);
        }
        sse.comment("ping");
    }

    private void sendStreamHeaders(CallInfo info) {
        HttpResponse r =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, FlatHttpHeaders.headersFactory());
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.EVENT_STREAM);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set("x-accel-buffering", "no");
        h.set(HttpResponses.REQUEST_ID, requestId);
        routingHeaders(h, info, 1);
        admission.headers(h::set);
        if (cacheStatus != null) {
            h.set(CachedReplay.HEADER, cacheStatus);
        }
        sse = new SseWriter(ctx);
        sse.head(r);
    }

    @Override
    public void onChunk(ChatChunk chunk, ByteBuf rawJson, CallInfo info) {
        long now = System.nanoTime();
        if (streamMeters != null) {
            if (lastChunkNanos != 0) {
                streamMeters.interChunk().record(now - lastChunkNanos, TimeUnit.NANOSECONDS);
            }
            lastChunkNanos = now;
        }
        received.add(chunk);
        if (span != null && span.wantsResponseModel()) {
            span.responseModel(chunk.model());
        }
        if (capture != null) {
            capture.chunk(chunk);
        }
        if (chunk.isUsageOnly() && gw.extraFields()) {
            // The final usage chunk carries extra_fields: spliced into the upstream's bytes, as a
            // non-streamed answer's are; re-encoded when there are none (another format upstream), when
            // the chunk has its own extra_fields (it would get a second member), or when the bytes are
            // not an object the splice can take.
            account(info.target(), chunk.usage(), false);
            ExtraFields fields = extraFields(info, chunk.model(), 1);
            ByteBuf spliced = null;
            if (rawJson != null) {
                try {
                    if (chunk.extraFields() == null) {
                        spliced = HttpResponses.withExtraFields(ctx.alloc(), rawJson, fields);
                    }
                } finally {
                    rawJson.release();
                }
            }
            if (spliced != null) {
                sse.frame(spliced);
            } else {
                sse.event(chunk.withExtraFields(fields), true);
            }
        } else if (rawJson != null) {
            sse.frame(rawJson);
        } else {
            sse.event(chunk, true);
        }
    }

    /**
     * A plain pass-through chunk: what {@link #onChunk} does for it, without building the chunk — the
     * frame is the upstream's bytes, copied once into a pooled direct buffer. The response cache and a
     * span still waiting for the response model read the whole chunk, so they take {@link #onChunk}.
     */
    @Override
    public void onPassThrough(PassThroughChunk chunk, CallInfo info) {
        if (capture != null || (span != null && span.wantsResponseModel())) {
            CallListener.super.onPassThrough(chunk, info);
            return;
        }
        long now = System.nanoTime();
        if (streamMeters != null) {
            if (lastChunkNanos != 0) {
                streamMeters.interChunk().record(now - lastChunkNanos, TimeUnit.NANOSECONDS);
            }
            lastChunkNanos = now;
        }
        received.add(chunk);
        sse.frame(chunk.bytes(), chunk.length());
    }

    @Override
    public void onStreamEnd(CallInfo info) {
        if (capture != null && info.target() != null) {
            // stored before [DONE] reaches the client, so its next identical request finds it
            Target t = info.target();
            capture.streamEnded(info.usage(), () -> UsageAccountant.estimateNow(t, request, received), t);
        }
        sse.done();
        done(200, info);
    }

    @Override
    public void onFailure(GatewayException error, CallInfo info) {
        if (sse != null) { // the head went out (the stream was committed, or a keep-alive comment was sent)
            sse.event(error.toBody(), false);
            sse.end();
        } else {
            FullHttpResponse r = HttpResponses.error(error, requestId);
            routingHeaders(r.headers(), info, 0);
            admission.headers(r.headers()::set);
            ctx.writeAndFlush(r);
        }
        finish(
                error.status(),
                ErrorTypes.classify(
                        error.status(), error.code(), !info.attempts().isEmpty()),
                info);
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
            record(499, "caller_cancelled", call == null ? null : call.info(), true);
            ended();
        }
    }

    private void done(int status, CallInfo info) {
        finish(status, ErrorTypes.NONE, info);
    }

    private void finish(int status, String errorType, CallInfo info) {
        if (finished) {
            return;
        }
        finished = true;
        record(status, errorType, info, false);
        ended();
    }

    /**
     * The call ended: request, attempt and overhead metrics now; usage priced, counted and handed
     * to the ledger. Usage the provider did not report is estimated (off the event loop) when the
     * call got an answer or was cut or cancelled while one was in progress — a cancelled stream is
     * billed for what was produced; a call refused or failed before any answer used no tokens.
     */
    private void record(int status, String errorType, CallInfo info, boolean cancelled) {
        GatewayMetrics metrics = gw.metrics();
        metrics.callEnded();
        Target target = info == null ? null : info.target();
        String provider = target == null ? "none" : target.provider().name();
        long nanos = System.nanoTime() - receivedNanos;
        metrics.request(
                "chat.completions",
                request.model(),
                provider,
                status,
                errorType,
                nanos,
                span == null ? null : span.spanContext());
        long overhead = overheadNanos(info);
        metrics.overhead(overhead);
        if (info != null) {
            metrics.attempts(info.attempts(), status < 400);
        }
        UsageRecord base = new UsageRecord(
                requestId,
                receivedEpochMs,
                keyName,
                request.model(),
                target == null ? null : target.model(),
                target == null ? null : provider,
                null,
                null,
                false,
                TimeUnit.NANOSECONDS.toMillis(nanos),
                info != null && request.isStream() && info.firstChunkNanos() != 0
                        ? TimeUnit.NANOSECONDS.toMillis(ttftNanos(info))
                        : null,
                overhead / 1000,
                status,
                errorType,
                info == null ? 0 : info.attempts().size(),
                request.isStream(),
                request.sessionId(),
                request.tags(),
                request.effectiveLabels(),
                access());
        UsageAccountant accountant = gw.accountant();
        if (!accounted && info != null && info.usage() != null) {
            account(target, info.usage(), false);
        }
        if (span != null) {
            span.end(status, errorType, info, usage, cost, estimated, base.ttftMs(), overhead / 1000);
        }
        Ticket ticket = admission.ticket();
        ticket.release();
        if (accounted) {
            accountant.finish(base, target, usage, cost, estimated, ticket);
        } else if (target != null && (status < 400 || info.committed() || cancelled)) {
            accountant.finishEstimated(base, target, request, received, ticket);
        } else {
            accountant.finishWithoutUsage(base, ticket);
        }
    }

    private UsageRecord.Access access() {
        boolean payloads = gw.config().logging().logPayloads();
        return new UsageRecord.Access(
                clientAddress,
                userAgent,
                traceparent,
                payloads ? request.messages() : null,
                payloads ? received : null);
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
                request.isStream() && info.firstChunkNanos() != 0
                        ? TimeUnit.NANOSECONDS.toMillis(ttftNanos(info))
                        : null,
                overheadNanos(info) / 1000,
                estimated,
                cost,
                attempts,
                abArm,
                cacheStatus == null ? null : cacheStatus.toLowerCase(java.util.Locale.ROOT));
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
