package io.junction.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LedgerIdsTest {
    private final LedgerIds ids = new LedgerIds();

    @Test
    void idsAreVersion7UuidsCarryingTheRecordsMilliseconds() {
        long ms = 1_763_000_000_123L;
        UUID id = UUID.fromString(ids.next(ms));
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2); // RFC 9562 / 4122 variant
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(ms);
    }

    @Test
    void laterMillisecondsSortAfterEarlierOnesAsText() {
        String previous = ids.next(1_000L);
        for (long ms = 1_001L; ms < 3_000L; ms++) {
            String next = ids.next(ms);
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
    }

    @Test
    void idsInTheSameMillisecondAreDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(ids.next(42L))).isTrue();
        }
    }

    /** A SecureRandom that fills every array with one byte. */
    private static java.security.SecureRandom filling(int b) {
        return new java.security.SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                java.util.Arrays.fill(bytes, (byte) b);
            }
        };
    }

    @Test
    void everyRandomBitComesFromTheGenerator() {
        UUID ones = UUID.fromString(new LedgerIds(filling(0xFF)).next(5L));
        assertThat(ones.getMostSignificantBits() & 0xFFFL).as("rand_a: 12 bits").isEqualTo(0xFFFL);
        assertThat(ones.getLeastSignificantBits())
                .as("rand_b: 62 bits after the variant")
                .isEqualTo(0xBFFF_FFFF_FFFF_FFFFL);
        UUID zeros = UUID.fromString(new LedgerIds(filling(0)).next(5L));
        assertThat(zeros.getMostSignificantBits()).isEqualTo(5L << 16 | 0x7000L);
        assertThat(zeros.getLeastSignificantBits()).isEqualTo(0x8000_0000_0000_0000L);
        UUID mixed = UUID.fromString(new LedgerIds(filling(0xA5)).next(5L));
        assertThat(mixed.getMostSignificantBits() & 0xFFFL).isEqualTo(0xA5AL);
        assertThat(mixed.getLeastSignificantBits())
                .isEqualTo(0xA5A5_A5A5_A5A5_A5A5L & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L);
    }
}
