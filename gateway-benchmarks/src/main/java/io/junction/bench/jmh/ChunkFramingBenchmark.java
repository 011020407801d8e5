package io.junction.bench.jmh;

import io.junction.core.stream.SseEncoder;
import io.junction.server.http.SseWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One relayed chunk, from the upstream's JSON bytes to what the client socket is handed, in a server
 * pipeline like the gateway's (the HTTP codec, the keep-alive handler, a handler standing in for the
 * rest) on an {@link EmbeddedChannel} whose socket end releases what it is given:
 *
 * <ul>
 *   <li>{@link #nettyEncoder}: the event framed into a pooled direct buffer ({@link SseEncoder#frame}),
 *       wrapped in a {@code DefaultHttpContent} and written through the pipeline, so that Netty's HTTP
 *       encoder adds the chunk's size line and CRLF (how Junction relayed a chunk before
 *       {@link SseWriter});
 *   <li>{@link #sseWriter}: {@link SseWriter#frame(byte[], int)}, the chunk framed in the event's own
 *       buffer and written past the encoder.
 * </ul>
 *
 * <p>The chunk is a recorded OpenAI content chunk (~230 bytes of JSON). Times and
 * {@code gc.alloc.rate.norm} are per chunk. The socket's own work (the {@code writev}, and the
 * {@code ByteBuffer} view the transport makes for a read-only buffer) is not in either figure.
 *
 * <p>Run: {@code java -jar gateway-benchmarks/target/benchmarks.jar ChunkFramingBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dio.netty.allocator.type=pooled"})
public class ChunkFramingBenchmark {
    private static final byte[] CHUNK = ("{\"id\":\"chatcmpl-CH3x0jQ1oJ5m2X3iT9tJ8qN7vK4aZ\",\"object\":"
                    + "\"chat.completion.chunk\",\"created\":1761906321,\"model\":\"gpt-4o-mini-2024-07-18\","
                    + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_560af6e559\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\" quick\"},\"logprobs\":null,\"finish_reason\":null}],\"obfuscation\":\"x3\"}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] REQUEST = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private SseWriter writer;

    @Setup
    public void setup() {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        channel.pipeline()
                .addLast(
                        new ChannelOutboundHandlerAdapter() { // the socket: takes and frees each buffer
                            @Override
                            public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
                                ReferenceCountUtil.release(msg);
                                promise.trySuccess();
                            }
                        })
                .addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext c, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }
                });
        channel.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        ctx = channel.pipeline().lastContext();
        writer = new SseWriter(ctx);
        writer.head(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.flushOutbound();
    }

    @TearDown
    public void tearDown() {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public void nettyEncoder() {
        ByteBuf frame = SseEncoder.frame(ctx.alloc(), CHUNK, CHUNK.length);
        ctx.writeAndFlush(new DefaultHttpContent(frame), ctx.voidPromise());
    }

    @Benchmark
    public void sseWriter() {
        writer.frame(CHUNK, CHUNK.length);
    }
}
