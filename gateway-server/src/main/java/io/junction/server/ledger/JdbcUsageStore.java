package io.junction.server.ledger;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import io.junction.core.pricing.Cost;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.junction.server.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger in a SQL database over JDBC: SQLite (a file, created with its directory on first start,
 * WAL journal) or PostgreSQL. The schema uses only types and statements both accept, so one set of
 * SQL serves both; it is created or migrated on open ({@code junction_schema.version}).
 *
 * <p>Schema v1: {@code usage_record} (one row per request; {@code uid} is a time-ordered UUID primary key ({@link LedgerIds}),
 * {@code ts_ms} epoch milliseconds, {@code day} its UTC date, token columns, cost columns in USD
 * (NULL when unpriced), flags as 0/1 integers, {@code tags} and {@code labels} as JSON text) and
 * {@code usage_tag} (one row per tag of a request, for {@code group_by=tag}). Schema v2 adds
 * {@code usage_record.cache_hit} (0/1, default 0: rows written before v2 were never hits).
 *
 * <p>Connections: the writer keeps one connection (reopened after a failure), used only by the
 * recorder's thread; each aggregate query opens its own.
 */
public final class JdbcUsageStore implements UsageStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcUsageStore.class);
    static final int SCHEMA_VERSION = 2;

    /** Opens connections; each call returns a new one. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final String description;
    private final boolean sqlite;
    private final Connector connector;
    private Connection writer;
    private final LedgerIds ids = new LedgerIds(); // writer thread only

    /**
     * SQLite rows inserted between two offers of the CPU ({@link Thread#yield}) within a batch's
     * transaction. SQLite works in this process: a 500-row batch held a core for ~4 ms, and an event
     * loop woken behind it waited that long (the kernel lets the running thread finish its slice):
     * at 3,000 requests per second, clusters of slow requests every 500 records
     * (docs/performance-log.md, "Ninth session"). 32 rows are ~0.25 ms. PostgreSQL does its work in its
     * own process, so its batches go in one statement.
     */
    static final int ROWS_PER_SLICE = 32;

    private final int rowsPerSlice;
    private BooleanSupplier offerCpu = () -> true;

    private JdbcUsageStore(String description, boolean sqlite, Connector connector) throws SQLException {
        this.description = description;
        this.sqlite = sqlite;
        this.rowsPerSlice = sqlite ? ROWS_PER_SLICE : Integer.MAX_VALUE;
        this.connector = connector;
        migrate();
    }

    /** A SQLite ledger in {@code file}; the file and its parent directories are created if missing. */
    public static JdbcUsageStore sqlite(Path file) throws SQLException {
        Path abs = file.toAbsolutePath();
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the ledger directory " + abs.getParent(), e);
        }
        String url = "jdbc:sqlite:" + abs;
        return new JdbcUsageStore("sqlite " + abs, true, () -> {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
            }
            return c;
        });
    }

    /** A PostgreSQL ledger at a {@code jdbc:postgresql:} URL. */
    public static JdbcUsageStore postgres(String url, String user, String password) throws SQLException {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("ledger.url: expected jdbc:postgresql://host:port/database");
        }
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "junction-ledger");
        // A batch becomes multi-row INSERTs instead of one execution per row: ~25% less time per row
        // for the server (docs/performance-log.md, "Eleventh session"). A URL parameter overrides it.
        props.setProperty("reWriteBatchedInserts", "true");
        String shown = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        return new JdbcUsageStore("postgres " + shown, false, () -> DriverManager.getConnection(url, props));
    }

    @Override
    public String describe() {
        return description;
    }

    private void migrate() throws SQLException {
        try (Connection c = connector.open();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS junction_schema (version INTEGER NOT NULL)");
            int version = 0;
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM junction_schema")) {
                if (rs.next()) {
                    version = rs.getInt(1);
                }
            }
            if (version > SCHEMA_VERSION) {
                throw new SQLException("the ledger's schema is version " + version + ", newer than this Junction ("
                        + SCHEMA_VERSION + "): upgrade Junction or use another ledger");
            }
            c.setAutoCommit(false);
            try {
                if (version < 1) {
                    for (String ddl : V1) {
                        s.execute(ddl);
                    }
                    s.execute("INSERT INTO junction_schema (version) VALUES (1)");
                }
                if (version < 2) {
                    for (String ddl : V2) {
                        s.execute(ddl);
                    }
                    s.execute("INSERT INTO junction_schema (version) VALUES (2)");
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static final String[] V1 = {
        """
        CREATE TABLE IF NOT EXISTS usage_record (
          uid TEXT PRIMARY KEY,
          request_id TEXT NOT NULL,
          ts_ms BIGINT NOT NULL,
          day TEXT NOT NULL,
          key_name TEXT,
          model_requested TEXT,
          model_used TEXT,
          provider TEXT,
          prompt_tokens BIGINT NOT NULL,
          completion_tokens BIGINT NOT NULL,
          cached_tokens BIGINT NOT NULL,
          cache_write_tokens BIGINT NOT NULL,
          reasoning_tokens BIGINT NOT NULL,
          cost_input DOUBLE PRECISION,
          cost_cached_input DOUBLE PRECISION,
          cost_cache_write DOUBLE PRECISION,
          cost_output DOUBLE PRECISION,
          cost_total DOUBLE PRECISION,
          usage_estimated INTEGER NOT NULL,
          latency_ms BIGINT NOT NULL,
          ttft_ms BIGINT,
          overhead_us BIGINT,
          status INTEGER NOT NULL,
          error_type TEXT NOT NULL,
          attempts INTEGER NOT NULL,
          stream INTEGER NOT NULL,
          session_id TEXT,
          tags TEXT,
          labels TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS usage_record_ts ON usage_record (ts_ms)",
        "CREATE TABLE IF NOT EXISTS usage_tag (uid TEXT NOT NULL, ts_ms BIGINT NOT NULL, tag TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS usage_tag_ts ON usage_tag (ts_ms, tag)"
    };

    /** v2, the response cache: hits are billed nothing and marked. */
    private static final String[] V2 = {"ALTER TABLE usage_record ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0"};

    private static final String INSERT = "INSERT INTO usage_record (uid, request_id, ts_ms, day, key_name,"
            + " model_requested, model_used, provider, prompt_tokens, completion_tokens, cached_tokens,"
            + " cache_write_tokens, reasoning_tokens, cost_input, cost_cached_input, cost_cache_write, cost_output,"
            + " cost_total, usage_estimated, latency_ms, ttft_ms, overhead_us, status, error_type, attempts, stream,"
            + " session_id, tags, labels, cache_hit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private record Day(long epochDay, String text) {}

    private Day lastDay = new Day(Long.MIN_VALUE, null); // day(): one reference, so never a torn pair

    @Override
    public void pace(BooleanSupplier offerCpu) {
        this.offerCpu = offerCpu;
    }

    @Override
    public void insert(List<UsageRecord> batch) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        Connection c = writer();
        try {
            c.setAutoCommit(false);
            try (PreparedStatement rows = c.prepareStatement(INSERT);
                    PreparedStatement tags =
                            c.prepareStatement("INSERT INTO usage_tag (uid, ts_ms, tag) VALUES (?, ?, ?)")) {
                int inStatement = 0;
                boolean anyTag = false;
                for (UsageRecord r : batch) {
                    String uid = ids.next(r.timestampMs());
                    bind(rows, uid, r);
                    rows.addBatch();
                    for (String t : r.tags()) {
                        tags.setString(1, uid);
                        tags.setLong(2, r.timestampMs());
                        tags.setString(3, t);
                        tags.addBatch();
                        anyTag = true;
                    }
                    if (++inStatement == rowsPerSlice) { // SQLite only: see ROWS_PER_SLICE
                        anyTag = execute(rows, tags, anyTag);
                        inStatement = 0;
                        if (offerCpu.getAsBoolean()) {
                            Thread.yield();
                        }
                    }
                }
                execute(rows, tags, anyTag);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            closeWriter(); // rolls back; the next batch reconnects
            throw e;
        }
    }

    /** Runs the rows and tags batched so far; returns that no tag is batched any more. */
    private static boolean execute(PreparedStatement rows, PreparedStatement tags, boolean anyTag) throws SQLException {
        rows.executeBatch();
        if (anyTag) {
            tags.executeBatch();
        }
        return false;
    }

    private void bind(PreparedStatement p, String uid, UsageRecord r) throws SQLException {
        Usage u = r.usage();
        int i = 1;
        p.setString(i++, uid);
        p.setString(i++, r.requestId());
        p.setLong(i++, r.timestampMs());
        p.setString(i++, day(r.timestampMs()));
        p.setString(i++, r.keyName());
        p.setString(i++, r.modelRequested());
        p.setString(i++, r.modelUsed());
        p.setString(i++, r.provider());
        p.setLong(i++, u.prompt());
        p.setLong(i++, u.completion());
        p.setLong(i++, u.cached());
        p.setLong(i++, io.junction.core.pricing.PricingTable.cacheWriteTokens(u));
        p.setLong(i++, u.reasoning());
        Cost c = r.cost();
        setDouble(p, i++, c == null ? null : c.input());
        setDouble(p, i++, c == null ? null : c.cachedInput());
        setDouble(p, i++, c == null ? null : c.cacheWrite());
        setDouble(p, i++, c == null ? null : c.output());
        setDouble(p, i++, c == null ? null : c.total());
        p.setInt(i++, r.usageEstimated() ? 1 : 0);
        p.setLong(i++, r.latencyMs());
        setLong(p, i++, r.ttftMs());
        setLong(p, i++, r.overheadUs());
        p.setInt(i++, r.status());
        p.setString(i++, r.errorType());
        p.setInt(i++, r.attempts());
        p.setInt(i++, r.stream() ? 1 : 0);
        p.setString(i++, r.sessionId());
        p.setString(i++, r.tags().isEmpty() ? null : jsonArray(r.tags()));
        p.setString(i++, r.labels().isEmpty() ? null : jsonObject(r.labels()));
        p.setInt(i, r.cacheHit() ? 1 : 0);
    }

    /**
     * The record's UTC day, {@code yyyy-MM-dd}. The last one is kept, as a batch's records share it.
     */
    private String day(long epochMs) {
        long epochDay = Math.floorDiv(epochMs, 86_400_000L);
        Day d = lastDay;
        if (d.epochDay() != epochDay) {
            d = new Day(epochDay, LocalDate.ofEpochDay(epochDay).toString());
            lastDay = d;
        }
        return d.text();
    }

    /** Tags as a JSON array of strings, written with a bare generator (no serializer lookup per row). */
    static String jsonArray(List<String> values) {
        SegmentedStringWriter out =
                new SegmentedStringWriter(Json.MAPPER.getFactory()._getBufferRecycler());
        try {
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
                g.writeStartArray();
                for (String v : values) {
                    g.writeString(v);
                }
                g.writeEndArray();
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Labels as a JSON object of strings, in their order; see {@link #jsonArray}. */
    static String jsonObject(Map<String, String> values) {
        SegmentedStringWriter out =
                new SegmentedStringWriter(Json.MAPPER.getFactory()._getBufferRecycler());
        try {
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
                g.writeStartObject();
                for (Map.Entry<String, String> e : values.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setDouble(PreparedStatement p, int i, Double v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.DOUBLE);
        } else {
            p.setDouble(i, v);
        }
    }

    private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.BIGINT);
        } else {
            p.setLong(i, v);
        }
    }

    private Connection writer() throws SQLException {
        if (writer == null) {
            writer = connector.open();
        }
        return writer;
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (SQLException e) {
                log.debug("closing the ledger connection failed: {}", e.toString());
            }
            writer = null;
        }
    }

    @Override
    public List<UsageRow> aggregate(UsageQuery q) throws SQLException {
        String group = q.groupBy() == UsageQuery.GroupBy.TAG ? "t.tag" : "r." + q.groupBy().column;
        String from = q.groupBy() == UsageQuery.GroupBy.TAG
                ? "usage_record r JOIN usage_tag t ON t.uid = r.uid"
                : "usage_record r";
        String sql = "SELECT " + group + " AS grp, COUNT(*), SUM(r.prompt_tokens), SUM(r.completion_tokens),"
                + " SUM(r.cached_tokens), SUM(r.cache_write_tokens), SUM(r.reasoning_tokens), SUM(r.cost_total),"
                + " SUM(r.usage_estimated),"
                + " SUM(CASE WHEN r.cost_total IS NULL AND r.prompt_tokens + r.completion_tokens > 0 THEN 1 ELSE 0"
                + " END), SUM(CASE WHEN r.status >= 400 THEN 1 ELSE 0 END), SUM(r.cache_hit)"
                + " FROM " + from + " WHERE r.ts_ms >= ? AND r.ts_ms < ? GROUP BY " + group + " ORDER BY " + group;
        List<UsageRow> out = new ArrayList<>();
        try (Connection c = connector.open();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, q.fromMs());
            p.setLong(2, q.toMs());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new UsageRow(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getLong(7),
                            rs.getDouble(8),
                            rs.getLong(9),
                            rs.getLong(10),
                            rs.getLong(11),
                            rs.getLong(12)));
                }
            }
        }
        return out;
    }

    /** Rows in the ledger (tests and diagnostics). */
    long count() throws SQLException {
        try (Connection c = connector.open();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage_record")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public boolean isSqlite() {
        return sqlite;
    }

    /**
     * Opens connections to the ledger's database, configured as the ledger's own (SQLite pragmas):
     * for other tables kept in the same database (run-time keys, {@code io.junction.server.keys}).
     */
    public Connector connector() {
        return connector;
    }

    @Override
    public void close() {
        closeWriter();
    }
}
