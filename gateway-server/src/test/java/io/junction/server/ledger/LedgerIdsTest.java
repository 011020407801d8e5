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
}
