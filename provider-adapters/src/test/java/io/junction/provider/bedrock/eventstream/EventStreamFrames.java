package io.junction.provider.bedrock.eventstream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/** Builds eventstream messages for tests (string headers only), with correct CRCs. */
public final class EventStreamFrames {
    private EventStreamFrames() {}

    /** One message with string headers, in the map's order. */
    public static byte[] frame(Map<String, String> headers, byte[] payload) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = e.getValue().getBytes(StandardCharsets.UTF_8);
            h.write(name.length);
            h.writeBytes(name);
            h.write(7);
            h.write(value.length >> 8);
            h.write(value.length & 0xff);
            h.writeBytes(value);
        }
        return frame(h.toByteArray(), payload);
    }

    /** One message from raw header bytes. */
    public static byte[] frame(byte[] headers, byte[] payload) {
        int total = 16 + headers.length + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(headers.length);
        b.putInt((int) crc(b.array(), 0, 8));
        b.put(headers).put(payload);
        b.putInt((int) crc(b.array(), 0, total - 4));
        return b.array();
    }

    /** A {@code :message-type event} message, headers in the order Bedrock sends them. */
    public static byte[] event(String eventType, String json) {
        return frame(
                Map.of(":event-type", eventType, ":content-type", "application/json", ":message-type", "event")
                        .entrySet()
                        .stream()
                        .sorted((a, c) -> order(a.getKey()) - order(c.getKey()))
                        .collect(java.util.stream.Collectors.toMap(
                                Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, java.util.LinkedHashMap::new)),
                json.getBytes(StandardCharsets.UTF_8));
    }

    /** A modeled exception message ({@code :message-type exception}). */
    public static byte[] exception(String exceptionType, String json) {
        java.util.LinkedHashMap<String, String> h = new java.util.LinkedHashMap<>();
        h.put(":exception-type", exceptionType);
        h.put(":content-type", "application/json");
        h.put(":message-type", "exception");
        return frame(h, json.getBytes(StandardCharsets.UTF_8));
    }

    /** An unmodeled error message ({@code :message-type error}), which has no payload. */
    public static byte[] error(String code, String message) {
        java.util.LinkedHashMap<String, String> h = new java.util.LinkedHashMap<>();
        h.put(":error-code", code);
        h.put(":error-message", message);
        h.put(":message-type", "error");
        return frame(h, new byte[0]);
    }

    private static int order(String header) {
        return switch (header) {
            case ":event-type" -> 0;
            case ":content-type" -> 1;
            default -> 2;
        };
    }

    private static long crc(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return c.getValue();
    }
}
