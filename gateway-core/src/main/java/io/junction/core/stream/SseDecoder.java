package io.junction.core.stream;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental {@code text/event-stream} parser (WHATWG HTML, "event stream interpretation").
 *
 * <p>Lines end in CRLF, LF or CR, also when the CR and LF arrive in different buffers. Lines starting
 * with {@code :} are comments. Several {@code data:} lines join with {@code \n}. A blank line
 * dispatches the event; an event with no data is not dispatched. One instance per stream; not
 * thread-safe. Lines are found with a bulk scan ({@link ByteProcessor#FIND_CRLF}) and copied in bulk;
 * per event the only allocation is the payload array handed to the listener, and none for a listener
 * that reads the payload in place ({@link InPlaceListener}).
 */
public final class SseDecoder {

    /** Receives each complete event. {@code event} is null when the stream gave no {@code event:} field. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(String event, byte[] data);
    }

    /**
     * A listener that reads each payload in place, in the decoder's own buffer: {@code data[0,
     * length)}, valid only during the call. Saves the per-event copy.
     */
    public interface InPlaceListener extends Listener {
        void onEvent(String event, byte[] data, int length);
    }

    private static final int MAX_KEPT = 64 * 1024; // buffers larger than this are not kept between events

    private byte[] line = new byte[256];
    private int lineLength;
    private byte[] data = new byte[512];
    private int dataLength;
    private boolean hasData;
    private String event;
    private boolean lastWasCr;

    public void decode(ByteBuf in, Listener listener) {
        int end = in.writerIndex();
        int i = in.readerIndex();
        while (i < end) {
            if (lastWasCr) {
                lastWasCr = false;
                if (in.getByte(i) == '\n') {
                    i++; // second half of CRLF: the line already ended at CR
                    continue;
                }
            }
            int eol = in.forEachByte(i, end - i, ByteProcessor.FIND_CRLF);
            if (eol < 0) {
                appendLine(in, i, end - i);
                break;
            }
            appendLine(in, i, eol - i);
            lastWasCr = in.getByte(eol) == '\r';
            i = eol + 1;
            endLine(listener);
        }
        in.readerIndex(end);
    }

    /**
     * The body ended. A last event without its closing blank line is still dispatched: some servers
     * omit it, and dropping the final chunk would lose data.
     */
    public void finish(Listener listener) {
        if (lineLength > 0) {
            endLine(listener);
        }
        dispatch(listener);
    }

    private void appendLine(ByteBuf in, int from, int length) {
        if (length == 0) {
            return;
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
        }
        in.getBytes(from, line, lineLength, length);
        lineLength += length;
    }

    private void endLine(Listener listener) {
        int length = lineLength;
        lineLength = 0;
        if (line.length > MAX_KEPT) {
            // keep the bytes of this line, but do not hold a huge buffer for the rest of the stream
            byte[] big = line;
            line = new byte[256];
            field(big, length, listener);
            return;
        }
        field(line, length, listener);
    }

    private void field(byte[] bytes, int length, Listener listener) {
        if (length == 0) {
            dispatch(listener);
            return;
        }
        if (bytes[0] == ':') {
            return; // comment
        }
        int colon = indexOf(bytes, length, (byte) ':');
        int nameEnd = colon < 0 ? length : colon;
        int valueStart = colon < 0 ? length : colon + 1;
        if (valueStart < length && bytes[valueStart] == ' ') {
            valueStart++;
        }
        if (is(bytes, nameEnd, DATA)) {
            int n = length - valueStart;
            int need = dataLength + n + (hasData ? 1 : 0);
            if (need > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, need));
            }
            if (hasData) {
                data[dataLength++] = '\n';
            }
            System.arraycopy(bytes, valueStart, data, dataLength, n);
            dataLength += n;
            hasData = true;
        } else if (is(bytes, nameEnd, EVENT)) {
            event = new String(bytes, valueStart, length - valueStart, StandardCharsets.UTF_8);
        }
        // id, retry and unknown fields do not matter to a relay of LLM streams
    }

    private void dispatch(Listener listener) {
        if (hasData) {
            String name = event;
            event = null;
            hasData = false;
            if (listener instanceof InPlaceListener inPlace) {
                byte[] buffer = data;
                int length = dataLength;
                dataLength = 0;
                if (data.length > MAX_KEPT) {
                    data = new byte[512];
                }
                inPlace.onEvent(name, buffer, length);
                return;
            }
            byte[] payload = Arrays.copyOf(data, dataLength);
            dataLength = 0;
            if (data.length > MAX_KEPT) {
                data = new byte[512];
            }
            listener.onEvent(name, payload);
        } else {
            event = null;
        }
    }

    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};

    private static boolean is(byte[] bytes, int length, byte[] name) {
        return length == name.length && Arrays.equals(bytes, 0, length, name, 0, length);
    }

    private static int indexOf(byte[] bytes, int length, byte b) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
