package io.junction.core.schema;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The client's bytes of a request, held until its first upstream body is written, so that an
 * OpenAI-compatible upstream can be sent those bytes (with its model put in, see {@link RequestSplice})
 * instead of the request re-serialized: no serializer run and no garbage, and the client's fields
 * reach the provider exactly as written.
 *
 * <p>Lifecycle: created with the parsed request, it holds nothing until {@link #adopt} retains the
 * body (once the call is sure to be answered by its owner). The first {@link #writeUpstream} uses the
 * bytes and releases them; so does {@link #close} (the first attempt is in another format, or the
 * call ended before any body was written). After either, {@link #writeUpstream} refuses and the caller serializes the
 * request: later attempts (retries, fallbacks, a hedge) do. Holding a pooled buffer only that briefly
 * keeps long calls from pinning the allocator's memory. All methods may be called from any thread.
 */
public final class ChatRequestSource {
    /**
     * Bodies above this are not held: one waiting for an upstream connection would be held meanwhile,
     * and the few that large take the serializer.
     */
    public static final int MAX_HELD_BYTES = 64 * 1024;

    private final ChatRequest parsed;
    /** The retained body, released on close. */
    private ByteBuf bytes;
    /** One NIO view of its readable bytes, what the splice reads. */
    private ByteBuffer view;

    private int length;
    private boolean closed;

    public ChatRequestSource(ChatRequest parsed) {
        this.parsed = parsed;
    }

    /**
     * Holds {@code body} (the bytes the request was parsed from, readable part): retains it until the
     * first {@link #writeUpstream} or {@link #close}. A body over {@link #MAX_HELD_BYTES} is not held.
     * Returns whether it is.
     */
    public synchronized boolean adopt(ByteBuf body) {
        if (closed || bytes != null || body.readableBytes() > MAX_HELD_BYTES) {
            return false;
        }
        length = body.readableBytes();
        // a body in one piece (the usual, read with its headers) is viewed in place; one in several is
        // copied into one buffer once, here, rather than read across pieces on every send
        view = body.nioBuffer(body.readerIndex(), length);
        bytes = body.retain();
        return true;
    }

    /** The bytes' length, or 0 when none are held. */
    public synchronized int length() {
        return bytes == null ? 0 : length;
    }

    /**
     * Writes the upstream body of {@code request} into {@code out} from the client's bytes, when
     * {@code request} is the parsed request but for its model and stream options and the bytes are
     * still held. Returns false, having written nothing, otherwise: the caller serializes the request.
     */
    public synchronized boolean writeUpstream(ChatRequest request, ByteBuf out) throws IOException {
        if (bytes == null || closed) {
            return false;
        }
        try {
            return parsed.differsAtMostInModelAndStreamOptions(request)
                    && RequestSplice.write(
                            view, length, request, request.streamOptions() != parsed.streamOptions(), out);
        } finally {
            // One send: the bytes are let go as soon as the first attempt's body is written, so a
            // body is held for microseconds, not for a long call (a retry or a hedge serializes).
            close();
        }
    }

    /** Releases the bytes (once; later calls do nothing). */
    public synchronized void close() {
        closed = true;
        if (bytes != null) {
            ByteBuf b = bytes;
            bytes = null;
            view = null;
            b.release();
        }
    }

    @Override
    public String toString() {
        return "ChatRequestSource[" + length() + " bytes]"; // never the content: it is the prompt
    }
}
