package io.junction.core.stream;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Incremental {@code text/event-stream} parser (WHATWG HTML, "event stream interpretation").
 *
 * <p>Lines end in CRLF, LF or CR, also when the CR and LF arrive in different buffers. Lines starting
 * with {@code :} are comments. Several {@code data:} lines join with {@code \n}. A blank line
 * dispatches the event; an event with no data is not dispatched. One instance per stream; not
 * thread-safe.
 */
public final class SseDecoder {

    /** Receives each complete event. {@code event} is null when the stream gave no {@code event:} field. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(String event, byte[] data);
    }

    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final ByteArrayOutputStream data = new ByteArrayOutputStream(512);
    private boolean hasData;
    private String event;
    private boolean lastWasCr;

    public void decode(ByteBuf in, Listener listener) {
        int end = in.writerIndex();
        for (int i = in.readerIndex(); i < end; i++) {
            byte b = in.getByte(i);
            if (b == '\n') {
                if (lastWasCr) {
                    lastWasCr = false; // second half of CRLF: the line already ended at CR
                    continue;
                }
                endLine(listener);
            } else if (b == '\r') {
                lastWasCr = true;
                endLine(listener);
            } else {
                lastWasCr = false;
                line.write(b);
            }
        }
        in.readerIndex(end);
    }

    /**
     * The body ended. A last event without its closing blank line is still dispatched: some servers
     * omit it, and dropping the final chunk would lose data.
     */
    public void finish(Listener listener) {
        if (line.size() > 0) {
            endLine(listener);
        }
        dispatch(listener);
    }

    private void endLine(Listener listener) {
        if (line.size() == 0) {
            dispatch(listener);
            return;
        }
        byte[] bytes = line.toByteArray();
        line.reset();
        if (bytes[0] == ':') {
            return; // comment
        }
        int colon = indexOf(bytes, (byte) ':');
        String field;
        int valueStart;
        if (colon < 0) {
            field = new String(bytes, StandardCharsets.UTF_8);
            valueStart = bytes.length;
        } else {
            field = new String(bytes, 0, colon, StandardCharsets.UTF_8);
            valueStart = colon + 1;
            if (valueStart < bytes.length && bytes[valueStart] == ' ') {
                valueStart++;
            }
        }
        switch (field) {
            case "data" -> {
                if (hasData) {
                    data.write('\n');
                }
                data.write(bytes, valueStart, bytes.length - valueStart);
                hasData = true;
            }
            case "event" -> event = new String(bytes, valueStart, bytes.length - valueStart, StandardCharsets.UTF_8);
            default -> {
                // id, retry and unknown fields do not matter to a relay of LLM streams
            }
        }
    }

    private void dispatch(Listener listener) {
        if (hasData) {
            byte[] payload = data.toByteArray();
            String name = event;
            data.reset();
            hasData = false;
            event = null;
            listener.onEvent(name, payload);
        } else {
            event = null;
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
