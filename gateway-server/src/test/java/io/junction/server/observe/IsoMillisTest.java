package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link IsoMillis} against {@link Instant#toString()}, which it stands in for. */
class IsoMillisTest {
    private static String write(long ms) {
        char[] out = new char[IsoMillis.MAX_CHARS];
        int n = IsoMillis.write(ms, out);
        return n < 0 ? null : new String(out, 0, n);
    }

    @Test
    void writesWhatInstantWrites() {
        long[] edges = {
            0,
            1,
            999,
            1000,
            1001,
            59_999,
            60_000,
            86_399_999,
            86_400_000,
            951_782_400_000L, // 2000-02-29
            1_795_350_755_123L,
            1_795_350_755_000L,
            1_795_350_755_010L,
            4_102_444_799_999L,
            253_402_300_799_999L
        };
        for (long ms : edges) {
            assertThat(write(ms))
                    .as("%d", ms)
                    .isEqualTo(Instant.ofEpochMilli(ms).toString());
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            // mostly nearby instants (the cached second reused and replaced), some anywhere up to 9999
            long ms = i % 4 == 0 ? random.nextLong(253_402_300_800_000L) : 1_795_350_755_000L + random.nextLong(5_000);
            assertThat(write(ms))
                    .as("%d", ms)
                    .isEqualTo(Instant.ofEpochMilli(ms).toString());
        }
    }

    @Test
    void refusesWhatInstantWritesOtherwise() {
        assertThat(write(-1)).isNull();
        assertThat(write(253_402_300_800_000L)).isNull(); // +10000-01-01T00:00:00Z
    }
}
