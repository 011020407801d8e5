package io.junction.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A fast, fixed-answer OpenAI upstream for the load suite: {@code POST /v1/chat/completions}.
 *
 * <ul>
 *   <li>Non-streaming: a fixed, realistic {@code chat.completion} body (about 700 bytes), at once or
 *       after {@code --response-ms}.
 *   <li>{@code "stream":true}: an SSE stream of {@code --chunks} chunks (default 50); the first after
 *       {@code --first-token-ms}, then one every {@code --chunk-ms} (default 20), each on a fixed
 *       schedule from the request's arrival (no drift), then the usage chunk when the request asked
 *       for it, and {@code data: [DONE]}. Every chunk carries {@code "x_sent_ns"}: the mock's
 *       {@link System#nanoTime()} when it was written, so a client on the same machine (the clock is
 *       CLOCK_MONOTONIC, shared by all processes) measures each chunk's one-way delay exactly. The
 *       first chunk also carries {@code "x_recv_ns"}, when the request arrived: the mock's own wait
 *       before its first token is {@code x_sent_ns - x_recv_ns}, which a client takes out of its
 *       time to first token to see what the path to the mock and back added.
 * </ul>
 *
 * <p>Run: {@code java -cp gateway-benchmarks/target/benchmarks.jar io.junction.bench.MockUpstream
 * --port 18081 [--threads 2] [--first-token-ms 0] [--chunk-ms 20] [--chunks 50] [--response-ms 0]}
 */
public final class MockUpstream {
    public static final String COMPLETION =
            "{\"id\":\"chatcmpl-bench0000000000000000000000001\",\"object\":\"chat.completion\","
                    + "\"created\":1770933892,\"model\":\"gpt-4.1-mini-2025-04-14\",\"choices\":[{\"index\":0,\"message\":"
                    + "{\"role\":\"assistant\",\"content\":\"Here is a short answer to your question. A gateway adds a small"
                    + " amount of work to each call: it parses the request, checks it, picks a provider and relays the"
                    + " answer. Measured well, that work should cost well under a millisecond.\",\"refusal\":null,"
                    + "\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":231,"
                    + "\"completion_tokens\":48,\"total_tokens\":279,\"prompt_tokens_details\":{\"cached_tokens\":0,"
                    + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                    + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},\"service_tier\":\"default\","
                    + "\"system_fingerprint\":\"fp_bench000001\"}";
    private static final byte[] COMPLETION_BYTES = COMPLETION.getBytes(StandardCharsets.UTF_8);
    private static final String[] WORDS = ("The quick brown fox jumps over the lazy dog while a gateway relays each"
                    + " token to the client without delay and counts the usage at the end")
            .split(" ");
    private static final String CHUNK_HEAD = "data: {\"id\":\"chatcmpl-bench0000000000000000000000001\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1770933892,\"model\":\"gpt-4.1-mini-2025-04-14\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench000001\",\"choices\":[{\"index\":0,";

    final int firstTokenMs;
    final int chunkMs;
    final int chunks;
    final int responseMs;

    MockUpstream(int firstTokenMs, int chunkMs, int chunks, int responseMs) {
        this.firstTokenMs = firstTokenMs;
        this.chunkMs = chunkMs;
        this.chunks = chunks;
        this.responseMs = responseMs;
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        int port = a.integer("port", 18081);
        int threads = a.integer("threads", 2);
        MockUpstream mock = new MockUpstream(
                a.integer("first-token-ms", 0),
                a.integer("chunk-ms", 20),
                a.integer("chunks", 50),
                a.integer("response-ms", 0));
        Channel ch = HttpServers.bind(port, threads, () -> mock.new Handler());
        System.out.println("mock upstream listening on 127.0.0.1:" + port + " ("
                + (HttpServers.epoll() ? "epoll" : "nio")
                + ", first-token " + mock.firstTokenMs + " ms, " + mock.chunks + " chunks every " + mock.chunkMs
                + " ms)");
        ch.closeFuture().sync();
    }

    static boolean isStream(ByteBuf body) {
        String s = body.toString(StandardCharsets.UTF_8);
        int i = s.indexOf("\"stream\"");
        if (i < 0) {
            return false;
        }
        int colon = s.indexOf(':', i + 8);
        return colon > 0 && s.startsWith("true", skipSpaces(s, colon + 1));
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.uri().endsWith("/chat/completions")) {
                FullHttpResponse r = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(r);
                return;
            }
            if (isStream(req.content())) {
                boolean usage = req.content().toString(StandardCharsets.UTF_8).contains("\"include_usage\":true");
                new Stream(ctx, usage, keepAlive).start();
                return;
            }
            FullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(COMPLETION_BYTES));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, COMPLETION_BYTES.length);
            r.headers().set("x-request-id", "req_bench");
            if (!keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            if (responseMs > 0) {
                ctx.executor().schedule(() -> send(ctx, r, keepAlive), responseMs, TimeUnit.MILLISECONDS);
            } else {
                send(ctx, r, keepAlive);
            }
        }

        private void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
            if (keepAlive) {
                ctx.writeAndFlush(r, ctx.voidPromise());
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** One SSE stream on a fixed schedule from the request's arrival. */
    final class Stream {
        final ChannelHandlerContext ctx;
        final boolean usage;
        final boolean keepAlive;
        final long t0 = System.nanoTime();
        int next;
        ScheduledFuture<?> timer;

        Stream(ChannelHandlerContext ctx, boolean usage, boolean keepAlive) {
            this.ctx = ctx;
            this.usage = usage;
            this.keepAlive = keepAlive;
        }

        void start() {
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            r.headers().set("x-request-id", "req_bench");
            HttpUtil.setTransferEncodingChunked(r, true);
            ctx.writeAndFlush(r, ctx.voidPromise());
            ctx.channel().closeFuture().addListener(f -> {
                if (timer != null) {
                    timer.cancel(false);
                }
            });
            schedule();
        }

        private void schedule() {
            long due = t0 + TimeUnit.MILLISECONDS.toNanos(firstTokenMs + (long) next * chunkMs);
            timer = ctx.executor().schedule(this::tick, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        private void tick() {
            if (!ctx.channel().isActive()) {
                return;
            }
            int i = next++;
            StringBuilder sb = new StringBuilder(512).append(CHUNK_HEAD);
            if (i == 0) {
                sb.append("\"delta\":{\"role\":\"assistant\",\"content\":\"");
            } else {
                sb.append("\"delta\":{\"content\":\" ");
            }
            sb.append(WORDS[i % WORDS.length]).append("\"},\"logprobs\":null,\"finish_reason\":");
            boolean last = i == chunks - 1;
            sb.append(last ? "\"stop\"" : "null").append("}],");
            if (i == 0) {
                sb.append("\"x_recv_ns\":").append(t0).append(',');
            }
            sb.append("\"x_sent_ns\":");
            sb.append(System.nanoTime()).append("}\n\n");
            if (last) {
                if (usage) {
                    sb.append("data: {\"id\":\"chatcmpl-bench0000000000000000000000001\",\"object\":"
                                    + "\"chat.completion.chunk\",\"created\":1770933892,\"model\":\"gpt-4.1-mini-2025-04-14\","
                                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":231,\"completion_tokens\":")
                            .append(chunks)
                            .append(",\"total_tokens\":")
                            .append(231 + chunks)
                            .append("}}\n\n");
                }
                sb.append("data: [DONE]\n\n");
            }
            ByteBuf buf = ByteBufUtil.writeUtf8(ctx.alloc(), sb);
            ctx.write(new DefaultHttpContent(buf), ctx.voidPromise());
            if (last) {
                if (keepAlive) {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
                } else {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            ctx.flush();
            schedule();
        }
    }
}
