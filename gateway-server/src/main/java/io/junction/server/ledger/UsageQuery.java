package io.junction.server.ledger;

import io.junction.core.error.GatewayException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /admin/usage?from=&to=&group_by=}: a half-open time range {@code [from, to)} in epoch
 * milliseconds, and the grouping. {@code from}/{@code to} accept an ISO-8601 instant
 * ({@code 2026-11-01T00:00:00Z}), a UTC date ({@code 2026-11-01}, its midnight) or epoch
 * milliseconds; defaults are the last 30 days up to now. {@code group_by} is one of {@code key},
 * {@code model}, {@code provider}, {@code tag}, {@code day} (default {@code key}).
 */
public record UsageQuery(long fromMs, long toMs, GroupBy groupBy) {

    public enum GroupBy {
        KEY("key_name"),
        MODEL("model_used"),
        PROVIDER("provider"),
        TAG("tag"),
        DAY("day");

        final String column;

        GroupBy(String column) {
            this.column = column;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final long DEFAULT_RANGE_MS = 30L * 24 * 3600 * 1000;

    public static UsageQuery parse(Map<String, List<String>> params, long nowMs) {
        long to = time(params, "to", nowMs);
        long from = time(params, "from", to - DEFAULT_RANGE_MS);
        if (from > to) {
            throw GatewayException.invalidRequest("from", "'from' must not be after 'to'.");
        }
        String g = first(params, "group_by");
        GroupBy groupBy = GroupBy.KEY;
        if (g != null) {
            try {
                groupBy = GroupBy.valueOf(g.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalidRequest(
                        "group_by", "Invalid group_by '" + g + "': use key, model, provider, tag or day.");
            }
        }
        return new UsageQuery(from, to, groupBy);
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() || v.get(0).isBlank() ? null : v.get(0);
    }

    private static long time(Map<String, List<String>> params, String name, long fallback) {
        String v = first(params, name);
        if (v == null) {
            return fallback;
        }
        v = v.strip();
        try {
            if (v.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(v);
            }
            if (v.length() == 10) {
                return LocalDate.parse(v)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .toEpochMilli();
            }
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw GatewayException.invalidRequest(
                    name,
                    "Invalid '" + name + "': expected an ISO-8601 instant (2026-11-01T00:00:00Z), a date"
                            + " (2026-11-01) or epoch milliseconds.");
        }
    }
}
