package io.junction.server.observe;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * An instant at millisecond precision written as {@link Instant#toString()} writes it
 * ({@code 2026-11-22T13:32:35.123Z}, or {@code ...:35Z} on a whole second), into a caller's array:
 * for the access log's {@code ts}, once per line, where {@code Instant.toString} costs a formatter run
 * and a few hundred bytes of garbage. The date and time of the current second are kept and reused.
 */
final class IsoMillis {
    private IsoMillis() {}

    /** The longest text written: {@code yyyy-MM-ddTHH:mm:ss.SSSZ}. */
    static final int MAX_CHARS = 24;

    private static final int SECOND_CHARS = 19;

    /** The last second written, shared by the threads that write (each reads one consistent pair). */
    private record Second(long epochSecond, char[] text) {}

    private static volatile Second last = new Second(Long.MIN_VALUE, new char[0]);

    /**
     * Writes {@code epochMilli} into {@code out} from index 0 and returns the length; {@code out} must
     * hold {@link #MAX_CHARS}. Years outside 1970–9999 (which {@code Instant} writes with a sign or
     * more digits) return -1: the caller uses {@code Instant.toString}.
     */
    static int write(long epochMilli, char[] out) {
        if (epochMilli < 0 || epochMilli >= 253_402_300_800_000L) { // 10000-01-01T00:00:00Z
            return -1;
        }
        long second = epochMilli / 1000;
        int millis = (int) (epochMilli % 1000);
        Second s = last;
        if (s.epochSecond != second) {
            s = new Second(second, secondText(second));
            last = s;
        }
        System.arraycopy(s.text, 0, out, 0, SECOND_CHARS);
        int n = SECOND_CHARS;
        if (millis != 0) {
            out[n++] = '.';
            out[n++] = (char) ('0' + millis / 100);
            out[n++] = (char) ('0' + millis / 10 % 10);
            out[n++] = (char) ('0' + millis % 10);
        }
        out[n++] = 'Z';
        return n;
    }

    private static char[] secondText(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        char[] c = new char[SECOND_CHARS];
        digits(c, 0, t.getYear(), 4);
        c[4] = '-';
        digits(c, 5, t.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, t.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, t.getHour(), 2);
        c[13] = ':';
        digits(c, 14, t.getMinute(), 2);
        c[16] = ':';
        digits(c, 17, t.getSecond(), 2);
        return c;
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
