package io.junction.server.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.BudgetSpec;
import io.junction.core.config.LimitsSpec;
import io.junction.server.ledger.JdbcUsageStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run-time keys in the ledger's SQLite file: schema, round trips, name uniqueness, the pepper, no secrets stored. */
class KeyStoreTest {
    @TempDir
    Path dir;

    static KeyRow row(KeyHasher h, String secret, String name, long now) {
        return new KeyRow(
                KeyHasher.newId(),
                name,
                h.hash(secret),
                KeyHasher.shown(secret),
                h.pepperId(),
                "research",
                List.of("mock/*", "fast"),
                List.of("mock"),
                new BudgetSpec(12.5, "7d", 0.5),
                new LimitsSpec(60L, null, 4),
                now + 86_400_000L,
                true,
                Map.of("owner", "alice", "env", "prod"),
                now,
                now,
                null);
    }

    /** The same checks on SQLite and PostgreSQL. */
    static void assertRoundTrips(KeyStore store) throws Exception {
        KeyHasher h = KeyHasher.of("pepper-pepper-pepper");
        long now = 1_760_000_000_000L;
        String secret = KeyHasher.newSecret();
        KeyRow a = row(h, secret, "bot", now);
        store.insert(a);
        assertThat(store.get(a.id())).isEqualTo(a);
        assertThat(store.get("key_missing")).isNull();

        // a name is unique among keys not revoked
        KeyRow dup = row(h, KeyHasher.newSecret(), "bot", now);
        assertThatThrownBy(() -> store.insert(dup)).isInstanceOf(KeyStore.NameTaken.class);

        // a partial update keeps the rest; nulls round-trip
        KeyRow changed = new KeyRow(
                a.id(),
                "bot-2",
                a.secretHash(),
                a.secretPrefix(),
                a.pepperId(),
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                a.createdAtMs(),
                now + 5,
                null);
        assertThat(store.update(changed)).isTrue();
        KeyRow back = store.get(a.id());
        assertThat(back).isEqualTo(changed);
        assertThat(back.models()).containsExactly("*");
        assertThat(back.budget()).isNull();
        assertThat(back.expiresAtMs()).isNull();

        // revoking frees the name
        KeyRow other = row(h, KeyHasher.newSecret(), "bot-3", now);
        store.insert(other);
        KeyRow renamed = new KeyRow(
                other.id(),
                "bot-2",
                other.secretHash(),
                other.secretPrefix(),
                other.pepperId(),
                null,
                null,
                null,
                null,
                null,
                null,
                true,
                null,
                other.createdAtMs(),
                now,
                null);
        assertThatThrownBy(() -> store.update(renamed)).isInstanceOf(KeyStore.NameTaken.class);
        store.update(back.withRevoked(now + 10));
        assertThat(store.update(renamed)).isTrue();
        assertThat(store.get(a.id()).revoked()).isTrue();
        assertThat(store.all()).extracting(KeyRow::id).containsExactlyInAnyOrder(a.id(), other.id());
        assertThat(store.update(row(h, "jk-x", "nobody", now))).isFalse();

        // the secret is nowhere in the table: only its hash and first characters
        String dump = store.dumpForTests();
        assertThat(dump).doesNotContain(secret).contains(h.hash(secret)).contains(secret.substring(0, 8));
        assertThat(dump).doesNotContain(secret.substring(8, 30));

        // the stored pepper is generated once and then stays
        String pepper = store.storedPepper();
        assertThat(pepper).hasSize(64).isEqualTo(store.storedPepper());
    }

    @Test
    void livesInTheLedgersSqliteFileAndRoundTrips() throws Exception {
        Path file = dir.resolve("data/junction-usage.db");
        try (JdbcUsageStore ledger = JdbcUsageStore.sqlite(file);
                KeyStore store = new KeyStore(ledger.connector())) {
            assertRoundTrips(store);
            try (Connection c = ledger.connector().open();
                    ResultSet rs = c.createStatement()
                            .executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
                StringBuilder tables = new StringBuilder();
                while (rs.next()) {
                    tables.append(rs.getString(1)).append(' ');
                }
                assertThat(tables.toString())
                        .contains("junction_keys ", "junction_keys_meta ", "usage_record ", "junction_schema ");
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("data"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .allMatch(n -> n.startsWith("junction-usage.db")); // no second database file
        }
    }

    @Test
    void reopeningKeepsKeysAndThePepperAndDoesNotMigrateTwice() throws Exception {
        Path file = dir.resolve("k.db");
        KeyHasher h = KeyHasher.of("pepper-pepper-pepper");
        String secret = KeyHasher.newSecret();
        KeyRow a = row(h, secret, "bot", 1000);
        String pepper;
        try (JdbcUsageStore ledger = JdbcUsageStore.sqlite(file);
                KeyStore store = new KeyStore(ledger.connector())) {
            store.insert(a);
            pepper = store.storedPepper();
        }
        try (JdbcUsageStore ledger = JdbcUsageStore.sqlite(file);
                KeyStore store = new KeyStore(ledger.connector())) {
            assertThat(store.get(a.id())).isEqualTo(a);
            assertThat(store.storedPepper()).isEqualTo(pepper);
            try (Connection c = ledger.connector().open();
                    ResultSet rs = c.createStatement()
                            .executeQuery("SELECT COUNT(*) FROM junction_keys_meta WHERE name = 'schema_version'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
        // nor is it in the database file's bytes (main file and WAL)
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String bytes = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                assertThat(bytes).as(p.toString()).doesNotContain(secret);
            }
        }
    }

    @Test
    void refusesANewerSchema() throws Exception {
        Path file = dir.resolve("k.db");
        try (JdbcUsageStore ledger = JdbcUsageStore.sqlite(file);
                KeyStore store = new KeyStore(ledger.connector())) {
            try (Connection c = ledger.connector().open()) {
                c.createStatement().execute("UPDATE junction_keys_meta SET value = '99' WHERE name = 'schema_version'");
            }
        }
        try (JdbcUsageStore ledger = JdbcUsageStore.sqlite(file)) {
            assertThatThrownBy(() -> new KeyStore(ledger.connector()))
                    .hasMessageContaining("version 99, newer than this Junction");
        }
    }
}
