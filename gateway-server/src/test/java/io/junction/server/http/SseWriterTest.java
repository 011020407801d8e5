package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.stream.SseEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SseWriterTest {
    private static final byte[] REQUEST = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    /** A server pipeline as the gateway's: the codec, the keep-alive handler, then the responder's handler. */
    private static EmbeddedChannel server() {
        EmbeddedChannel ch = new EmbeddedChannel(
                new HttpServerCodec(), new HttpServerKeepAliveHandler(), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }
                });
        ch.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        return ch;
    }

    private static ChannelHandlerContext responderContext(EmbeddedChannel ch) {
        return ch.pipeline().lastContext();
    }

    private static HttpResponse head() {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    }

    /** Everything the channel wrote to its socket, as text. */
    private static String wire(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    private static byte[] json(int n) {
        byte[] j = new byte[n];
        java.util.Arrays.fill(j, (byte) 'x');
        j[0] = '"';
        j[n - 1] = '"';
        return j;
    }

    @Test
    void writesTheSameBytesAsNettysEncoderDoesForTheSameEvents() {
        int[] sizes = {2, 7, 8, 9, 100, 241, 242, 4_000, 4_089, 4_090, 70_000};
        EmbeddedChannel mine = server();
        SseWriter sse = new SseWriter(responderContext(mine));
        sse.head(head());
        for (int n : sizes) {
            sse.frame(json(n), n);
        }
        sse.frame(Unpooled.wrappedBuffer(json(300)));
        sse.event(Map.of("a", 1), true);
        sse.comment("ping");
        sse.done();

        EmbeddedChannel netty = server();
        ChannelHandlerContext ctx = responderContext(netty);
        HttpResponse r = head();
        HttpUtil.setTransferEncodingChunked(r, true);
        ctx.write(r);
        ByteBufAllocator alloc = ctx.alloc();
        for (int n : sizes) {
            ctx.writeAndFlush(new DefaultHttpContent(SseEncoder.frame(alloc, json(n), n)));
        }
        ctx.writeAndFlush(new DefaultHttpContent(SseEncoder.frame(alloc, Unpooled.wrappedBuffer(json(300)))));
        ctx.writeAndFlush(new DefaultHttpContent(SseEncoder.event(alloc, Map.of("a", 1))));
        ctx.writeAndFlush(new DefaultHttpContent(SseEncoder.comment("ping")));
        ctx.write(new DefaultHttpContent(SseEncoder.done()));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);

        String expected = wire(netty);
        assertThat(expected)
                .contains("\r\n" + Integer.toHexString(70_008) + "\r\ndata: \"x")
                .endsWith("data: [DONE]\n\n\r\n0\r\n\r\n");
        assertThat(wire(mine)).isEqualTo(expected);
        assertThat(mine.finishAndReleaseAll()).isFalse();
        netty.finishAndReleaseAll();
    }

    @Test
    void aClientDecodesTheEventsAndTheEndAndTheConnectionServesTheNextResponse() {
        EmbeddedChannel ch = server();
        SseWriter sse = new SseWriter(responderContext(ch));
        sse.head(head());
        sse.frame("{\"n\":1}".getBytes(StandardCharsets.UTF_8), 7);
        sse.event(List.of("two"), true);
        sse.event(Map.of("error", "late"), false);
        sse.end();
        // the encoder is out of its chunked state: a second exchange on the keep-alive connection
        ch.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        SseWriter second = new SseWriter(responderContext(ch));
        second.head(head());
        second.comment("ping");
        second.done();
        assertThat(ch.isOpen()).isTrue();

        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder());
        client.writeInbound(Unpooled.copiedBuffer(wire(ch), StandardCharsets.ISO_8859_1));
        List<String> bodies = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        int lasts = 0;
        HttpObject o;
        while ((o = client.readInbound()) != null) {
            assertThat(o.decoderResult().isSuccess()).isTrue();
            if (o instanceof HttpResponse res) {
                assertThat(HttpUtil.isTransferEncodingChunked(res)).isTrue();
            }
            if (o instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.UTF_8));
                c.release();
            }
            if (o instanceof LastHttpContent) {
                lasts++;
                bodies.add(body.toString());
                body.setLength(0);
            }
        }
        assertThat(lasts).isEqualTo(2);
        assertThat(bodies)
                .containsExactly(
                        "data: {\"n\":1}\n\ndata: [\"two\"]\n\ndata: {\"error\":\"late\"}\n\n",
                        ": ping\n\ndata: [DONE]\n\n");
        ch.finishAndReleaseAll();
        client.finishAndReleaseAll();
    }

    @Test
    void theSizeLineIsTheEventsLengthInHexRightBeforeIt() {
        for (int n : new int[] {1, 15, 16, 255, 256, 4_095, 4_096, 65_535, 65_536, 1 << 20}) {
            ByteBuf buf = Unpooled.buffer(10 + n + 2).writerIndex(10);
            buf.writeZero(n);
            ByteBuf chunk = SseWriter.close(buf);
            String text = chunk.toString(StandardCharsets.ISO_8859_1);
            String size = Integer.toHexString(n);
            assertThat(text).startsWith(size + "\r\n").endsWith("\r\n");
            assertThat(chunk.readableBytes()).isEqualTo(size.length() + 2 + n + 2);
            chunk.release();
        }
    }

    @Test
    void anEmptyEventIsNotWrittenForItWouldEndTheBody() {
        ByteBuf buf = Unpooled.buffer(12).writerIndex(10);
        assertThat(SseWriter.close(buf)).isNull();
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void aPipelineWithoutTheHttpCodecIsRefused() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        assertThatThrownBy(() -> new SseWriter(ch.pipeline().lastContext()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HttpServerCodec");
        ch.finishAndReleaseAll();
    }
}
