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
        try {
            return writeEvent(buf, value);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /**
     * Appends {@code value} serialized as one data event to {@code dst}, which grows as needed; on a
     * failure {@code dst} may hold part of it.
     */
    public static ByteBuf writeEvent(ByteBuf dst, Object value) {
        try (ByteBufOutputStream out = new ByteBufOutputStream(dst)) {
            out.write(PREFIX);
            Json.MAPPER.writeValue((java.io.OutputStream) out, value);
            out.write(SUFFIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dst;
    }

    /**
     * Frames JSON bytes the upstream produced, unchanged. Takes ownership of {@code json}. The frame is
     * one direct buffer from {@code alloc} (pooled in the server): the socket writes it as is, where a
     * composite of heap buffers would first be copied into a direct buffer by the transport.
     */
    public static ByteBuf frame(ByteBufAllocator alloc, ByteBuf json) {
        try {
            return writeFrame(alloc.directBuffer(frameLength(json.readableBytes())), json);
        } finally {
            json.release();
        }
    }

    /**
     * Frames {@code json[0, length)} (upstream JSON, unchanged) into one direct buffer from {@code
     * alloc}, as {@link #frame(ByteBufAllocator, ByteBuf)} does, without first wrapping or copying it.
     */
    public static ByteBuf frame(ByteBufAllocator alloc, byte[] json, int length) {
        return writeFrame(alloc.directBuffer(frameLength(length)), json, length);
    }

    /** The bytes of the event that frames {@code jsonLength} bytes of JSON. */
    public static int frameLength(int jsonLength) {
        return PREFIX.length + jsonLength + SUFFIX.length;
    }

    /** Appends the event framing {@code json}'s readable bytes to {@code dst}; {@code json} is left as it was. */
    public static ByteBuf writeFrame(ByteBuf dst, ByteBuf json) {
        return dst.writeBytes(PREFIX)
                .writeBytes(json, json.readerIndex(), json.readableBytes())
                .writeBytes(SUFFIX);
    }

    /** Appends the event framing {@code json[0, length)} to {@code dst}. */
    public static ByteBuf writeFrame(ByteBuf dst, byte[] json, int length) {
        return dst.writeBytes(PREFIX).writeBytes(json, 0, length).writeBytes(SUFFIX);
    }

    /** Appends {@code data: [DONE]\n\n} to {@code dst}. */
    public static ByteBuf writeDone(ByteBuf dst) {
        return dst.writeBytes(DONE, DONE.readerIndex(), DONE.readableBytes());
    }

    /** Appends an SSE comment line ({@link #comment}) to {@code dst}. */
    public static ByteBuf writeComment(ByteBuf dst, String text) {
        dst.writeByte(':').writeByte(' ');
        dst.writeCharSequence(text, StandardCharsets.UTF_8);
        return dst.writeBytes(SUFFIX);
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
