package io.junction.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.server.ledger.JdbcUsageStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Run-time keys on a real PostgreSQL server (the one {@code .ci/postgres.sh} starts; it exports
 * {@code JUNCTION_TEST_PG_URL}). Without that variable the test is reported skipped. Each test gets its
 * own schema, dropped afterwards.
 */
class PostgresKeyStoreTest {
    private static final String URL = System.getenv("JUNCTION_TEST_PG_URL");

    private String schema;
    private String url;

    @BeforeEach
    void createSchema() throws Exception {
        Assumptions.assumeTrue(
                URL != null, "no PostgreSQL: run '. .ci/postgres.sh' first (CI does) to set JUNCTION_TEST_PG_URL");
        schema = "junction_k_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
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
    void roundTripsLikeSqlite() throws Exception {
        try (JdbcUsageStore ledger = JdbcUsageStore.postgres(url, null, null);
                KeyStore store = new KeyStore(ledger.connector())) {
            KeyStoreTest.assertRoundTrips(store);
        }
    }

    @Test
    void twoReplicasShareKeysAndThePepper() throws Exception {
        try (JdbcUsageStore l1 = JdbcUsageStore.postgres(url, null, null);
                JdbcUsageStore l2 = JdbcUsageStore.postgres(url, null, null);
                KeyStore a = new KeyStore(l1.connector());
                KeyStore b = new KeyStore(l2.connector())) {
            assertThat(a.storedPepper()).isEqualTo(b.storedPepper());
            KeyHasher h = KeyHasher.of(a.storedPepper());
            KeyRow k = KeyStoreTest.row(h, KeyHasher.newSecret(), "shared", 1000);
            a.insert(k);
            assertThat(b.get(k.id())).isEqualTo(k);
        }
    }
}
