package io.junction.provider.bedrock.eventstream;

/** The bytes are not a well-formed {@code application/vnd.amazon.eventstream}: bad CRC, length or header. */
public final class EventStreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EventStreamException(String message) {
        super(message, null, false, false);
    }
}
