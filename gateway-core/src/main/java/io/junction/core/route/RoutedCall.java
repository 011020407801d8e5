package io.junction.core.route;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * <p>Threading: everything runs on {@code loop}; not thread-safe, and needs no locks.
 */
public final class RoutedCall {
    /** Largest error or non-streamed body kept in memory; beyond it the response is malformed. */
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private final ChatRequest request;
    private final List<Target> plan;
    private final UpstreamTransport network;
    private final EventExecutor loop;
    private final CallListener listener;
    private final LongSupplier nanoClock;
    private final CallInfo info;

    private int index = -1;
    private AttemptRun current;
    private GatewayException lastError;
    private boolean finished;

    public RoutedCall(
            ChatRequest request,
            List<Target> plan,
            UpstreamTransport network,
            EventExecutor loop,
            CallListener listener,
            LongSupplier nanoClock) {
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("empty plan");
        }
        this.request = request;
        this.plan = plan;
        this.network = network;
        this.loop = loop;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.info = new CallInfo(request.model(), nanoClock.getAsLong());
    }

    public CallInfo info() {
        return info;
    }

    public void start() {
        nextAttempt();
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
        if (current != null) {
            current.abandon();
        }
    }

    public boolean isFinished() {
        return finished;
    }

    private void nextAttempt() {
        index++;
        if (index >= plan.size()) {
            finish();
            listener.onFailure(lastError, info);
            return;
        }
        Target target = plan.get(index);
        info.target = target;
        AttemptRun run = new AttemptRun(target, request.withModel(target.model()), nanoClock.getAsLong());
        current = run;
        UpstreamRequest upstream;
        try {
            upstream = target.adapter().encode(run.sent, target);
        } catch (GatewayException e) {
            run.failed(e);
            return;
        } catch (RuntimeException e) {
            run.failed(GatewayException.internal("Could not build the request for " + target.id(), e));
            return;
        }
        run.attach(target.adapter().transport(network).open(upstream, loop, run));
    }

    private void finish() {
        finished = true;
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
        UpstreamExchange exchange;
        Mode mode = Mode.WAITING;
        int status;
        UpstreamHeaders headers = UpstreamHeaders.EMPTY;
        CompositeByteBuf body;
        StreamDecoder decoder;
        boolean paused;
        boolean done; // this attempt has ended, successfully or not: ignore anything further
        boolean sawDone;
        // A transport may call back before open() has returned the exchange (an executor that runs
        // tasks inline, or a connect failure reported at once): demand and cancellation asked for
        // in that window are applied when the exchange is attached.
        boolean requestPending;
        boolean cancelPending;

        AttemptRun(Target target, ChatRequest sent, long startNanos) {
            this.target = target;
            this.sent = sent;
            this.startNanos = startNanos;
        }

        private boolean stale() {
            return done || current != this || finished;
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
                    if (body == null) {
                        body = ByteBufAllocator.DEFAULT.compositeBuffer(64);
                    }
                    if (body.readableBytes() + content.readableBytes() > MAX_BODY_BYTES) {
                        failed(GatewayException.malformedUpstream(
                                target.provider().name(),
                                "sent a response body larger than " + MAX_BODY_BYTES + " bytes"));
                        return;
                    }
                    body.addComponent(true, content.retainedSlice());
                    requestMore();
                }
                case STREAM -> {
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
                    ChatResponse response;
                    try {
                        response = target.adapter().decodeResponse(bodyOrEmpty(), sent, target);
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
                    releaseBody();
                    done = true;
                    record(status, null);
                    info.usage = response.usage();
                    if (!response.choices().isEmpty()) {
                        info.finishReason = response.choices().get(0).finishReason();
                    }
                    finish();
                    listener.onResponse(response, info);
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
                        // a complete stream with nothing for the client (e.g. only the usage chunk it
                        // did not ask for): it still needs the response headers before the end
                        info.committed = true;
                        listener.onStreamStart(info);
                        if (stale()) {
                            return;
                        }
                    }
                    done = true;
                    record(status, null);
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
                info.committed = true;
                info.firstChunkNanos = nanoClock.getAsLong();
                listener.onStreamStart(info);
                if (stale()) {
                    ReferenceCountUtil.release(rawJson);
                    return;
                }
            }
            listener.onChunk(chunk, rawJson, info);
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
            record(status, error.code());
            lastError = error;
            finish();
            listener.onFailure(error, info);
        }

        /** This attempt failed before anything reached the client: fail over or give up. */
        void failed(GatewayException error) {
            if (done) {
                return;
            }
            done = true;
            releaseBody(); // e.g. an oversized body: what was aggregated so far
            cancelExchange();
            record(error.status(), error.code());
            lastError = error;
            if (error.retryable()) {
                nextAttempt();
            } else {
                finish();
                listener.onFailure(error, info);
            }
        }

        void abandon() {
            done = true;
            releaseBody();
            cancelExchange();
        }

        private void record(int status, String code) {
            long ms = TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - startNanos);
            info.attempts.add(new Attempt(target.id(), status, code, ms));
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
}
