package io.junction.server.ledger;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Row ids for the ledger: time-ordered UUIDs (version 7, RFC 9562), so a batch of new rows lands at
 * one end of the primary-key index instead of at random places in it.
 *
 * <p>With random (version 4) ids every insert dirtied its own index page somewhere in an index that
 * grows without bound: once the index no longer fit SQLite's page cache, each row cost a page read
 * and a page written to the WAL, and the ledger thread became the largest CPU consumer under load
 * (docs/performance-log.md, "What the profile showed at `1dd9f52`"). Ids stay UUIDs, so the schema and existing rows are
 * untouched.
 *
 * <p>Layout: 48 bits of the record's epoch milliseconds, the version, 12 random bits, the variant,
 * 62 random bits. Not thread-safe: the ledger has one writer thread.
 */
final class LedgerIds {
    private final SecureRandom random;

    LedgerIds() {
        this(new SecureRandom());
    }

    LedgerIds(SecureRandom random) {
        this.random = random;
    }

    private final byte[] bits = new byte[10]; // 74 random bits a row, drawn into one reused array

    /** A version-7 UUID for a record written at {@code epochMs}. */
    String next(long epochMs) {
        random.nextBytes(bits); // SecureRandom.nextInt/nextLong would each allocate an array for their bytes
        long randA = ((bits[0] & 0xFFL) << 4 | (bits[1] & 0xF0L) >>> 4); // 12 bits
        long randB = 0;
        for (int i = 2; i < 10; i++) {
            randB = randB << 8 | (bits[i] & 0xFFL);
        }
        long msb = ((epochMs & 0xFFFF_FFFF_FFFFL) << 16) | 0x7000L | randA;
        long lsb = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
