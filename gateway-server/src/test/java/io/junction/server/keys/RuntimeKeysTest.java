package io.junction.server.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.KeySpec;
import io.junction.core.error.GatewayException;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.ledger.JdbcUsageStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hot-path snapshot: refreshed from the database, looked up by hash, second to config keys. */
class RuntimeKeysTest {
    @TempDir
    Path dir;

    @Test
    void aSecondReplicaSeesCreatesAndRevokesWithinTheRefreshInterval() throws Exception {
        Path file = dir.resolve("shared.db");
        KeyHasher h = KeyHasher.of("pepper-pepper-pepper");
        try (JdbcUsageStore l1 = JdbcUsageStore.sqlite(file);
                JdbcUsageStore l2 = JdbcUsageStore.sqlite(file)) {
            RuntimeKeys a = RuntimeKeys.of(new KeyStore(l1.connector()), h, 60_000);
            RuntimeKeys b = RuntimeKeys.of(new KeyStore(l2.connector()), h, 100);
            try {
                String secret = KeyHasher.newSecret();
                KeyRow row = KeyStoreTest.row(h, secret, "bot", System.currentTimeMillis());
                a.submit(() -> {
                            a.store().insert(row);
                            a.refresh();
                            return null;
                        })
                        .get();
                assertThat(a.lookup(secret)).isNotNull();
                awaitUntil(() -> b.lookup(secret) != null);
                assertThat(b.any()).isTrue();
                assertThat(b.lookup(secret).principal().name()).isEqualTo("bot");
                assertThat(b.lookup(secret + "x")).isNull();
                assertThat(b.lookup("sk-" + secret.substring(3))).isNull();

                a.submit(() -> a.store().update(row.withRevoked(System.currentTimeMillis())))
                        .get();
                awaitUntil(() -> b.lookup(secret).row().revoked());
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void keysHashedUnderAnotherPepperDoNotAuthenticate() throws Exception {
        Path file = dir.resolve("k.db");
        KeyHasher old = KeyHasher.of("the-old-pepper-123456");
        String secret = KeyHasher.newSecret();
        try (JdbcUsageStore l = JdbcUsageStore.sqlite(file)) {
            KeyStore s = new KeyStore(l.connector());
            s.insert(KeyStoreTest.row(old, secret, "bot", 1));
            RuntimeKeys rk = RuntimeKeys.of(s, KeyHasher.of("the-new-pepper-123456"), 60_000);
            try {
                assertThat(rk.lookup(secret)).isNull();
                assertThat(rk.any()).isTrue(); // auth stays on
            } finally {
                rk.close();
            }
        }
    }

    @Test
    void configKeysWinANameClash() throws Exception {
        KeyHasher h = KeyHasher.of("pepper-pepper-pepper");
        try (JdbcUsageStore l = JdbcUsageStore.sqlite(dir.resolve("k.db"))) {
            KeyStore s = new KeyStore(l.connector());
            String secret = KeyHasher.newSecret();
            s.insert(KeyStoreTest.row(h, secret, "team-a", System.currentTimeMillis()));
            String other = KeyHasher.newSecret();
            s.insert(KeyStoreTest.row(h, other, "solo", System.currentTimeMillis()));
            RuntimeKeys rk = RuntimeKeys.of(s, h, 60_000);
            try {
                KeyAuthenticator auth =
                        new KeyAuthenticator(List.of(new KeySpec("sk-config", "team-a", List.of("*"))), rk);
                assertThat(auth.authenticate("Bearer sk-config").name()).isEqualTo("team-a");
                assertThatThrownBy(() -> auth.authenticate("Bearer " + secret))
                        .isInstanceOf(GatewayException.class)
                        .hasMessageContaining("a key in the config now has that name")
                        .satisfies(
                                e -> assertThat(((GatewayException) e).status()).isEqualTo(401))
                        .message()
                        .doesNotContain(secret);
                KeyAuthenticator.Principal p = auth.authenticate("Bearer " + other);
                assertThat(p.name()).isEqualTo("solo");
                assertThat(p.team()).isEqualTo("research");
                assertThat(p.mayCall("mock/echo")).isTrue();
                assertThat(p.mayCall("oai/gpt-4o")).isFalse();
                assertThat(p.mayUse("mock")).isTrue();
                assertThat(p.policy().rpm()).isEqualTo(60L);
                assertThat(p.policy().budgetMicros()).isEqualTo(12_500_000L);
            } finally {
                rk.close();
            }
        }
    }

    private static void awaitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }
}
