package io.junction.server.keys;

import io.junction.core.config.AdminSpec;
import io.junction.server.auth.KeyAuthenticator.Principal;
import io.junction.server.ledger.JdbcUsageStore;
import io.junction.server.ledger.UsageStore;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run-time keys as the hot path sees them: an immutable snapshot, keyed by the secret's hash, swapped
 * in whole. A request's lookup is one HMAC and one map read — never a database read. The snapshot is
 * loaded at start, reloaded in the background every {@code admin.keys_refresh_ms} (so a key created
 * or revoked on another replica takes effect here within that) and right after each admin write made
 * through this replica.
 *
 * <p>All database work — the reloads and the admin API's reads and writes — runs on one daemon thread
 * ({@code junction-keys}), never on an event loop; {@link #submit} hands work to it.
 */
public final class RuntimeKeys implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuntimeKeys.class);

    /** One key of the snapshot; {@code digest} is its secret's HMAC. */
    public record Entry(byte[] digest, KeyRow row, Principal principal, long expiresAtMs) {}

    private record Snapshot(Map<String, Entry> byHash, int rows) {}

    private static final RuntimeKeys DISABLED = new RuntimeKeys(null, null, null, 0);

    private final KeyStore store;
    private final KeyHasher hasher;
    private final ScheduledExecutorService executor;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), 0);
    private volatile long lastFailureLogMs;
    private int foreignPepperRows = -1;

    private RuntimeKeys(KeyStore store, KeyHasher hasher, ScheduledExecutorService executor, long refreshMs) {
        this.store = store;
        this.hasher = hasher;
        this.executor = executor;
        if (executor != null) {
            executor.scheduleWithFixedDelay(this::refreshQuietly, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
        }
    }

    /** No database (ledger.type: none): no run-time keys; the admin API says so. */
    public static RuntimeKeys disabled() {
        return DISABLED;
    }

    /**
     * Opens the keys' tables in the ledger's database (migrating them), loads the snapshot and starts
     * the refresh. Without a SQL ledger: {@link #disabled()}. Throws when the database cannot be read:
     * start fails, as for the ledger.
     */
    public static RuntimeKeys start(AdminSpec admin, UsageStore ledger) {
        if (!(ledger instanceof JdbcUsageStore jdbc)) {
            log.info("run-time keys: off (no ledger database; ledger.type: none)");
            return DISABLED;
        }
        KeyStore store = null;
        try {
            store = new KeyStore(jdbc.connector());
            KeyHasher hasher;
            if (admin.keyPepper() != null) {
                hasher = KeyHasher.of(admin.keyPepper());
            } else {
                hasher = KeyHasher.of(store.storedPepper());
                log.info("run-time keys: no admin.key_pepper configured; using the pepper generated and kept in the"
                        + " database (set admin.key_pepper to keep it out of the database)");
            }
            ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "junction-keys");
                t.setDaemon(true);
                return t;
            });
            RuntimeKeys keys = new RuntimeKeys(store, hasher, ex, admin.keysRefreshMs());
            keys.refresh(); // on the caller's thread: the executor has not run anything yet
            log.info(
                    "run-time keys: {} in the ledger database ({}), refreshed every {} ms",
                    keys.snapshot.rows(),
                    jdbc.describe(),
                    admin.keysRefreshMs());
            return keys;
        } catch (SQLException | RuntimeException e) {
            if (store != null) {
                store.close();
            }
            throw new IllegalStateException(
                    "cannot open the run-time keys in the ledger database: " + e.getMessage(), e);
        }
    }

    /** For tests: a store and hasher already open, refreshed every {@code refreshMs}. */
    public static RuntimeKeys of(KeyStore store, KeyHasher hasher, long refreshMs) throws SQLException {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-keys");
            t.setDaemon(true);
            return t;
        });
        RuntimeKeys keys = new RuntimeKeys(store, hasher, ex, refreshMs);
        keys.refresh();
        return keys;
    }

    /** True when run-time keys can be managed (there is a database). */
    public boolean available() {
        return store != null;
    }

    /**
     * True once any run-time key exists in the database, revoked ones included: then authentication is
     * on even with no {@code keys:} in the config. Revoking the last key does not turn it off again.
     */
    public boolean any() {
        return snapshot.rows() > 0;
    }

    /** The key whose secret is {@code token}, or null: one HMAC and one map read. */
    public Entry lookup(String token) {
        Snapshot s = snapshot;
        if (s.byHash().isEmpty() || !token.startsWith(KeyHasher.PREFIX)) {
            return null;
        }
        byte[] d = hasher.digest(token);
        Entry e = s.byHash().get(HexFormat.of().formatHex(d));
        return e != null && KeyHasher.same(e.digest(), d) ? e : null;
    }

    /** The keys not revoked, as specs with their names (no secret): e.g. to restore budget spend at start. */
    public List<io.junction.core.config.KeySpec> activeSpecs() {
        return snapshot.byHash().values().stream()
                .filter(e -> !e.row().revoked())
                .map(e -> e.row().spec())
                .toList();
    }

    public KeyHasher hasher() {
        return hasher;
    }

    /** The database; only for work {@link #submit submitted} here. */
    public KeyStore store() {
        return store;
    }

    /** Runs {@code work} on the keys' thread. */
    public <T> CompletableFuture<T> submit(Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    f.complete(work.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RuntimeException e) { // rejected: shutting down
            f.completeExceptionally(e);
        }
        return f;
    }

    /**
     * Reloads the snapshot from the database; call on the keys' thread (or before it starts). Entries
     * whose row did not change are kept as they are.
     */
    public void refresh() throws SQLException {
        List<KeyRow> rows = store.all();
        Map<String, Entry> old = snapshot.byHash();
        Map<String, Entry> next = new HashMap<>(rows.size() * 2);
        int foreign = 0;
        for (KeyRow r : rows) {
            if (!r.pepperId().equals(hasher.pepperId())) {
                foreign++;
                continue;
            }
            Entry prev = old.get(r.secretHash());
            if (prev != null && prev.row().equals(r)) {
                next.put(r.secretHash(), prev);
                continue;
            }
            next.put(
                    r.secretHash(),
                    new Entry(
                            HexFormat.of().parseHex(r.secretHash()),
                            r,
                            Principal.of(r.name(), r.spec()),
                            r.expiresAtMs() == null ? Long.MAX_VALUE : r.expiresAtMs()));
        }
        if (foreign > 0 && foreign != foreignPepperRows) {
            log.warn(
                    "run-time keys: {} key(s) were created under another admin.key_pepper and cannot authenticate"
                            + " until that pepper is configured again",
                    foreign);
        }
        foreignPepperRows = foreign;
        snapshot = new Snapshot(Map.copyOf(next), rows.size());
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (SQLException | RuntimeException e) {
            long now = System.currentTimeMillis();
            if (now - lastFailureLogMs > 60_000) {
                lastFailureLogMs = now;
                log.warn("run-time keys: reload failed, the last loaded keys stay in use: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
