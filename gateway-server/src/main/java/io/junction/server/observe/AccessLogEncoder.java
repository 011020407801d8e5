package io.junction.server.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The access log's encoder: the message (one JSON object) and a newline, as UTF-8, in one array. A
 * chat line ({@link AccessLog.Line}) is written by its JSON generator straight into that array. It writes what {@code <pattern>%msg%n</pattern>} writes,
 * without the pattern layout's work per line (a {@code StringBuilder} grown to the line's length, a
 * {@code String} copied out of it, then its bytes): under load that was about a tenth of everything
 * Junction allocated. Use it in a logback appender like any encoder:
 * {@code <encoder class="io.junction.server.observe.AccessLogEncoder"/>}.
 */
public final class AccessLogEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    /**
     * Writes what {@link #encode} returns into {@code out}; a chat line's generator writes into it
     * directly, with no array of its own ({@link AccessLogAppender} passes its batch buffer).
     */
    public void encodeTo(ILoggingEvent event, OutputStream out) throws IOException {
        AccessLog.Line line = chatLine(event);
        if (line != null) {
            line.writeUtf8WithNewline(out);
        } else {
            out.write(encode(event));
        }
    }

    @Override
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, one copy
    public byte[] encode(ILoggingEvent event) {
        AccessLog.Line line = chatLine(event);
        if (line != null) {
            return line.utf8WithNewline(); // the chat lines: written as UTF-8 directly, never a String
        }
        String message = event.getFormattedMessage();
        if (message == null) {
            return new byte[] {'\n'};
        }
        int n = message.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (message.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) { // the common case: one array, no intermediate copy
            byte[] out = new byte[n + 1];
            message.getBytes(0, n, out, 0); // exact for ASCII
            out[n] = '\n';
            return out;
        }
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(utf8, utf8.length + 1);
        out[utf8.length] = '\n';
        return out;
    }

    private static AccessLog.Line chatLine(ILoggingEvent event) {
        Object[] args = event.getArgumentArray();
        return args != null
                        && args.length == 1
                        && args[0] instanceof AccessLog.Line line
                        && "{}".equals(event.getMessage())
                ? line
                : null;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }
}
