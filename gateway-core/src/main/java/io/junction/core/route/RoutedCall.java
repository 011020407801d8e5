package io.junction.core.route;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatRequestSource;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.ForwardedAnswer;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.stream.PassThroughChunk;
import io.junction.core.time.Scheduler;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamBody;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Runs one client request over its target plan: encode, send, decode, and fail over to the next
 * target while nothing has been sent to the client.
 *
 * <p>Failover rule: an attempt that fails with a retryable error (connect failure, timeout, 408,
 * 409, 429, 5xx, a stream that breaks or reports an error before its first chunk) moves to the next
 * target. A non-retryable error (400, 401, 404, ...) is returned as the provider sent it. Once the
 * first chunk of a stream went to the client the call is committed: a later failure ends the stream
 * with an error event, never silently.
 *
 * <p>Backpressure: after each piece of upstream body the call asks the transport for more only if
 * {@link CallListener#clientWritable()}; otherwise it waits for {@link #resume()}.
 *
 * <p>Policy ({@link RouteSettings}): a target's {@code retry} policy retries it after a backoff with
 * full jitter (or the provider's {@code Retry-After}, when that fits in the deadline) before moving
 * on; an open {@link CircuitBreaker} skips a target without a network call; a stream whose first
 * token does not arrive within the TTFT deadline is abandoned for the next target; the request
 * deadline bounds everything. The commit point of a stream is its first chunk with content (text,
 * reasoning, a tool call or a finish reason): chunks before it (the role-only opener) are held, so
 * a failure up to then still fails over invisibly.
 *
 * <p>Threading: everything runs on {@code loop}; not thread-safe, and needs no locks.
 */
public final class RoutedCall {
    /** Largest error or non-streamed body kept in memory; beyond it the response is malformed. */
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private final ChatRequest request;
    private final List<Target> plan;
    private List<Target> contextFallbacks = List.of();
    private final UpstreamTransport network;
    private final EventExecutor loop;
    private final CallListener listener;
    private final Scheduler scheduler;
    private final RouteSettings settings;
    private final RouteState state;
    private final DoubleSupplier random;
    private final CallInfo info;
    private java.util.Map<String, String> extraHeaders = java.util.Map.of();
    /** The client's bytes of the request, for the first attempt's body; null when not held or used. */
    private ChatRequestSource source;
    /** Tracing of each attempt; null when off. */
    private AttemptObserver observer;

    private int attemptCount;

    private int index = -1;
    private int retriesUsed;
    private int keyRetries;
    private AttemptRun current;
    /** Attempts running now: one, or two while a hedge races the attempt it hedges. */
    private final List<AttemptRun> live = new ArrayList<>(2);

    private boolean hedged;
    private Scheduler.Timer hedgeTimer = Scheduler.Timer.NONE;
    private GatewayException lastError;
    private boolean finished;
    /** The shortest wait among targets skipped for their rate limits; MAX_VALUE = none skipped. */
    private long quotaWaitNanos = Long.MAX_VALUE;

    private Scheduler.Timer deadlineTimer = Scheduler.Timer.NONE;
    private Scheduler.Timer keepaliveTimer = Scheduler.Timer.NONE;
    private Scheduler.Timer backoffTimer = Scheduler.Timer.NONE;

    public RoutedCall(
            ChatRequest request,
            List<Target> plan,
            UpstreamTransport network,
            EventExecutor loop,
            Scheduler scheduler,
            RouteSettings settings,
            RouteState state,
            DoubleSupplier random,
            CallListener listener) {
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("empty plan");
        }
        this.request = request;
        this.plan = new ArrayList<>(plan);
        this.network = network;
        this.loop = loop;
        this.scheduler = scheduler;
        this.settings = settings;
        this.state = state;
        this.random = random;
        this.listener = listener;
        this.info = new CallInfo(request.model(), scheduler.nanoTime());
    }

    /** Failover only (no retries, deadlines, breakers or keep-alives), timers on {@code loop}. */
    public RoutedCall(
            ChatRequest request,
            List<Target> plan,
            UpstreamTransport network,
            EventExecutor loop,
            CallListener listener,
            LongSupplier nanoClock) {
        this(
                request,
                plan,
                network,
                loop,
                clockOnLoop(loop, nanoClock),
                RouteSettings.FAILOVER_ONLY,
                RouteState.failoverOnly(),
                () -> 0.5,
                listener);
    }

    private static Scheduler clockOnLoop(EventExecutor loop, LongSupplier nanoClock) {
        Scheduler onLoop = Scheduler.of(loop);
        return new Scheduler() {
            @Override
            public long nanoTime() {
                return nanoClock.getAsLong();
            }

            @Override
            public Timer schedule(Runnable task, long delayNanos) {
                return onLoop.schedule(task, delayNanos);
            }
        };
    }

    public CallInfo info() {
        return info;
    }

    /** Targets the planner skipped (capabilities): listed first among the attempts. Call before start. */
    public void recordSkipped(List<Attempt> skipped) {
        info.attempts.addAll(skipped);
    }

    /** Where to continue when a target answers {@code context_length_exceeded}. Call before start. */
    public void contextFallbacks(List<Target> targets) {
        this.contextFallbacks = targets;
    }

    /**
     * The client's bytes of the request, for the first attempt: when its adapter would serialize the
     * request for an OpenAI-format upstream, it sends them instead ({@link UpstreamBody#spliced}, which
     * lets them go once written); otherwise they are let go at once. Later attempts serialize. Before
     * {@link #start}; the caller still closes the source when the call ends (it may never get that far).
     */
    public void requestSource(ChatRequestSource source) {
        this.source = source;
    }

    /** Headers added to every upstream request of this call (W3C trace context); before {@link #start}. */
    public void upstreamHeaders(java.util.Map<String, String> headers) {
        this.extraHeaders = headers;
    }

    /** Watches every attempt (tracing); its headers override {@link #upstreamHeaders}. Before {@link #start}. */
    public void observeAttempts(AttemptObserver observer) {
        this.observer = observer;
    }

    public void start() {
        state.retryBudget().request(scheduler.nanoTime());
        if (settings.requestTimeout() != null) {
            deadlineTimer = scheduler.schedule(
                    this::deadlineExpired, settings.requestTimeout().toNanos());
        }
        if (request.isStream()
                && settings.streamKeepalive() != null
                && !settings.streamKeepalive().isZero()) {
            keepaliveTimer = scheduler.schedule(
                    this::keepalive, settings.streamKeepalive().toNanos());
        }
        nextAttempt();
    }

    private void keepalive() {
        if (finished || info.committed) {
            return;
        }
        listener.onKeepAlive(info);
        if (!finished && !info.committed) {
            keepaliveTimer = scheduler.schedule(
                    this::keepalive, settings.streamKeepalive().toNanos());
        }
    }

    private void deadlineExpired() {
        if (finished) {
            return;
        }
        GatewayException e = new GatewayException(
                504,
                "api_error",
                "request_timeout",
                null,
                "The request did not complete within "
                        + settings.requestTimeout().toMillis() + " ms (request timeout)",
                false);
        for (AttemptRun run : List.copyOf(live)) {
            if (!run.done) {
                run.done = true;
                run.record(504, e.code());
                run.abandon();
            }
        }
        lastError = e;
        finish();
        listener.onFailure(e, info);
    }

    /** Nanoseconds left before the request deadline, or Long.MAX_VALUE without one. */
    private long remainingNanos() {
        if (settings.requestTimeout() == null) {
            return Long.MAX_VALUE;
        }
        return settings.requestTimeout().toNanos() - (scheduler.nanoTime() - info.startNanos);
    }

    /** The client can take more again. */
    public void resume() {
        if (!finished && current != null && current.paused) {
            current.paused = false;
            current.requestMore();
        }
    }

    /** The client went away: abort the upstream exchange; no listener callback follows. */
    public void cancel() {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        for (AttemptRun run : List.copyOf(live)) {
            run.abandon();
        }
    }

    public boolean isFinished() {
        return finished;
    }

    /** Moves to the next target of the plan that its breaker lets through. */
    private void nextAttempt() {
        retriesUsed = 0;
        keyRetries = 0;
        while (true) {
            index++;
            if (index >= plan.size()) {
                if (quotaWaitNanos != Long.MAX_VALUE
                        && (lastError == null || "circuit_open".equals(lastError.code()))) {
                    // nothing was sent: every target left was rate-limited (or broken)
                    lastError = allRateLimited();
                }
                finish();
                listener.onFailure(lastError, info);
                return;
            }
            Target target = plan.get(index);
            if (rateLimited(target)) {
                continue;
            }
            CircuitBreaker breaker = state.breakers().forTarget(target);
            if (breaker == null || breaker.tryAcquire(scheduler.nanoTime())) {
                startAttempt(target, breaker);
                return;
            }
            // Open breaker: skip without a network call, and say so in the attempt log.
            info.attempts.add(new Attempt(target.id(), 503, "circuit_open", 0));
            if (lastError == null) {
                lastError = new GatewayException(
                        503,
                        "api_error",
                        "circuit_open",
                        null,
                        "Target '" + target.id() + "' is failing; its circuit breaker is open.",
                        true);
            }
        }
    }

    /**
     * Whether {@code target}'s rate limits (learned from its headers, a 429's Retry-After, or its
     * provider's configured {@code limits}) are spent for every key: then it is skipped without a
     * network call, like an open breaker, and the attempt log says {@code provider_rate_limited}.
     */
    private boolean rateLimited(Target target) {
        long wait = state.quotas().targetWaitNanos(target, scheduler.nanoTime());
        if (wait <= 0) {
            return false;
        }
        info.attempts.add(new Attempt(target.id(), 429, PROVIDER_RATE_LIMITED, 0));
        quotaWaitNanos = Math.min(quotaWaitNanos, wait);
        return true;
    }

    /** The attempt code of a target skipped for its rate limits. */
    public static final String PROVIDER_RATE_LIMITED = "provider_rate_limited";

    /** Every target was skipped for its rate limits: 429, Retry-After = the earliest reset. */
    private GatewayException allRateLimited() {
        long seconds = Math.max(1, (quotaWaitNanos + 999_999_999L) / 1_000_000_000L);
        return new GatewayException(
                429,
                "rate_limit_error",
                "rate_limit_exceeded",
                null,
                "Every provider for model '" + request.model() + "' is at its rate limit; retry in " + seconds + " s.",
                true,
                java.time.Duration.ofSeconds(seconds),
                null);
    }

    private void startAttempt(Target target, CircuitBreaker breaker) {
        if (finished) {
            return;
        }
        info.target = target;
        info.attemptStartNanos = scheduler.nanoTime();
        List<String> keys = target.provider().spec().allApiKeys();
        int keyIndex = -1;
        Target sendTo = target;
        if (keys.size() > 1) {
            long now = info.attemptStartNanos;
            keyIndex = state.keys()
                    .pick(
                            target.provider().name(),
                            keys,
                            now,
                            k -> state.quotas().waitNanos(target, k, now) == 0);
            Provider p = target.provider();
            sendTo = new Target(
                    new Provider(p.name(), p.spec().withApiKey(keys.get(keyIndex)), p.adapter()), target.model());
        }
        AttemptRun run = new AttemptRun(sendTo, request.withModel(target.model()), info.attemptStartNanos, breaker);
        run.keyIndex = keyIndex;
        run.keyCount = keys.size();
        run.origin = target;
        if (observer != null) {
            run.observed = observer.started(target, run.sent, ++attemptCount, !live.isEmpty());
        }
        current = run;
        live.add(run);
        state.stats().started(target);
        state.quotas().dispatched(target, keyIndex, info.attemptStartNanos);
        if (settings.hedgeAfter() != null && !hedged && live.size() == 1 && index + 1 < plan.size()) {
            hedgeTimer.cancel();
            hedgeTimer =
                    scheduler.schedule(() -> hedge(run), settings.hedgeAfter().toNanos());
        }
        UpstreamRequest upstream;
        try {
            upstream = target.adapter().encode(run.sent, sendTo);
        } catch (GatewayException e) {
            run.failed(e);
            return;
        } catch (RuntimeException e) {
            run.failed(GatewayException.internal("Could not build the request for " + target.id(), e));
            return;
        }
        UpstreamBody content = upstream.content();
        if (source != null) {
            if (content instanceof UpstreamBody.Json json
                    && json.writer() == Json.UPSTREAM_WRITER
                    && json.value() instanceof ChatRequest sent) {
                content = UpstreamBody.spliced(source, sent);
            } else {
                source.close(); // another format: nothing will read the client's bytes
            }
            source = null; // the first attempt's only
        }
        if (!extraHeaders.isEmpty() || run.observed != null || content != upstream.content()) {
            java.util.Map<String, String> h = upstream.headers();
            if (!extraHeaders.isEmpty() || run.observed != null) {
                h = new java.util.LinkedHashMap<>(h);
                h.putAll(extraHeaders);
                if (run.observed != null) {
                    h.putAll(run.observed.sending(upstream.uri()));
                }
            }
            upstream = new UpstreamRequest(
                    upstream.method(),
                    upstream.uri(),
                    h,
                    content,
                    upstream.stream(),
                    upstream.connectTimeout(),
                    upstream.readTimeout());
        }
        Long ttftMs = settings.ttft() != null
                ? Long.valueOf(settings.ttft().toMillis())
                : target.provider().spec().ttftTimeoutMs();
        if (request.isStream() && ttftMs != null) {
            run.ttftTimer = scheduler.schedule(run::ttftExpired, TimeUnit.MILLISECONDS.toNanos(ttftMs));
        }
        run.attach(target.adapter().transport(network).open(upstream, loop, run));
        info.overheadNanos += scheduler.nanoTime() - info.attemptStartNanos; // encode + open: Junction's time
    }

    /**
     * The hedge: {@code slow} has produced nothing yet, so the next target starts in parallel. Both
     * run until one produces (commit for streams, a full answer otherwise); the other is cancelled.
     */
    private void hedge(AttemptRun slow) {
        if (finished || hedged || slow.done || info.committed || !live.contains(slow) || index + 1 >= plan.size()) {
            return;
        }
        hedged = true;
        index++;
        Target target = plan.get(index);
        if (rateLimited(target)) {
            return;
        }
        CircuitBreaker breaker = state.breakers().forTarget(target);
        if (breaker != null && !breaker.tryAcquire(scheduler.nanoTime())) {
            info.attempts.add(new Attempt(target.id(), 503, "circuit_open", 0));
            return;
        }
        startAttempt(target, breaker);
    }

    /** {@code winner} produced first: every other live attempt is cancelled and listed as lost. */
    private void won(AttemptRun winner) {
        hedgeTimer.cancel();
        if (live.size() > 1) {
            for (AttemptRun other : List.copyOf(live)) {
                if (other != winner && !other.done) {
                    other.done = true;
                    other.record(0, "hedge_lost");
                    other.abandon();
                }
            }
        }
        live.clear();
        live.add(winner);
        current = winner;
        info.target = winner.target;
    }

    /** After a failed attempt: the same target again after a backoff, or the next target. */
    private void afterFailure(Target target, CircuitBreaker breaker, GatewayException error, boolean mayRetryTarget) {
        int maxRetries =
                settings.sameTargetRetries() ? target.provider().spec().retry().maxRetries() : 0;
        if (mayRetryTarget && retriesUsed < maxRetries) {
            long delay = backoffNanos(target, retriesUsed, error);
            if (delay >= 0 && delay < remainingNanos() && state.retryBudget().tryRetry(scheduler.nanoTime())) {
                retriesUsed++;
                backoffTimer = scheduler.schedule(
                        () -> {
                            if (finished) {
                                return;
                            }
                            if (rateLimited(target)) {
                                nextAttempt();
                                return;
                            }
                            if (breaker != null && !breaker.tryAcquire(scheduler.nanoTime())) {
                                info.attempts.add(new Attempt(target.id(), 503, "circuit_open", 0));
                                nextAttempt();
                                return;
                            }
                            startAttempt(target, breaker);
                        },
                        delay);
                return;
            }
        }
        nextAttempt();
    }

    /**
     * Backoff before retry number {@code n} (0-based): full jitter over an exponentially growing
     * ceiling, or the provider's Retry-After when it gave one; -1 when Retry-After exceeds
     * {@code max_retry_after_ms}. The caller also checks the request deadline.
     */
    long backoffNanos(Target target, int n, GatewayException error) {
        var policy = target.provider().spec().retry();
        long capMs = policy.maxBackoffMs();
        if (error.retryAfter() != null) {
            long ms = error.retryAfter().toMillis();
            return ms > policy.maxRetryAfterMs() ? -1 : TimeUnit.MILLISECONDS.toNanos(ms);
        }
        long ceilingMs = Math.min(capMs, policy.initialBackoffMs() << Math.min(n, 20));
        return (long) (random.getAsDouble() * TimeUnit.MILLISECONDS.toNanos(ceilingMs));
    }

    private void finish() {
        finished = true;
        cancelTimers();
    }

    private void cancelTimers() {
        hedgeTimer.cancel();
        deadlineTimer.cancel();
        keepaliveTimer.cancel();
        backoffTimer.cancel();
    }

    private enum Mode {
        WAITING,
        BODY,
        ERROR_BODY,
        STREAM
    }

    /** One attempt against one target: the exchange's listener and the stream decoder's sink. */
    private final class AttemptRun implements ExchangeListener, StreamSink {
        final Target target;
        /** The request as this attempt sent it: the client's, with the target's model. */
        final ChatRequest sent;

        final long startNanos;
        final CircuitBreaker breaker;
        Scheduler.Timer ttftTimer = Scheduler.Timer.NONE;
        private boolean statsClosed;
        /** Which of the provider's keys this attempt used (-1: the only one). */
        int keyIndex = -1;
        /** Tracing of this attempt (null when off); ended once, by {@link #record} or {@link #abandon}. */
        AttemptObserver.Handle observed;

        /** The configured target (with every key); {@link #target} carries the one key used. */
        Target origin;

        int keyCount = 1;
        /** Chunks before the commit point, held so a failure up to then can still fail over. */
        final ArrayDeque<Object[]> held = new ArrayDeque<>(2);

        UpstreamExchange exchange;
        Mode mode = Mode.WAITING;
        int status;
        UpstreamHeaders headers = UpstreamHeaders.EMPTY;
        ByteBuf body; // one piece as it came (the usual answer), a composite once a second arrives
        StreamDecoder decoder;
        boolean paused;
        boolean done; // this attempt has ended, successfully or not: ignore anything further
        boolean sawDone;
        // A transport may call back before open() has returned the exchange (an executor that runs
        // tasks inline, or a connect failure reported at once): demand and cancellation asked for
        // in that window are applied when the exchange is attached.
        boolean requestPending;
        boolean cancelPending;

        AttemptRun(Target target, ChatRequest sent, long startNanos, CircuitBreaker breaker) {
            this.target = target;
            this.sent = sent;
            this.startNanos = startNanos;
            this.breaker = breaker;
        }

        void ttftExpired() {
            if (stale() || info.committed) {
                return;
            }
            failed(
                    new GatewayException(
                            504,
                            "api_error",
                            "ttft_timeout",
                            null,
                            "Provider '" + target.provider().name() + "' sent no first token in time (TTFT deadline)",
                            true),
                    false);
        }

        private boolean stale() {
            return done || finished || !live.contains(this);
        }

        void attach(UpstreamExchange ex) {
            exchange = ex;
            if (cancelPending) {
                ex.cancel();
            } else if (requestPending && !stale()) {
                requestPending = false;
                ex.request();
            }
        }

        void requestMore() {
            if (exchange == null) {
                requestPending = true;
            } else {
                exchange.request();
            }
        }

        private void cancelExchange() {
            if (exchange == null) {
                cancelPending = true;
            } else {
                exchange.cancel();
            }
        }

        @Override
        public void onHeaders(int status, UpstreamHeaders headers) {
            if (stale()) {
                return;
            }
            this.status = status;
            this.headers = headers;
            state.quotas().learn(configured(), keyIndex, headers, scheduler.nanoTime());
            if (status < 200 || status > 299) {
                mode = Mode.ERROR_BODY;
            } else if (request.isStream()) {
                mode = Mode.STREAM;
                decoder = target.adapter().newStreamDecoder(sent, target);
            } else {
                mode = Mode.BODY;
            }
            requestMore();
        }

        @Override
        public void onBody(ByteBuf content) {
            if (stale()) {
                return;
            }
            switch (mode) {
                case BODY, ERROR_BODY -> {
                    int held = body == null ? 0 : body.readableBytes();
                    if (held + content.readableBytes() > MAX_BODY_BYTES) {
                        failed(GatewayException.malformedUpstream(
                                target.provider().name(),
                                "sent a response body larger than " + MAX_BODY_BYTES + " bytes"));
                        return;
                    }
                    if (body == null) {
                        body = content.retainedSlice(); // a body in one piece needs no composite
                    } else {
                        CompositeByteBuf all;
                        if (body instanceof CompositeByteBuf c) {
                            all = c;
                        } else {
                            all = ByteBufAllocator.DEFAULT.compositeBuffer(64);
                            all.addComponent(true, body);
                            body = all;
                        }
                        all.addComponent(true, content.retainedSlice());
                    }
                    requestMore();
                }
                case STREAM -> {
                    long decodeStart = scheduler.nanoTime();
                    try {
                        decoder.decode(content, this);
                    } catch (GatewayException e) {
                        streamBroken(e);
                        return;
                    } catch (RuntimeException e) {
                        streamBroken(GatewayException.malformedUpstream(
                                target.provider().name(),
                                "sent a stream that could not be decoded: " + e.getMessage()));
                        return;
                    }
                    info.overheadNanos += scheduler.nanoTime() - decodeStart; // decode + relay to the client
                    if (stale()) {
                        return;
                    }
                    if (listener.clientWritable()) {
                        requestMore();
                    } else {
                        paused = true;
                    }
                }
                case WAITING -> throw new IllegalStateException("body before headers");
            }
        }

        @Override
        public void onEnd() {
            if (stale()) {
                return;
            }
            switch (mode) {
                case ERROR_BODY -> {
                    GatewayException e;
                    try {
                        e = target.adapter().decodeError(status, headers, bodyOrEmpty(), target);
                    } finally {
                        releaseBody();
                    }
                    failed(e);
                }
                case BODY -> {
                    ChatResponse response = null;
                    long decodeStart = scheduler.nanoTime();
                    boolean forwards = body != null && target.adapter().forwardsResponseBody(target);
                    // an OpenAI-format answer the listener only forwards: read its usage, not the whole tree
                    ForwardedAnswer scanned =
                            forwards && !listener.readsWholeAnswer() ? ForwardedAnswer.scan(body) : null;
                    try {
                        if (scanned == null) {
                            response = target.adapter().decodeResponse(bodyOrEmpty(), sent, target);
                        }
                    } catch (GatewayException e) {
                        releaseBody();
                        failed(e);
                        return;
                    } catch (RuntimeException e) {
                        releaseBody();
                        failed(GatewayException.malformedUpstream(
                                target.provider().name(),
                                "sent a response that could not be decoded: " + e.getMessage()));
                        return;
                    }
                    ByteBuf raw = null;
                    if (forwards) {
                        raw = body; // handed to the listener with our reference
                        body = null;
                    } else {
                        releaseBody();
                    }
                    info.overheadNanos += scheduler.nanoTime() - decodeStart;
                    won(this);
                    done = true;
                    succeeded();
                    info.usage = scanned != null ? scanned.usage() : response.usage();
                    record(status, null);
                    countUsage();
                    if (scanned != null) {
                        info.finishReason = scanned.finishReason();
                    } else if (!response.choices().isEmpty()) {
                        info.finishReason = response.choices().get(0).finishReason();
                    }
                    finish();
                    if (scanned != null) {
                        listener.onForwarded(scanned, raw, info);
                    } else if (raw != null) {
                        listener.onResponse(response, raw, info);
                    } else {
                        listener.onResponse(response, info);
                    }
                }
                case STREAM -> {
                    try {
                        decoder.finish(this);
                    } catch (RuntimeException e) {
                        streamBroken(GatewayException.malformedUpstream(
                                target.provider().name(),
                                "sent a stream that could not be decoded: " + e.getMessage()));
                        return;
                    }
                    if (stale()) {
                        return;
                    }
                    if (!sawDone && info.finishReason == null) {
                        streamBroken(GatewayException.malformedUpstream(
                                target.provider().name(), "closed the stream before it was complete"));
                        return;
                    }
                    if (!info.committed) {
                        // a complete stream with nothing the commit point counts (e.g. only the usage
                        // chunk the client did not ask for): it still needs headers and held chunks
                        commit();
                        if (stale()) {
                            return;
                        }
                    }
                    done = true;
                    succeeded();
                    record(status, null);
                    countUsage();
                    finish();
                    listener.onStreamEnd(info);
                }
                case WAITING ->
                    failed(GatewayException.malformedUpstream(target.provider().name(), "sent no response"));
            }
        }

        /** Transport failure, or an in-band error event from the stream decoder (same signature). */
        @Override
        public void onError(GatewayException error) {
            if (stale()) {
                return;
            }
            releaseBody();
            if (mode == Mode.STREAM) {
                streamBroken(error);
            } else {
                failed(error);
            }
        }

        // ---- StreamSink: what the decoder produced ----

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
            if (stale()) {
                ReferenceCountUtil.release(rawJson);
                return;
            }
            if (chunk.usage() != null) {
                info.usage = chunk.usage();
            }
            for (ChatChunk.Choice c : chunk.choices()) {
                if (c.finishReason() != null) {
                    info.finishReason = c.finishReason();
                }
            }
            if (chunk.isUsageOnly() && !request.includeUsage()) {
                // Junction asked upstream for usage for its own accounting; the client did not.
                ReferenceCountUtil.release(rawJson);
                return;
            }
            if (!info.committed) {
                if (!reachesCommitPoint(chunk)) {
                    held.add(new Object[] {chunk, rawJson});
                    return;
                }
                commit();
                if (stale()) {
                    ReferenceCountUtil.release(rawJson);
                    return;
                }
            }
            listener.onChunk(chunk, rawJson, info);
        }

        /**
         * A plain OpenAI chunk (pass-through decoders): the same steps as {@link #onChunk} on the facts
         * the chunk was scanned for. It has no usage (usage chunks take {@link #onChunk}), so it is
         * never the usage-only chunk. A chunk held before the commit point is parsed and copied, since
         * it outlives this call.
         */
        @Override
        public void onPassThrough(PassThroughChunk chunk) {
            if (stale()) {
                return;
            }
            if (chunk.finishReason() != null) {
                info.finishReason = chunk.finishReason();
            }
            if (!info.committed) {
                if (!reachesCommitPoint(chunk)) {
                    held.add(new Object[] {chunk.chunk(), Unpooled.wrappedBuffer(chunk.copyBytes())});
                    return;
                }
                commit();
                if (stale()) {
                    return;
                }
            }
            listener.onPassThrough(chunk, info);
        }

        /** The commit point: headers go out, then the chunks held until now. */
        private void commit() {
            won(this);
            info.committed = true;
            info.firstChunkNanos = scheduler.nanoTime();
            ttftTimer.cancel();
            keepaliveTimer.cancel();
            listener.onStreamStart(info);
            Object[] h;
            while ((h = held.poll()) != null) {
                if (stale()) {
                    ReferenceCountUtil.release(h[1]);
                } else {
                    listener.onChunk((ChatChunk) h[0], (ByteBuf) h[1], info);
                }
            }
        }

        /** Content characters held before the commit point (for a commit point of N characters). */
        private int heldChars;

        private boolean reachesCommitPoint(ChatChunk chunk) {
            int mode = settings.commitChars();
            if (mode < 0) {
                return true;
            }
            if (mode == 0) {
                return hasContent(chunk);
            }
            for (ChatChunk.Choice c : chunk.choices()) {
                if (c.finishReason() != null) {
                    return true;
                }
                ChatChunk.Delta d = c.delta();
                heldChars += (d.content() == null ? 0 : d.content().length())
                        + (d.reasoningContent() == null
                                ? 0
                                : d.reasoningContent().length());
                if (d.toolCalls() != null && !d.toolCalls().isEmpty()) {
                    return true; // a tool call is acted on whole: no point holding it
                }
            }
            return chunk.usage() != null || heldChars >= mode;
        }

        /** {@link #reachesCommitPoint(ChatChunk)} for a plain chunk: at most one choice, no tool calls, no usage. */
        private boolean reachesCommitPoint(PassThroughChunk chunk) {
            int mode = settings.commitChars();
            if (mode < 0) {
                return true;
            }
            if (mode == 0) {
                return chunk.hasContent();
            }
            if (chunk.choiceCount() > 0) {
                if (chunk.finishReason() != null) {
                    return true;
                }
                heldChars += chunk.content().length() + chunk.reasoningContent().length();
            }
            return heldChars >= mode;
        }

        private void releaseHeld() {
            Object[] h;
            while ((h = held.poll()) != null) {
                ReferenceCountUtil.release(h[1]);
            }
        }

        @Override
        public void onDone() {
            sawDone = true;
        }

        /** The stream failed: before commit this is an ordinary failed attempt, after it the client is told. */
        private void streamBroken(GatewayException error) {
            cancelExchange();
            if (!info.committed) {
                failed(error);
                return;
            }
            done = true;
            closeStats(false);
            ttftTimer.cancel();
            if (breaker != null) {
                breaker.onFailure(scheduler.nanoTime());
            }
            record(status, error.code());
            lastError = error;
            finish();
            listener.onFailure(error, info);
        }

        void failed(GatewayException error) {
            failed(error, true);
        }

        /** This attempt failed before anything reached the client: retry, fail over or give up. */
        void failed(GatewayException error, boolean mayRetryTarget) {
            if (done) {
                return;
            }
            done = true;
            closeStats(false);
            ttftTimer.cancel();
            releaseBody(); // e.g. an oversized body: what was aggregated so far
            releaseHeld();
            cancelExchange();
            record(error.status(), error.code());
            lastError = error;
            if (breaker != null) {
                if (error.retryable()) {
                    breaker.onFailure(scheduler.nanoTime());
                } else {
                    breaker.onSuccess(); // the target answered; the request was at fault
                }
            }
            if (keyIndex >= 0) {
                restKey(error);
            }
            if (error.status() == 429 && error.retryAfter() != null) {
                // the provider said when: skip this target (this key) until then, on every call
                state.quotas()
                        .block(
                                configured(),
                                keyIndex,
                                scheduler.nanoTime() + error.retryAfter().toNanos());
            }
            live.remove(this);
            if (!live.isEmpty()) {
                return; // a hedge race: the other attempt is still running and decides the call
            }
            Target configured = origin == null ? target : origin;
            if (keyIndex >= 0 && (error.status() == 401 || error.status() == 403) && keyRetries < keyCount - 1) {
                // this key was refused: the same target with the provider's next key, at once
                keyRetries++;
                startAttempt(configured, breaker);
                return;
            }
            if (error.retryable()) {
                afterFailure(configured, breaker, error, mayRetryTarget);
            } else if ("context_length_exceeded".equals(error.code()) && !contextFallbacks.isEmpty()) {
                // The prompt does not fit this target: continue with the larger-context targets instead
                // of the rest of the plan (those would most likely fail the same way).
                plan.subList(index + 1, plan.size()).clear();
                plan.addAll(contextFallbacks);
                contextFallbacks = List.of();
                nextAttempt();
            } else {
                finish();
                listener.onFailure(error, info);
            }
        }

        /** The configured target (all keys), which rate-limit state is kept for. */
        private Target configured() {
            return origin == null ? target : origin;
        }

        /** Feeds the reported usage to the provider's configured {@code tpm} window. */
        private void countUsage() {
            if (info.usage != null) {
                long tokens = info.usage.totalTokens() != null
                        ? info.usage.totalTokens()
                        : (long) info.usage.prompt() + info.usage.completion();
                state.quotas().usage(configured(), keyIndex, tokens, scheduler.nanoTime());
            }
        }

        /** A key the provider refused or rate-limited rests alone; the next attempt picks another. */
        private void restKey(GatewayException error) {
            long now = scheduler.nanoTime();
            long until;
            if (error.status() == 401 || error.status() == 403) {
                until = now + KeyRotation.REJECTED_COOLDOWN_NANOS;
            } else if (error.status() == 429) {
                until = now
                        + (error.retryAfter() != null
                                ? error.retryAfter().toNanos()
                                : KeyRotation.RATE_LIMITED_COOLDOWN_NANOS);
            } else {
                return;
            }
            state.keys().rest(target.provider().name(), keyCount, keyIndex, until);
        }

        /** Ends this attempt's in-flight count, once; a success also feeds the latency average. */
        private void closeStats(boolean success) {
            if (statsClosed) {
                return;
            }
            statsClosed = true;
            state.stats().finished(target);
            if (success) {
                long end = info.committed && info.firstChunkNanos > startNanos
                        ? info.firstChunkNanos
                        : scheduler.nanoTime();
                state.stats().latency(target, end - startNanos);
            }
        }

        private void succeeded() {
            closeStats(true);
            ttftTimer.cancel();
            if (breaker != null) {
                breaker.onSuccess();
            }
        }

        void abandon() {
            done = true;
            closeStats(false);
            ttftTimer.cancel();
            releaseBody();
            releaseHeld();
            cancelExchange();
            if (breaker != null) {
                breaker.onAbandoned();
            }
            endObserved(status, "cancelled");
        }

        void record(int status, String code) {
            long ms = TimeUnit.NANOSECONDS.toMillis(scheduler.nanoTime() - startNanos);
            info.attempts.add(new Attempt(target.id(), status, code, ms));
            endObserved(status, code);
        }

        private void endObserved(int status, String code) {
            if (observed != null) {
                AttemptObserver.Handle o = observed;
                observed = null;
                o.end(status, code, info);
            }
        }

        private ByteBuf bodyOrEmpty() {
            return body == null ? io.netty.buffer.Unpooled.EMPTY_BUFFER : body;
        }

        private void releaseBody() {
            if (body != null) {
                body.release();
                body = null;
            }
        }
    }

    /** Unknown delta fields (audio, annotations, ...) count as output only when they hold something. */
    private static boolean hasValue(java.util.Map<String, Object> extra) {
        for (Object v : extra.values()) {
            if (v != null
                    && !(v instanceof String str && str.isEmpty())
                    && !(v instanceof java.util.Collection<?> c && c.isEmpty())
                    && !(v instanceof java.util.Map<?, ?> m && m.isEmpty())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a chunk carries something the client would see as output: the commit point. */
    static boolean hasContent(ChatChunk chunk) {
        if (chunk.usage() != null) {
            return true;
        }
        for (ChatChunk.Choice c : chunk.choices()) {
            if (c.finishReason() != null) {
                return true;
            }
            ChatChunk.Delta d = c.delta();
            if ((d.content() != null && !d.content().isEmpty())
                    || (d.reasoningContent() != null && !d.reasoningContent().isEmpty())
                    || (d.refusal() != null && !d.refusal().isEmpty())
                    || (d.toolCalls() != null && !d.toolCalls().isEmpty())
                    || hasValue(d.extra())) {
                return true;
            }
        }
        return false;
    }
}
