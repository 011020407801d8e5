package io.junction.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamBodyTest {
    private static ChatRequest request() throws Exception {
        return Json.MAPPER.readValue(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"the secret prompt é\"}],"
                        + "\"tags\":[\"gateway-only\"]}",
                ChatRequest.class);
    }

    @Test
    void aJsonBodyWritesWhatTheUpstreamWriterWrites() throws Exception {
        ChatRequest r = request();
        UpstreamBody body = UpstreamBody.json(Json.UPSTREAM_WRITER, r);
        byte[] expected = Json.upstreamBytes(r);
        assertThat(body.bytes()).isEqualTo(expected);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(expected);
        assertThat(new String(expected, java.nio.charset.StandardCharsets.UTF_8))
                .as("the upstream view leaves the gateway's fields out")
                .doesNotContain("gateway-only");
    }

    @Test
    void bytesAreKeptAsTheyAre() throws Exception {
        byte[] b = {1, 2, 3};
        UpstreamBody body = UpstreamBody.of(b);
        assertThat(body.bytes()).isSameAs(b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        assertThat(out.toByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void neitherTheRequestNorItsBodyPrintsThePrompt() throws Exception {
        UpstreamRequest req = new UpstreamRequest(
                "POST",
                URI.create("http://127.0.0.1:1/v1/chat/completions"),
                Map.of("authorization", "Bearer sk-secret"),
                UpstreamBody.json(Json.UPSTREAM_WRITER, request()),
                false,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        assertThat(req.toString()).doesNotContain("secret").contains("JSON of a ChatRequest");
        assertThat(req.body()).isEqualTo(Json.upstreamBytes(request()));
        UpstreamRequest bytes = new UpstreamRequest(
                "POST", req.uri(), Map.of(), new byte[] {'{', '}'}, false, req.connectTimeout(), req.readTimeout());
        assertThat(bytes.toString()).contains("2 bytes");
        assertThat(List.of(bytes.content())).first().isInstanceOf(UpstreamBody.Bytes.class);
    }

    /** A value Jackson cannot write: its getter throws. */
    public static final class Unwritable {
        public String getBoom() {
            throw new IllegalStateException("cannot serialize");
        }
    }

    @Test
    void aJsonBodyGoesIntoADirectBufferFromTheAllocatorAndBytesAreWrapped() throws Exception {
        io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.PooledByteBufAllocator.DEFAULT;
        ChatRequest r = request();
        io.netty.buffer.ByteBuf buf = UpstreamBody.json(Json.UPSTREAM_WRITER, r).toBuffer(alloc);
        try {
            assertThat(buf.isDirect()).isTrue();
            assertThat(io.netty.buffer.ByteBufUtil.getBytes(buf)).isEqualTo(Json.upstreamBytes(r));
        } finally {
            buf.release();
        }
        byte[] b = {'{', '}'};
        io.netty.buffer.ByteBuf wrapped = UpstreamBody.of(b).toBuffer(alloc);
        assertThat(wrapped.array()).isSameAs(b);
        wrapped.release();
    }

    @Test
    void aBodyThatCannotBeWrittenReleasesItsBuffer() {
        java.util.List<io.netty.buffer.ByteBuf> handedOut = new java.util.ArrayList<>();
        io.netty.buffer.ByteBufAllocator counting = new io.netty.buffer.AbstractByteBufAllocator(false) {
            @Override
            protected io.netty.buffer.ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return io.netty.buffer.Unpooled.buffer(initialCapacity, maxCapacity);
            }

            @Override
            protected io.netty.buffer.ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.directBuffer(initialCapacity, maxCapacity);
                handedOut.add(b);
                return b;
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> UpstreamBody.json(Json.UPSTREAM_WRITER, new Unwritable())
                                .toBuffer(counting))
                .hasMessageContaining("cannot serialize");
        assertThat(handedOut).hasSize(1);
        assertThat(handedOut.get(0).refCnt()).as("released").isZero();
    }
}
