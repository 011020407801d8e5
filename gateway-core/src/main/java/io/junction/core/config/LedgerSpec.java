package io.junction.core.config;

import java.util.Locale;

/**
 * {@code ledger:} — where the per-request usage records go.
 *
 * @param type {@code sqlite} (default), {@code postgres}, or {@code none} (no ledger; metrics only)
 * @param path SQLite: the database file, created with its directory on first start (default
 *     {@code data/junction-usage.db}, relative to the working directory)
 * @param url PostgreSQL: the JDBC URL ({@code jdbc:postgresql://host:5432/db})
 * @param user PostgreSQL user
 * @param password PostgreSQL password; never logged
 * @param queueSize records waiting to be written; beyond it new records are dropped and counted
 *     (default 10000)
 * @param batchSize most records written in one transaction (default {@value #SQLITE_BATCH} for SQLite, which
 *     runs in Junction's process, and {@value #SERVER_BATCH} for PostgreSQL)
 * @param flushIntervalMs longest a record waits before it is written: also the most a crash can lose
 *     (default 1000)
 */
public record LedgerSpec(
        String type,
        String path,
        String url,
        String user,
        String password,
        Integer queueSize,
        Integer batchSize,
        Long flushIntervalMs) {

    /**
     * SQLite's default batch: a transaction's commit writes its dirty pages at once, on the writer thread
     * that shares the cores with the event loops; smaller commits kept the fixed-rate tail at 8,000 req/s
     * nearer the no-ledger tail, for 2-4% of closed-loop throughput (docs/performance-log.md, "Twelfth
     * session").
     */
    public static final int SQLITE_BATCH = 64;
    /** PostgreSQL's default batch: the server does the work, so a larger batch saves round trips. */
    public static final int SERVER_BATCH = 500;

    public static final LedgerSpec DEFAULTS = new LedgerSpec(null, null, null, null, null, null, null, null);
    public static final LedgerSpec NONE = new LedgerSpec("none", null, null, null, null, null, null, null);

    public LedgerSpec {
        type = type == null || type.isBlank() ? "sqlite" : type.strip().toLowerCase(Locale.ROOT);
        path = path == null || path.isBlank() ? "data/junction-usage.db" : path;
        queueSize = queueSize == null ? 10_000 : queueSize;
        batchSize = batchSize == null ? ("sqlite".equals(type) ? SQLITE_BATCH : SERVER_BATCH) : batchSize;
        flushIntervalMs = flushIntervalMs == null ? 1000L : flushIntervalMs;
    }

    public boolean enabled() {
        return !"none".equals(type);
    }

    @Override
    public String toString() {
        return "LedgerSpec[type=" + type + ", path=" + path + ", url=" + url + ", user=" + user
                + ", password=" + (password == null ? "none" : "<redacted>") + ", queueSize=" + queueSize
                + ", batchSize=" + batchSize + ", flushIntervalMs=" + flushIntervalMs + "]";
    }
}
