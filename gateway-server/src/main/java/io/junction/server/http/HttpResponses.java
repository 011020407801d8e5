package io.junction.server.http;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Small helpers to write complete responses. */
public final class HttpResponses {
    public static final String REQUEST_ID = "x-request-id";

    /** The content type of an SSE answer; an {@code AsciiString}, which the encoder copies in one go. */
    public static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream; charset=utf-8");

    private HttpResponses() {}

    public static FullHttpResponse json(int status, byte[] body, String requestId) {
        return full(status, body, HttpHeaderValues.APPLICATION_JSON, requestId);
    }

    public static FullHttpResponse full(int status, byte[] body, CharSequence contentType, String requestId) {
        return full(status, Unpooled.wrappedBuffer(body), contentType, requestId);
    }

    /** A JSON response whose body is already in a buffer (owned by the response from now on). */
    public static FullHttpResponse json(int status, ByteBuf body, String requestId) {
        return full(status, body, HttpHeaderValues.APPLICATION_JSON, requestId);
    }

    /** Room for the headers of a chat answer (type, length, id, routing, cost, overhead) before growing. */
    private static final int RESPONSE_HEADERS = 12;

    private static FullHttpResponse full(int status, ByteBuf body, CharSequence contentType, String requestId) {
        // no trailers on a response with a content-length: the shared empty set, not a map per response
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                body,
                new FlatHttpHeaders(RESPONSE_HEADERS),
                EmptyHttpHeaders.INSTANCE);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (requestId != null) {
            r.headers().set(REQUEST_ID, requestId);
        }
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    /**
     * {@code value} as JSON, written straight into a direct buffer from {@code alloc} (pooled in the
     * server): no intermediate {@code byte[]}, and nothing for the socket to copy again.
     */
    public static ByteBuf jsonBuffer(ByteBufAllocator alloc, Object value) {
        ByteBuf buf = alloc.directBuffer(1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            Json.MAPPER.writeValue((OutputStream) out, value);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        return buf;
    }

    private static final byte[] EXTRA_FIELDS_MEMBER = ",\"extra_fields\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@code json} (a JSON object, as an upstream sent it) with an {@code extra_fields} member added
     * before its closing brace, in a new pooled buffer; {@code json} is not released. Null when the
     * bytes do not end in '}', so the caller re-encodes instead. The caller makes sure the object has
     * no top-level {@code extra_fields} member already (the parsed answer tells). Everything the
     * upstream sent is kept as sent: member order, nulls, unknown fields, number spellings.
     */
    public static ByteBuf withExtraFields(ByteBufAllocator alloc, ByteBuf json, Object extraFields) {
        int start = json.readerIndex();
        int end = json.writerIndex() - 1;
        while (end >= start && isJsonWhitespace(json.getByte(end))) {
            end--;
        }
        if (end <= start || json.getByte(end) != '}') {
            return null;
        }
        int head = end - start; // everything before the closing brace
        int last = end - 1;
        while (last > start && isJsonWhitespace(json.getByte(last))) {
            last--;
        }
        boolean empty = json.getByte(last) == '{';
        ByteBuf out = alloc.directBuffer(head + 512);
        try {
            out.writeBytes(json, start, head);
            out.writeBytes(EXTRA_FIELDS_MEMBER, empty ? 1 : 0, EXTRA_FIELDS_MEMBER.length - (empty ? 1 : 0));
            try (ByteBufOutputStream os = new ByteBufOutputStream(out)) {
                Json.MAPPER.writeValue((OutputStream) os, extraFields);
            }
            out.writeByte('}');
            return out;
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    public static FullHttpResponse error(GatewayException e, String requestId) {
        FullHttpResponse r = json(e.status(), Json.bytes(e.toBody()), requestId);
        if (e.retryAfter() != null && (e.status() == 429 || e.status() == 503)) {
            r.headers()
                    .set(
                            HttpHeaderNames.RETRY_AFTER,
                            Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        }
        return r;
    }

    /** Writes an error and closes the connection: for requests whose body was not (fully) read. */
    public static void errorAndClose(ChannelHandlerContext ctx, GatewayException e, String requestId) {
        FullHttpResponse r = error(e, requestId);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The client's {@code x-request-id} when it is sane, else a fresh one. */
    public static String requestId(String fromClient) {
        if (fromClient != null && !fromClient.isEmpty() && fromClient.length() <= 200 && printable(fromClient)) {
            return fromClient;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] id = new byte[4 + 32];
        id[0] = 'r';
        id[1] = 'e';
        id[2] = 'q';
        id[3] = '_';
        hex(r.nextLong() | Long.MIN_VALUE, id, 4); // 16 digits each: the top bit set, as before
        hex(r.nextLong() | Long.MIN_VALUE, id, 20);
        return new String(id, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private static void hex(long v, byte[] into, int at) {
        for (int i = 15; i >= 0; i--) {
            into[at + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
