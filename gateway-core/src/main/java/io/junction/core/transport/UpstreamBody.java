package io.junction.core.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatRequestSource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * The body of an {@link UpstreamRequest}: bytes an adapter built, or a value the transport writes as
 * JSON straight into its own (pooled, direct) buffer when it sends the request, with no
 * {@code byte[]} in between. The second is what the OpenAI-compatible adapters send: about a
 * kilobyte less garbage per request, and no copy of a heap array into direct memory for the socket.
 */
public sealed interface UpstreamBody {
    /**
     * {@code request} written from the client's bytes held by {@code source} when it can be (see
     * {@link ChatRequestSource#writeUpstream}), else as {@link Json#UPSTREAM_WRITER} writes it.
     */
    static UpstreamBody spliced(ChatRequestSource source, ChatRequest request) {
        return new Spliced(source, request);
    }

    /** These bytes, as they are (not copied: the caller must not change them). */
    static UpstreamBody of(byte[] bytes) {
        return new Bytes(bytes);
    }

    /** {@code value} written by {@code writer} when the request is sent. The value must not change. */
    static UpstreamBody json(ObjectWriter writer, Object value) {
        return new Json(writer, value);
    }

    /** The body's bytes; a JSON body is written anew on each call (tests, signing, in-process transports). */
    byte[] bytes();

    /** Writes the body into {@code out}. */
    void writeTo(OutputStream out) throws IOException;

    /**
     * The body as a buffer to send: adapter-built bytes wrapped as they are; a JSON body written
     * straight into a direct buffer from {@code alloc} (pooled in the server), released here if writing
     * it fails, else owned by the caller.
     */
    ByteBuf toBuffer(ByteBufAllocator alloc) throws IOException;

    /** Adapter-built bytes. */
    record Bytes(byte[] value) implements UpstreamBody {
        public Bytes {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte[] bytes() {
            return value;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(value);
        }

        @Override
        public ByteBuf toBuffer(ByteBufAllocator alloc) {
            return Unpooled.wrappedBuffer(value);
        }

        @Override
        public String toString() {
            return value.length + " bytes";
        }
    }

    /** A value to be written as JSON at send time. */
    record Json(ObjectWriter writer, Object value) implements UpstreamBody {
        public Json {
            Objects.requireNonNull(writer, "writer");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte[] bytes() {
            try {
                return writer.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            writer.writeValue(out, value);
        }

        /** A typical chat body fits the first buffer; it grows past it. */
        static final int FIRST_BUFFER_BYTES = 2048;

        @Override
        public ByteBuf toBuffer(ByteBufAllocator alloc) throws IOException {
            ByteBuf buf = alloc.directBuffer(FIRST_BUFFER_BYTES);
            try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
                writeTo(out);
            } catch (IOException | RuntimeException e) {
                buf.release();
                throw e;
            }
            return buf;
        }

        @Override
        public String toString() {
            return "JSON of a " + value.getClass().getSimpleName(); // never the content: it is the prompt
        }
    }

    /**
     * An OpenAI-format request written from the client's bytes at send time ({@code model} put in,
     * Junction's fields left out), or serialized when the bytes are no longer held or the request
     * changed in more than its model and stream options.
     */
    record Spliced(ChatRequestSource source, ChatRequest request) implements UpstreamBody {
        public Spliced {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(request, "request");
        }

        @Override
        public byte[] bytes() {
            ByteBuf buf = Unpooled.buffer(source.length() + 64);
            try {
                write(buf);
                return io.netty.buffer.ByteBufUtil.getBytes(buf);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                buf.release();
            }
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(bytes());
        }

        @Override
        public ByteBuf toBuffer(ByteBufAllocator alloc) throws IOException {
            int held = source.length();
            ByteBuf buf = alloc.directBuffer(held > 0 ? held + 64 : Json.FIRST_BUFFER_BYTES);
            try {
                write(buf);
            } catch (IOException | RuntimeException e) {
                buf.release();
                throw e;
            }
            return buf;
        }

        private void write(ByteBuf buf) throws IOException {
            if (!source.writeUpstream(request, buf)) {
                try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
                    io.junction.core.schema.Json.UPSTREAM_WRITER.writeValue((OutputStream) out, request);
                }
            }
        }

        @Override
        public String toString() {
            return "JSON of a ChatRequest from " + source; // never the content: it is the prompt
        }
    }
}
