package io.junction.server.http;

import io.junction.core.stream.SseEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Writes a streamed answer to the client: the response head, then each SSE event as one HTTP/1.1 chunk
 * that this class frames itself (RFC 9112 §7.1: the size in hex, CRLF, the event's bytes, CRLF), then
 * the last chunk.
 *
 * <p>Why not hand each event to Netty's HTTP encoder as an {@code HttpContent}: for every chunk the
 * encoder builds the size line through a new hex {@code String} into a buffer of its own and appends a
 * read-only duplicate of a shared CRLF buffer, so the socket gets three buffers, two of them new
 * objects, and a further {@code ByteBuffer} view for the duplicate when it writes. Here the event is
 * written into one pooled direct buffer with room kept in front for the size line, which is filled in
 * once the size is known: one buffer per chunk, nothing else allocated, and no {@code HttpContent}
 * wrapper either.
 *
 * <p>Those chunks are written from the HTTP codec's context, so they go to the socket without passing
 * the encoder or the handlers after it (the keep-alive and idle handlers, which have nothing to do with
 * a chunk in the middle of a body). The head and the last chunk still go through the whole pipeline
 * from the responder's context: the head puts the encoder in its chunked state, the last chunk takes it
 * out and lets the keep-alive handler decide about the connection. Everything runs on the channel's
 * event loop, so the order of writes is the order on the wire.
 */
public final class SseWriter {
    /** Room for the size line: up to 8 hex digits (a chunk under 4 GiB) and CRLF. */
    private static final int HEADROOM = 10;

    private static final short CRLF = ('\r' << 8) | '\n';
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private final ChannelHandlerContext ctx;
    /** The HTTP codec's context: a write from it goes to the socket, past the encoder. */
    private final ChannelHandlerContext wire;

    /**
     * @param ctx the responder's context; its pipeline must hold an {@link HttpServerCodec} between the
     *     socket and {@code ctx}
     */
    public SseWriter(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.wire = ctx.pipeline().context(HttpServerCodec.class);
        if (wire == null) {
            throw new IllegalStateException("SseWriter needs an HttpServerCodec in the pipeline");
        }
    }

    /** Writes the response head, chunked (not flushed: the first event flushes it). */
    public void head(HttpResponse response) {
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.write(response);
    }

    /** One event framing the upstream's JSON {@code json[0, length)}, unchanged; flushed. */
    public void frame(byte[] json, int length) {
        ByteBuf chunk = open(SseEncoder.frameLength(length));
        SseEncoder.writeFrame(chunk, json, length);
        send(chunk, true);
    }

    /** One event framing {@code json}'s readable bytes, unchanged; flushed. Takes ownership of {@code json}. */
    public void frame(ByteBuf json) {
        ByteBuf chunk;
        try {
            chunk = open(SseEncoder.frameLength(json.readableBytes()));
            SseEncoder.writeFrame(chunk, json);
        } finally {
            json.release();
        }
        send(chunk, true);
    }

    /** One event with {@code value} serialized as JSON; flushed when {@code flush}. */
    public void event(Object value, boolean flush) {
        ByteBuf chunk = open(256);
        try {
            SseEncoder.writeEvent(chunk, value);
        } catch (RuntimeException e) {
            chunk.release();
            throw e;
        }
        send(chunk, flush);
    }

    /** An SSE comment (clients ignore it); flushed. */
    public void comment(String text) {
        send(SseEncoder.writeComment(open(text.length() + 4), text), true);
    }

    /** {@code data: [DONE]}, then the end of the body; flushed. */
    public void done() {
        send(SseEncoder.writeDone(open(16)), false);
        end();
    }

    /** The end of the body (the last chunk, through the encoder); flushed. */
    public void end() {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** A pooled direct buffer for one chunk, its writer index past the room kept for the size line. */
    private ByteBuf open(int eventBytes) {
        ByteBuf buf = ctx.alloc().directBuffer(HEADROOM + eventBytes + 2);
        return buf.writerIndex(HEADROOM);
    }

    /** Fills in the size line and the closing CRLF, and writes the chunk past the encoder. */
    private void send(ByteBuf buf, boolean flush) {
        ByteBuf chunk = close(buf);
        if (chunk == null) {
            if (flush) {
                wire.flush();
            }
            return;
        }
        if (flush) {
            wire.writeAndFlush(chunk, wire.voidPromise());
        } else {
            wire.write(chunk, wire.voidPromise());
        }
    }

    /**
     * Completes the chunk in {@code buf}, whose event bytes start at {@link #HEADROOM}: appends CRLF and
     * writes the size in lowercase hex and CRLF just before the event, then moves the reader index to
     * the first digit. Null (and {@code buf} released) for an empty event, which as a chunk of size 0
     * would end the body.
     */
    static ByteBuf close(ByteBuf buf) {
        int size = buf.writerIndex() - HEADROOM;
        if (size <= 0) {
            buf.release();
            return null;
        }
        buf.writeShort(CRLF);
        int digits = (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4;
        int start = HEADROOM - 2 - digits;
        for (int i = start + digits - 1, v = size; i >= start; i--, v >>>= 4) {
            buf.setByte(i, HEX[v & 0xf]);
        }
        buf.setShort(HEADROOM - 2, CRLF);
        return buf.readerIndex(start);
    }
}
