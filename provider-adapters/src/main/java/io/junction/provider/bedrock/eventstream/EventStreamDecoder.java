package io.junction.provider.bedrock.eventstream;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Incremental decoder of {@code application/vnd.amazon.eventstream} (the framing of AWS event
 * streams such as Bedrock's ConverseStream). One instance per stream; not thread-safe.
 *
 * <p>A message is {@code total_length u32 | headers_length u32 | prelude_crc u32 | headers | payload |
 * message_crc u32}, all big-endian; both CRCs are CRC-32 (IEEE), the first over bytes [0,8), the
 * second over every byte before it. Frames may be split across {@link #decode} calls in any way:
 * bytes are copied into a heap buffer until a whole message is present, so the decoder never holds a
 * reference-counted buffer. The prelude CRC is checked as soon as 12 bytes are there, so a corrupted
 * length is reported at once instead of waiting for a message that will never end. Any violation
 * throws {@link EventStreamException}; the decoder is then unusable.
 */
public final class EventStreamDecoder {
    /** botocore's limits: headers at most 128 KiB, payload at most 24 MiB. */
    public static final int MAX_HEADERS_LENGTH = 128 * 1024;

    public static final int MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024;

    private static final int PRELUDE = 12;
    private static final int MIN_MESSAGE = PRELUDE + 4;

    private byte[] buf = new byte[1024];
    private int start;
    private int end;
    private boolean failed;

    /** Decodes every complete message in {@code in} (and what was buffered before); consumes all of {@code in}. */
    public void decode(ByteBuf in, Consumer<EventStreamMessage> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            throw new EventStreamException("the stream already failed");
        }
        int n = in.readableBytes();
        ensureRoom(n);
        in.readBytes(buf, end, n);
        end += n;
        try {
            drain(out);
        } catch (EventStreamException e) {
            failed = true;
            throw e;
        }
    }

    /** Bytes received that are not yet a whole message. */
    public int pendingBytes() {
        return end - start;
    }

    private void drain(Consumer<EventStreamMessage> out) {
        while (end - start >= PRELUDE) {
            long total = u32(start);
            long headersLength = u32(start + 4);
            long preludeCrc = u32(start + 8);
            if (crc(start, 8) != preludeCrc) {
                throw new EventStreamException("prelude CRC mismatch");
            }
            if (headersLength > MAX_HEADERS_LENGTH) {
                throw new EventStreamException("headers length " + headersLength + " exceeds " + MAX_HEADERS_LENGTH);
            }
            if (total < MIN_MESSAGE + headersLength) {
                throw new EventStreamException(
                        "total length " + total + " is too short for " + headersLength + " bytes of headers");
            }
            long payloadLength = total - headersLength - MIN_MESSAGE;
            if (payloadLength > MAX_PAYLOAD_LENGTH) {
                throw new EventStreamException("payload length " + payloadLength + " exceeds " + MAX_PAYLOAD_LENGTH);
            }
            int length = (int) total;
            if (end - start < length) {
                ensureRoom(length - (end - start));
                return;
            }
            long messageCrc = u32(start + length - 4);
            if (crc(start, length - 4) != messageCrc) {
                throw new EventStreamException("message CRC mismatch");
            }
            Map<String, Object> headers = headers(start + PRELUDE, (int) headersLength);
            int payloadStart = start + PRELUDE + (int) headersLength;
            byte[] payload = Arrays.copyOfRange(buf, payloadStart, payloadStart + (int) payloadLength);
            start += length;
            if (start == end) {
                start = 0;
                end = 0;
            }
            out.accept(new EventStreamMessage(headers, payload));
        }
    }

    private Map<String, Object> headers(int from, int length) {
        Map<String, Object> headers = new LinkedHashMap<>();
        int p = from;
        int limit = from + length;
        while (p < limit) {
            int nameLength = buf[p++] & 0xff;
            need(p, nameLength + 1, limit);
            String name = new String(buf, p, nameLength, StandardCharsets.UTF_8);
            p += nameLength;
            int type = buf[p++] & 0xff;
            Object value;
            switch (type) {
                case 0 -> value = Boolean.TRUE;
                case 1 -> value = Boolean.FALSE;
                case 2 -> {
                    need(p, 1, limit);
                    value = buf[p];
                    p += 1;
                }
                case 3 -> {
                    need(p, 2, limit);
                    value = (short) (((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff));
                    p += 2;
                }
                case 4 -> {
                    need(p, 4, limit);
                    value = (int) u32(p);
                    p += 4;
                }
                case 5, 8 -> {
                    need(p, 8, limit);
                    long v = (u32(p) << 32) | u32(p + 4);
                    value = type == 5 ? (Object) v : Instant.ofEpochMilli(v);
                    p += 8;
                }
                case 6, 7 -> {
                    need(p, 2, limit);
                    int len = ((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff);
                    p += 2;
                    need(p, len, limit);
                    value = type == 6
                            ? Arrays.copyOfRange(buf, p, p + len)
                            : new String(buf, p, len, StandardCharsets.UTF_8);
                    p += len;
                }
                case 9 -> {
                    need(p, 16, limit);
                    long hi = (u32(p) << 32) | u32(p + 4);
                    long lo = (u32(p + 8) << 32) | u32(p + 12);
                    value = new UUID(hi, lo);
                    p += 16;
                }
                default -> throw new EventStreamException("unknown header value type " + type + " for '" + name + "'");
            }
            if (headers.put(name, value) != null) {
                throw new EventStreamException("duplicate header '" + name + "'");
            }
        }
        return headers;
    }

    private static void need(int p, int n, int limit) {
        if (p + n > limit) {
            throw new EventStreamException("header runs past the headers section");
        }
    }

    private long u32(int i) {
        return ((long) (buf[i] & 0xff) << 24)
                | ((buf[i + 1] & 0xff) << 16)
                | ((buf[i + 2] & 0xff) << 8)
                | (buf[i + 3] & 0xff);
    }

    private long crc(int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(buf, from, length);
        return crc.getValue();
    }

    /** Makes room for {@code more} bytes after {@code end}, compacting or growing the buffer. */
    private void ensureRoom(int more) {
        if (buf.length - end >= more) {
            return;
        }
        int used = end - start;
        if (start > 0 && buf.length - used >= more) {
            System.arraycopy(buf, start, buf, 0, used);
        } else {
            byte[] bigger = new byte[Math.max(buf.length * 2, used + more)];
            System.arraycopy(buf, start, bigger, 0, used);
            buf = bigger;
        }
        start = 0;
        end = used;
    }
}
