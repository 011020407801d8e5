package io.junction.server.ledger;

import static io.junction.server.ledger.LedgerFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.junction.server.metrics.GatewayMetrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;

/**
 * The ledger on a real PostgreSQL server: the one {@code .ci/postgres.sh} starts (it exports
 * {@code JUNCTION_TEST_PG_URL}; {@code .ci/run} sources it). Without that variable the test is
 * reported skipped. Each test gets its own schema, dropped afterwards.
 */
class PostgresUsageStoreTest {
    private static final String URL = System.getenv("JUNCTION_TEST_PG_URL");

    private String schema;
    private String url;

    @BeforeEach
    void createSchema() throws Exception {
        Assumptions.assumeTrue(
                URL != null, "no PostgreSQL: run '. .ci/postgres.sh' first (CI does) to set JUNCTION_TEST_PG_URL");
        schema = "junction_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(URL)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(URL)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void createsTheSchemaOnceAndKeepsDataAcrossRestarts() throws Exception {
        try (JdbcUsageStore s = JdbcUsageStore.postgres(url, null, null)) {
            s.insert(List.of(record("r1"), record("r2")));
        }
        try (JdbcUsageStore s = JdbcUsageStore.postgres(url, null, null)) {
            assertThat(s.count()).isEqualTo(2);
            assertThat(s.describe()).startsWith("postgres jdbc:postgresql://").doesNotContain("user=");
        }
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT COUNT(*), MAX(version) FROM " + schema + ".junction_schema")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(JdbcUsageStore.SCHEMA_VERSION);
            assertThat(rs.getInt(2)).isEqualTo(JdbcUsageStore.SCHEMA_VERSION);
        }
    }

    @Test
    void aggregatesLikeSqlite() throws Exception {
        try (JdbcUsageStore s = JdbcUsageStore.postgres(url, null, null)) {
            JdbcUsageStoreTest.assertAggregations(s);
        }
    }

    @Test
    void theRecorderFlushesEverythingToPostgresOnClose() throws Exception {
        try (GatewayMetrics metrics = new GatewayMetrics()) {
            UsageRecorder r = new UsageRecorder(
                    JdbcUsageStore.postgres(url, null, null), metrics, 1000, 25, 60_000, System::nanoTime);
            r.startThread();
            for (int i = 0; i < 60; i++) {
                assertThat(r.record(record("r" + i))).isTrue();
            }
            r.close();
        }
        try (JdbcUsageStore s = JdbcUsageStore.postgres(url, null, null)) {
            assertThat(s.count()).isEqualTo(60);
        }
    }

    @Test
    void batchesAreSentAsMultiRowInsertsUnlessTheUrlSaysOtherwise() throws Exception {
        try (JdbcUsageStore s = JdbcUsageStore.postgres(url, null, null);
                Connection c = s.connector().open()) {
            assertThat(c.unwrap(BaseConnection.class).getQueryExecutor().isReWriteBatchedInsertsEnabled())
                    .isTrue();
        }
        try (JdbcUsageStore s = JdbcUsageStore.postgres(url + "&reWriteBatchedInserts=false", null, null);
                Connection c = s.connector().open()) {
            assertThat(c.unwrap(BaseConnection.class).getQueryExecutor().isReWriteBatchedInsertsEnabled())
                    .isFalse();
        }
    }

    /**
     * 37 rows in one batch: the driver rewrites it as INSERTs of 32, 4 and 1 rows. Rows with and without
     * a cost (NULL doubles) and with and without tags alternate, so every rewritten statement binds
     * NULLs and values in the same columns.
     */
    @Test
    void aRewrittenBatchKeepsEveryRowTagAndNull() throws Exception {
        List<UsageRecord> batch = new ArrayList<>();
        long prompt = 0;
        double cost = 0;
        int tags = 0;
        for (int i = 0; i < 37; i++) {
            Double c = i % 3 == 0 ? null : 0.001 * (i + 1);
            List<String> t = i % 2 == 0 ? List.of("batch", "n" + i) : List.of();
            batch.add(record("r" + i, LedgerFixtures.T0 + i, "team-a", "gpt-4o-mini", "oai", 10 + i, 5, c, t));
            prompt += 10 + i;
            cost += c == null ? 0 : c;
            tags += t.size();
        }
        try (JdbcUsageStore s = JdbcUsageStore.postgres(url, null, null)) {
            s.insert(batch);
            assertThat(s.count()).isEqualTo(37);
        }
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT SUM(prompt_tokens), SUM(cost_total), COUNT(cost_total),"
                                + " COUNT(DISTINCT uid), (SELECT COUNT(*) FROM usage_tag) FROM usage_record")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(prompt);
            assertThat(rs.getDouble(2)).isCloseTo(cost, offset(1e-9));
            assertThat(rs.getInt(3)).isEqualTo(37 - 13); // i = 0, 3, ..., 36 have no cost
            assertThat(rs.getInt(4)).isEqualTo(37);
            assertThat(rs.getInt(5)).isEqualTo(tags);
        }
    }

    @Test
    void refusesAUrlThatIsNotPostgres() {
        assertThatThrownBy(() -> JdbcUsageStore.postgres("jdbc:mysql://x/y", null, null))
                .hasMessageContaining("jdbc:postgresql");
    }
}
