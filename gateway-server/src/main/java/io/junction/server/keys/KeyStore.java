package io.junction.server.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.BudgetSpec;
import io.junction.core.config.LimitsSpec;
import io.junction.core.schema.Json;
import io.junction.server.ledger.JdbcUsageStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run-time keys in the usage ledger's database (SQLite or PostgreSQL, through the ledger's own
 * {@link JdbcUsageStore.Connector}: no second file, same pragmas). Tables, created or migrated on open
 * with the same SQL for both databases:
 *
 * <ul>
 *   <li>{@code junction_keys}: one row per key; the secret only as {@code secret_hash} (HMAC-SHA256
 *       hex) and {@code secret_prefix}; list and object columns as JSON text; times as epoch
 *       milliseconds; {@code revoked_at} set by a revoke (soft delete). A name is unique among keys
 *       not revoked.
 *   <li>{@code junction_keys_meta}: {@code schema_version} of these tables (versioned apart from the
 *       ledger's {@code junction_schema}) and, when no {@code admin.key_pepper} is configured, the
 *       generated {@code pepper}.
 * </ul>
 *
 * <p>Not thread-safe: used from one thread only (the run-time keys' executor), which keeps one
 * connection open and reopens it after a failure.
 */
public final class KeyStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyStore.class);
    static final int SCHEMA_VERSION = 1;

    /** A unique constraint refused a write: the name is taken by another key not revoked. */
    public static final class NameTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NameTaken(String name) {
            super("name '" + name + "' is taken", null, false, false);
        }
    }

    private final JdbcUsageStore.Connector connector;
    private Connection connection;

    public KeyStore(JdbcUsageStore.Connector connector) throws SQLException {
        this.connector = connector;
        migrate();
    }

    private static final String[] V1 = {
        """
        CREATE TABLE IF NOT EXISTS junction_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          secret_hash TEXT NOT NULL,
          secret_prefix TEXT NOT NULL,
          pepper_id TEXT NOT NULL,
          team TEXT,
          models TEXT NOT NULL,
          providers TEXT NOT NULL,
          budget TEXT,
          limits TEXT,
          metadata TEXT NOT NULL,
          expires_at BIGINT,
          enabled INTEGER NOT NULL,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          revoked_at BIGINT
        )""",
        "CREATE UNIQUE INDEX IF NOT EXISTS junction_keys_hash ON junction_keys (secret_hash)",
        "CREATE UNIQUE INDEX IF NOT EXISTS junction_keys_active_name ON junction_keys (name) WHERE revoked_at IS NULL"
    };

    private void migrate() throws SQLException {
        Connection c = connection();
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS junction_keys_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
            int version = schemaVersion(c);
            if (version > SCHEMA_VERSION) {
                throw new SQLException(
                        "the run-time keys' schema is version " + version + ", newer than this Junction ("
                                + SCHEMA_VERSION + "): upgrade Junction or use another database");
            }
            if (version < 1) {
                c.setAutoCommit(false);
                try {
                    for (String ddl : V1) {
                        s.execute(ddl);
                    }
                    putIfAbsent(c, "schema_version", "1");
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            closeConnection();
            throw e;
        }
    }

    private static int schemaVersion(Connection c) throws SQLException {
        String v = meta(c, "schema_version");
        return v == null ? 0 : Integer.parseInt(v);
    }

    private static String meta(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT value FROM junction_keys_meta WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Inserts unless present (another replica may win the race: then its value stays). */
    private static void putIfAbsent(Connection c, String name, String value) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO junction_keys_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            p.setString(1, name);
            p.setString(2, value);
            p.executeUpdate();
        }
    }

    /**
     * The pepper kept in the database, generated on first use. Replicas sharing the database race to
     * insert one; all read back the winner's, so they hash alike.
     */
    public String storedPepper() throws SQLException {
        return run(c -> {
            String p = meta(c, "pepper");
            if (p == null) {
                putIfAbsent(c, "pepper", KeyHasher.newPepper());
                p = meta(c, "pepper");
            }
            return p;
        });
    }

    private static final String COLUMNS = "id, name, secret_hash, secret_prefix, pepper_id, team, models, providers,"
            + " budget, limits, metadata, expires_at, enabled, created_at, updated_at, revoked_at";

    /** Every key, revoked ones included, oldest first. */
    public List<KeyRow> all() throws SQLException {
        return run(c -> {
            List<KeyRow> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT " + COLUMNS + " FROM junction_keys ORDER BY created_at, id")) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        });
    }

    /** The key with this id, or null. */
    public KeyRow get(String id) throws SQLException {
        return run(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM junction_keys WHERE id = ?")) {
                p.setString(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? row(rs) : null;
                }
            }
        });
    }

    /** Stores a new key; {@link NameTaken} when a key not revoked has its name. */
    public void insert(KeyRow k) throws SQLException {
        run(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO junction_keys (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int i = 1;
                p.setString(i++, k.id());
                p.setString(i++, k.name());
                p.setString(i++, k.secretHash());
                p.setString(i++, k.secretPrefix());
                p.setString(i++, k.pepperId());
                i = bindMutable(p, i, k);
                p.setLong(i++, k.createdAtMs());
                p.setLong(i++, k.updatedAtMs());
                setLong(p, i, k.revokedAtMs());
                p.executeUpdate();
            } catch (SQLException e) {
                if (uniqueViolation(e)) {
                    throw new NameTaken(k.name());
                }
                throw e;
            }
            return null;
        });
    }

    /** Writes every field but the id, hash and creation time; false when no such id. */
    public boolean update(KeyRow k) throws SQLException {
        return run(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE junction_keys SET name = ?, team = ?, models = ?,"
                    + " providers = ?, budget = ?, limits = ?, metadata = ?, expires_at = ?, enabled = ?,"
                    + " updated_at = ?, revoked_at = ? WHERE id = ?")) {
                int i = 1;
                p.setString(i++, k.name());
                i = bindMutable(p, i, k);
                p.setLong(i++, k.updatedAtMs());
                setLong(p, i++, k.revokedAtMs());
                p.setString(i, k.id());
                return p.executeUpdate() == 1;
            } catch (SQLException e) {
                if (uniqueViolation(e)) {
                    throw new NameTaken(k.name());
                }
                throw e;
            }
        });
    }

    /** team, models, providers, budget, limits, metadata, expires_at, enabled. */
    private static int bindMutable(PreparedStatement p, int i, KeyRow k) throws SQLException {
        p.setString(i++, k.team());
        p.setString(i++, Json.string(k.models()));
        p.setString(i++, Json.string(k.providers()));
        p.setString(i++, k.budget() == null ? null : budgetJson(k.budget()).toString());
        p.setString(i++, k.limits() == null ? null : limitsJson(k.limits()).toString());
        p.setString(i++, Json.string(k.metadata()));
        setLong(p, i++, k.expiresAtMs());
        p.setInt(i++, k.enabled() ? 1 : 0);
        return i;
    }

    private static boolean uniqueViolation(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return "23505".equals(e.getSQLState()) // PostgreSQL unique_violation
                || m.contains("UNIQUE constraint failed"); // SQLite (SQLITE_CONSTRAINT_UNIQUE)
    }

    private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.BIGINT);
        } else {
            p.setLong(i, v);
        }
    }

    private static Long getLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static KeyRow row(ResultSet rs) throws SQLException {
        return new KeyRow(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("secret_hash"),
                rs.getString("secret_prefix"),
                rs.getString("pepper_id"),
                rs.getString("team"),
                read(rs.getString("models"), new TypeReference<List<String>>() {}),
                read(rs.getString("providers"), new TypeReference<List<String>>() {}),
                budget(rs.getString("budget")),
                limits(rs.getString("limits")),
                getLong(rs, "expires_at"),
                rs.getInt("enabled") != 0,
                read(rs.getString("metadata"), new TypeReference<Map<String, String>>() {}),
                rs.getLong("created_at"),
                rs.getLong("updated_at"),
                getLong(rs, "revoked_at"));
    }

    private static <T> T read(String json, TypeReference<T> type) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new SQLException("junction_keys: unreadable JSON column: " + e.getOriginalMessage(), e);
        }
    }

    public static ObjectNode budgetJson(BudgetSpec b) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (b.usd() != null) {
            o.put("usd", b.usd());
        }
        o.put("period", b.period());
        o.put("alert_at", b.alertAt());
        return o;
    }

    public static ObjectNode limitsJson(LimitsSpec l) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (l.rpm() != null) {
            o.put("rpm", l.rpm());
        }
        if (l.tpm() != null) {
            o.put("tpm", l.tpm());
        }
        if (l.concurrent() != null) {
            o.put("concurrent", l.concurrent());
        }
        return o;
    }

    private static BudgetSpec budget(String json) throws SQLException {
        JsonNode n = read(json, new TypeReference<JsonNode>() {});
        if (n == null) {
            return null;
        }
        return new BudgetSpec(
                n.hasNonNull("usd") ? n.get("usd").asDouble() : null,
                n.hasNonNull("period") ? n.get("period").asText() : null,
                n.hasNonNull("alert_at") ? n.get("alert_at").asDouble() : null);
    }

    private static LimitsSpec limits(String json) throws SQLException {
        JsonNode n = read(json, new TypeReference<JsonNode>() {});
        if (n == null) {
            return null;
        }
        return new LimitsSpec(
                n.hasNonNull("rpm") ? n.get("rpm").asLong() : null,
                n.hasNonNull("tpm") ? n.get("tpm").asLong() : null,
                n.hasNonNull("concurrent") ? n.get("concurrent").asInt() : null);
    }

    /** Every value of both tables as text (tests: proves no secret is stored). */
    String dumpForTests() throws SQLException {
        return run(c -> {
            StringBuilder sb = new StringBuilder();
            for (String table : List.of("junction_keys", "junction_keys_meta")) {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            sb.append(rs.getString(i)).append('|');
                        }
                        sb.append('\n');
                    }
                }
            }
            return sb.toString();
        });
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs on the kept connection; a failure closes it (the next call reconnects). */
    private <T> T run(Work<T> work) throws SQLException {
        Connection c = connection();
        try {
            return work.run(c);
        } catch (SQLException e) {
            if (!uniqueViolation(e)) {
                closeConnection();
            }
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = connector.open();
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the keys connection failed: {}", e.toString());
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
