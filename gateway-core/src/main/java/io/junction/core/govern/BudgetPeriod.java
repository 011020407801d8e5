package io.junction.core.govern;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * A budget period: fixed windows of {@code <n>h} or {@code <n>d} counted from the Unix epoch in UTC
 * (so every replica agrees on the window without talking), or the calendar month in UTC. A window
 * is {@code [start, end)}; spend resets at {@code end}.
 */
public final class BudgetPeriod {
    /** One window: {@code [startMs, endMs)} in epoch milliseconds. */
    public record Window(long startMs, long endMs) {
        public long remainingMs(long nowMs) {
            return Math.max(0, endMs - nowMs);
        }
    }

    private final String text;
    /** Window length, or 0 for the calendar month. */
    private final long lengthMs;

    private BudgetPeriod(String text, long lengthMs) {
        this.text = text;
        this.lengthMs = lengthMs;
    }

    /** Parses {@code month}, {@code <n>h} or {@code <n>d}; throws with a message naming the problem. */
    public static BudgetPeriod parse(String s) {
        String t = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
        if (t.equals("month") || t.equals("monthly")) {
            return new BudgetPeriod("month", 0);
        }
        if (t.length() >= 2) {
            char unit = t.charAt(t.length() - 1);
            long n;
            try {
                n = Long.parseLong(t.substring(0, t.length() - 1));
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n > 0 && n <= 3660 && (unit == 'h' || unit == 'd')) {
                return new BudgetPeriod(t, n * (unit == 'h' ? 3_600_000L : 86_400_000L));
            }
        }
        throw new IllegalArgumentException(
                "invalid period '" + s + "': expected month, <n>h or <n>d (e.g. 1h, 1d, 7d, 30d)");
    }

    /** The window holding {@code nowMs}. */
    public Window window(long nowMs) {
        if (lengthMs > 0) {
            long start = Math.floorDiv(nowMs, lengthMs) * lengthMs;
            return new Window(start, start + lengthMs);
        }
        LocalDate d = Instant.ofEpochMilli(nowMs).atZone(ZoneOffset.UTC).toLocalDate();
        ZonedDateTime start = d.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC);
        return new Window(
                start.toInstant().toEpochMilli(),
                start.plusMonths(1).toInstant().toEpochMilli());
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BudgetPeriod p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
