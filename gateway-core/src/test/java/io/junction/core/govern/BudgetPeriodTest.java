package io.junction.core.govern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BudgetPeriodTest {
    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void dailyWindowsAreUtcDays() {
        BudgetPeriod.Window w = BudgetPeriod.parse("1d").window(at("2026-11-22T17:45:00Z"));
        assertThat(w.startMs()).isEqualTo(at("2026-11-22T00:00:00Z"));
        assertThat(w.endMs()).isEqualTo(at("2026-11-23T00:00:00Z"));
        assertThat(w.remainingMs(at("2026-11-22T23:00:00Z"))).isEqualTo(3_600_000);
    }

    @Test
    void hourlyWindowBoundaryBelongsToTheNextWindow() {
        BudgetPeriod p = BudgetPeriod.parse("1h");
        long boundary = at("2026-11-22T18:00:00Z");
        assertThat(p.window(boundary - 1).endMs()).isEqualTo(boundary);
        assertThat(p.window(boundary).startMs()).isEqualTo(boundary);
    }

    @Test
    void sevenAndThirtyDayWindowsAreFixedFromTheEpoch() {
        long now = at("2026-11-22T12:00:00Z");
        BudgetPeriod.Window w7 = BudgetPeriod.parse("7d").window(now);
        assertThat(w7.startMs() % (7 * 86_400_000L)).isZero();
        assertThat(w7.endMs() - w7.startMs()).isEqualTo(7 * 86_400_000L);
        assertThat(now).isBetween(w7.startMs(), w7.endMs() - 1);
        BudgetPeriod.Window w30 = BudgetPeriod.parse("30d").window(now);
        assertThat(w30.endMs() - w30.startMs()).isEqualTo(30 * 86_400_000L);
    }

    @Test
    void monthIsTheCalendarMonthInUtc() {
        BudgetPeriod p = BudgetPeriod.parse("month");
        BudgetPeriod.Window feb = p.window(at("2028-02-29T23:59:59Z"));
        assertThat(feb.startMs()).isEqualTo(at("2028-02-01T00:00:00Z"));
        assertThat(feb.endMs()).isEqualTo(at("2028-03-01T00:00:00Z"));
        BudgetPeriod.Window dec = p.window(at("2026-12-31T10:00:00Z"));
        assertThat(dec.endMs()).isEqualTo(at("2027-01-01T00:00:00Z"));
    }

    @Test
    void badPeriodsAreRefusedWithTheAccepedForms() {
        for (String bad : new String[] {"", "week", "0d", "-1h", "1m", "1.5d", null}) {
            assertThatThrownBy(() -> BudgetPeriod.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected month, <n>h or <n>d");
        }
    }
}
