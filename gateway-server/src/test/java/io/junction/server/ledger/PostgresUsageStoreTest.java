package io.junction.server.ledger;

import static io.junction.server.ledger.LedgerFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.server.metrics.GatewayMetrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    void refusesAUrlThatIsNotPostgres() {
        assertThatThrownBy(() -> JdbcUsageStore.postgres("jdbc:mysql://x/y", null, null))
                .hasMessageContaining("jdbc:postgresql");
    }
}
