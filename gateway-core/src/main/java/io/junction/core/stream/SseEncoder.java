package io.junction.core.stream;

import io.junction.core.schema.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Writes SSE frames in exactly the bytes OpenAI sends: {@code data: <json>\n\n}. */
public final class SseEncoder {
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf DONE =
            Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII))
                    .asReadOnly());

    private SseEncoder() {}

    /** Serializes {@code value} as one data event into a pooled buffer. */
    public static ByteBuf event(ByteBufAllocator alloc, Object value) {
        ByteBuf buf = alloc.buffer(256);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            out.write(PREFIX);
            Json.MAPPER.writeValue((java.io.OutputStream) out, value);
            out.write(SUFFIX);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        return buf;
    }

    /**
     * Frames JSON bytes the upstream produced, unchanged. Takes ownership of {@code json}. The frame is
     * one direct buffer from {@code alloc} (pooled in the server): the socket writes it as is, where a
     * composite of heap buffers would first be copied into a direct buffer by the transport.
     */
    public static ByteBuf frame(ByteBufAllocator alloc, ByteBuf json) {
        try {
            int n = json.readableBytes();
            return alloc.directBuffer(PREFIX.length + n + SUFFIX.length)
                    .writeBytes(PREFIX)
                    .writeBytes(json, json.readerIndex(), n)
                    .writeBytes(SUFFIX);
        } finally {
            json.release();
        }
    }

    /**
     * Frames {@code json[0, length)} (upstream JSON, unchanged) into one direct buffer from {@code
     * alloc}, as {@link #frame(ByteBufAllocator, ByteBuf)} does, without first wrapping or copying it.
     */
    public static ByteBuf frame(ByteBufAllocator alloc, byte[] json, int length) {
        return alloc.directBuffer(PREFIX.length + length + SUFFIX.length)
                .writeBytes(PREFIX)
                .writeBytes(json, 0, length)
                .writeBytes(SUFFIX);
    }

    /** {@code data: [DONE]\n\n}. */
    public static ByteBuf done() {
        return DONE.duplicate();
    }

    /** An SSE comment line, ignored by clients; keeps idle proxies from closing a quiet stream. */
    public static ByteBuf comment(String text) {
        return Unpooled.wrappedBuffer((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
