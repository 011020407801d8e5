package io.junction.provider.bedrock.eventstream;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decoded eventstream message: its headers, in wire order, and its payload.
 *
 * <p>Header values are typed by their wire type: {@link Boolean} (0, 1), {@link Byte} (2),
 * {@link Short} (3), {@link Integer} (4), {@link Long} (5), {@code byte[]} (6), {@link String} (7),
 * {@link java.time.Instant} (8, a timestamp in milliseconds) and {@link java.util.UUID} (9).
 */
public record EventStreamMessage(Map<String, Object> headers, byte[] payload) {

    public EventStreamMessage {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** The header's value when it is a string header, else null. */
    public String stringHeader(String name) {
        return headers.get(name) instanceof String s ? s : null;
    }

    /** {@code :message-type}: {@code event}, {@code exception} or {@code error}. */
    public String messageType() {
        return stringHeader(":message-type");
    }

    /** {@code :event-type}, the event's member name, e.g. {@code contentBlockDelta}. */
    public String eventType() {
        return stringHeader(":event-type");
    }

    /** {@code :exception-type}, the modeled exception's member name, e.g. {@code throttlingException}. */
    public String exceptionType() {
        return stringHeader(":exception-type");
    }
}
