package io.junction.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.LimitsStoreSpec;
import io.junction.core.govern.BudgetPeriod;
import io.junction.core.govern.Decision;
import io.junction.core.govern.LimitStore;
import io.junction.core.govern.MemoryLimitStore;
import io.junction.core.govern.Policy;
import io.junction.core.govern.SlidingWindow;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis limits store on a real Redis server: the one {@code .ci/redis.sh} starts (it exports
 * {@code JUNCTION_TEST_REDIS_URL}; {@code .ci/run} sources it). Without that variable every test that
 * needs Redis is reported skipped. Each test uses its own key prefix and deletes its keys.
 *
 * <p>The store takes the caller's clock, so these tests drive time by hand (no sleeping) and compare
 * with {@link MemoryLimitStore} and {@link SlidingWindow}'s arithmetic, the reference semantics.
 */
class RedisLimitStoreTest {
    static final String URL = System.getenv("JUNCTION_TEST_REDIS_URL");
    private static final long MIN = SlidingWindow.WINDOW_MS;
    /** A minute boundary, then 7.5 s into the minute. */
    private static final long T0 = 29_000_000L * MIN + 7_500;

    private static RedisClient admin;
    private static StatefulRedisConnection<String, String> adminConnection;
    private static RedisCommands<String, String> redis;

    private String prefix;
    private RedisLimitStore store;

    static void assumeRedis() {
        Assumptions.assumeTrue(
                URL != null,
                "no Redis: run '. .ci/redis.sh' first (CI does) to set JUNCTION_TEST_REDIS_URL;"
                        + " the Redis limits-store test is SKIPPED");
    }

    @BeforeAll
    static void connectAdmin() {
        if (URL != null) {
            admin = RedisClient.create(URL);
            adminConnection = admin.connect();
            redis = adminConnection.sync();
        }
    }

    @AfterAll
    static void closeAdmin() {
        if (admin != null) {
            adminConnection.close();
            admin.shutdown();
        }
    }

    @BeforeEach
    void open() throws Exception {
        assumeRedis();
        prefix = "jt-" + UUID.randomUUID().toString().substring(0, 8);
        store = new RedisLimitStore(URL, prefix, 2_000);
        awaitConnected(store);
    }

    @AfterEach
    void cleanUp() {
        if (store != null) {
            store.close();
        }
        if (redis != null && prefix != null) {
            List<String> keys = keys();
            if (!keys.isEmpty()) {
                redis.del(keys.toArray(String[]::new));
            }
        }
    }

    static void awaitConnected(LimitStore s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.unhealthyReason() != null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(s.unhealthyReason()).as("connected").isNull();
    }

    private List<String> keys() {
        List<String> out = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> c = redis.scan(
                    cursor, ScanArgs.Builder.matches("{" + prefix + "}:*").limit(500));
            out.addAll(c.getKeys());
            cursor = c;
        } while (!cursor.isFinished());
        return out;
    }

    static Policy policy(String scope, Long rpm, Long tpm, Integer concurrent, Long budgetMicros) {
        return new Policy(
                scope, rpm, tpm, concurrent, budgetMicros, budgetMicros == null ? null : BudgetPeriod.parse("1d"), 0.8);
    }

    static <T> T get(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Decision admit(LimitStore s, List<Policy> scopes, long tokens, String lease, long now) throws Exception {
        return get(s.admit(scopes, tokens, lease, 600_000, now));
    }

    @Test
    void rpmAdmitsExactlyTheLimitInAMinuteThenRefusesWithTheMemoryStoresRetryAfter() throws Exception {
        List<Policy> key = List.of(policy("key:bot", 5L, null, null, null));
        for (int i = 0; i < 5; i++) {
            Decision d = admit(store, key, 0, "l" + i, T0 + i);
            assertThat(d.admitted()).isTrue();
            assertThat(d.requests().remaining()).isEqualTo(4 - i);
            assertThat(d.requests().limit()).isEqualTo(5);
            assertThat(d.requests().resetMs()).isEqualTo(SlidingWindow.resetAfterChargeMs(T0 + i));
            assertThat(d.tokens()).isNull();
        }
        Decision refused = admit(store, key, 0, "l5", T0 + 10);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.rejection())
                .isEqualTo(new Decision.Rejection(
                        "key:bot",
                        Decision.Kind.REQUESTS,
                        5,
                        5,
                        SlidingWindow.retryAfterMs(0, 5, Math.floorMod(T0 + 10, MIN), 1, 5)));
        // same as the embedded store
        try (MemoryLimitStore memory = new MemoryLimitStore()) {
            for (int i = 0; i < 5; i++) {
                admit(memory, key, 0, "l" + i, T0 + i);
            }
            assertThat(admit(memory, key, 0, "l5", T0 + 10)).isEqualTo(refused);
        }
        // a minute later the previous bucket has slid a quarter out: one more fits
        long later = T0 - 7_500 + MIN + MIN / 4;
        assertThat(admit(store, key, 0, "l6", later).admitted()).isTrue();
        assertThat(admit(store, key, 0, "l7", later).admitted()).isFalse();
    }

    @Test
    void tpmChargesTheEstimateAndSettleCorrectsTheBucketThatCountedIt() throws Exception {
        Policy p = policy("key:bot", null, 1000L, null, null);
        List<Policy> key = List.of(p);
        Decision first = admit(store, key, 600, "a", T0);
        assertThat(first.admitted()).isTrue();
        assertThat(first.tokens()).isEqualTo(new Decision.Quota(1000, 400, SlidingWindow.resetAfterChargeMs(T0)));
        Decision second = admit(store, key, 600, "b", T0 + 1);
        assertThat(second.rejection().kind()).isEqualTo(Decision.Kind.TOKENS);
        assertThat(second.rejection().used()).isEqualTo(600);
        // the call used 200 tokens, not 600
        assertThat(get(store.settle(key, T0, -400, 0, T0 + 2))).containsExactly(-1);
        assertThat(admit(store, key, 600, "c", T0 + 3).admitted()).isTrue();
        assertThat(redis.get(store.tokensKey(Math.floorDiv(T0, MIN), "key:bot")))
                .isEqualTo("800");
        // settled in the next minute: the correction still lands in the bucket that counted the call
        long next = T0 + MIN;
        assertThat(get(store.settle(key, T0 + 3, 300, 0, next))).containsExactly(-1);
        assertThat(redis.get(store.tokensKey(Math.floorDiv(T0, MIN), "key:bot")))
                .isEqualTo("1100");
        // never below zero
        get(store.settle(key, T0, -5000, 0, next));
        assertThat(redis.get(store.tokensKey(Math.floorDiv(T0, MIN), "key:bot")))
                .isEqualTo("0");
        // a call bigger than the cap can never pass
        Decision huge = admit(store, key, 1001, "d", next);
        assertThat(huge.rejection().retryAfterMs()).isEqualTo(-1);
        // and no key lives forever
        for (String k : keys()) {
            assertThat(redis.pttl(k)).as(k).isBetween(1L, 2 * MIN);
        }
    }

    @Test
    void concurrencyLeasesAreTakenReleasedAndExpire() throws Exception {
        List<Policy> key = List.of(policy("key:bot", null, null, 2, null));
        assertThat(get(store.admit(key, 0, "l1", 30_000, T0)).admitted()).isTrue();
        assertThat(get(store.admit(key, 0, "l2", 30_000, T0)).admitted()).isTrue();
        Decision full = get(store.admit(key, 0, "l3", 30_000, T0 + 1));
        assertThat(full.rejection()).isEqualTo(new Decision.Rejection("key:bot", Decision.Kind.CONCURRENT, 2, 2, 1000));
        store.release(key, "l1");
        // release is fire-and-forget (pipelined): wait for Redis to have it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (redis.zcard(store.leaseKey("key:bot")) != 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(get(store.admit(key, 0, "l3", 30_000, T0 + 2)).admitted()).isTrue();
        assertThat(get(store.admit(key, 0, "l4", 30_000, T0 + 3)).admitted()).isFalse();
        // leases never released (a crashed replica) expire: l2 at T0 + 30 s, l3 at T0 + 2 + 30 s
        assertThat(get(store.admit(key, 0, "l4", 30_000, T0 + 30_000)).admitted())
                .isTrue();
        assertThat(redis.zrange(store.leaseKey("key:bot"), 0, -1))
                .containsExactlyInAnyOrder(store.member("l3"), store.member("l4"));
        long ttl = redis.pttl(store.leaseKey("key:bot"));
        assertThat(ttl).isBetween(1L, 30_000L);
    }

    @Test
    void aSpentBudgetRefusesUntilTheWindowEnds() throws Exception {
        Policy p = policy("key:bot", null, null, null, 1_000_000L);
        List<Policy> key = List.of(p);
        BudgetPeriod.Window w = p.period().window(T0);
        assertThat(admit(store, key, 0, "a", T0).admitted()).isTrue();
        assertThat(get(store.settle(key, T0, 0, 400_000, T0 + 1))).containsExactly(400_000);
        assertThat(get(store.settle(key, T0, 0, 600_000, T0 + 2))).containsExactly(1_000_000);
        Decision refused = admit(store, key, 0, "b", T0 + 3);
        assertThat(refused.rejection())
                .isEqualTo(new Decision.Rejection(
                        "key:bot", Decision.Kind.BUDGET, 1_000_000, 1_000_000, w.endMs() - (T0 + 3)));
        assertThat(get(store.spend(p, w.startMs()))).isEqualTo(1_000_000);
        assertThat(get(store.spend(p, w.startMs() - 86_400_000))).isZero();
        // spend is kept until a day after its window ends, then expires
        long ttl = redis.pttl(store.spendKey(w.startMs(), "key:bot"));
        assertThat(ttl).isBetween(86_400_000L, w.endMs() - T0 + 86_400_000L);
        // the next window starts from zero
        assertThat(admit(store, key, 0, "c", w.endMs()).admitted()).isTrue();
    }

    @Test
    void whenTheTeamIsFullNothingIsChargedToTheKey() throws Exception {
        Policy key = policy("key:bot", 10L, 10_000L, 5, null);
        Policy team = policy("team:research", 2L, null, null, null);
        List<Policy> both = List.of(key, team);
        assertThat(admit(store, both, 100, "a", T0).admitted()).isTrue();
        assertThat(admit(store, both, 100, "b", T0 + 1).admitted()).isTrue();
        Decision refused = admit(store, both, 100, "c", T0 + 2);
        assertThat(refused.rejection().scope()).isEqualTo("team:research");
        assertThat(refused.rejection().kind()).isEqualTo(Decision.Kind.REQUESTS);
        long minute = Math.floorDiv(T0, MIN);
        assertThat(redis.get(store.requestsKey(minute, "key:bot"))).isEqualTo("2");
        assertThat(redis.get(store.tokensKey(minute, "key:bot"))).isEqualTo("200");
        assertThat(redis.zrange(store.leaseKey("key:bot"), 0, -1))
                .containsExactlyInAnyOrder(store.member("a"), store.member("b"));
        assertThat(redis.get(store.requestsKey(minute, "team:research"))).isEqualTo("2");
        // the key alone still has room: 2 of its 10 used
        Decision ok = admit(store, List.of(key), 100, "d", T0 + 3);
        assertThat(ok.requests().remaining()).isEqualTo(7);
    }

    @Test
    void theLuaArithmeticIsSlidingWindows() throws Exception {
        // (previous, current, elapsed, cost, limit) over a grid; the tokens window, whose cost varies
        Random r = new Random(7);
        long minute = 29_100_000L;
        for (int i = 0; i < 300; i++) {
            long previous = r.nextInt(4) == 0 ? 0 : r.nextInt(1200);
            long current = r.nextInt(4) == 0 ? 0 : r.nextInt(1200);
            long elapsed = r.nextInt(3) == 0 ? r.nextInt(3) * 29_999L : r.nextInt((int) MIN);
            long cost = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(600);
            long limit = 1 + r.nextInt(1500);
            long now = (minute + i * 3) * MIN + elapsed;
            String scope = "key:k" + i;
            long m = Math.floorDiv(now, MIN);
            redis.set(store.tokensKey(m - 1, scope), Long.toString(previous));
            redis.set(store.tokensKey(m, scope), Long.toString(current));
            redis.pexpire(store.tokensKey(m - 1, scope), 60_000);
            redis.pexpire(store.tokensKey(m, scope), 60_000);
            Decision d = admit(store, List.of(policy(scope, null, limit, null, null)), cost, "x", now);
            double est = SlidingWindow.estimate(previous, current, elapsed);
            String what =
                    "prev=%d cur=%d elapsed=%d cost=%d limit=%d".formatted(previous, current, elapsed, cost, limit);
            if (est + cost <= limit) {
                assertThat(d.admitted()).as(what).isTrue();
                long remaining = Math.max(0, (long) Math.floor(limit - est));
                assertThat(d.tokens())
                        .as(what)
                        .isEqualTo(new Decision.Quota(
                                limit,
                                Math.max(0, remaining - cost),
                                cost > 0
                                        ? SlidingWindow.resetAfterChargeMs(now)
                                        : SlidingWindow.resetMs(previous, current, elapsed)));
            } else {
                assertThat(d.rejection())
                        .as(what)
                        .isEqualTo(new Decision.Rejection(
                                scope,
                                Decision.Kind.TOKENS,
                                limit,
                                (long) Math.ceil(est),
                                SlidingWindow.retryAfterMs(previous, current, elapsed, cost, limit)));
            }
        }
    }

    /**
     * One random sequence of admissions, releases and settlements, over keys alone and keys with
     * their team, run against the memory store and the Redis store with the same clock: every
     * answer must be the same.
     */
    @Test
    void decidesExactlyLikeTheMemoryStore() throws Exception {
        Random r = new Random(42);
        for (int round = 0; round < 3; round++) {
            Policy[] keys = new Policy[3];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = randomPolicy(r, "key:k" + round + "-" + i);
            }
            Policy team = randomPolicy(r, "team:t" + round);
            record Ticket(List<Policy> scopes, String lease, long admittedMs, long tokens) {}
            List<Ticket> open = new ArrayList<>();
            // starts 40 min before an hour boundary: the 1h budgets roll over halfway
            long now = 29_000_000L * MIN + 20 * MIN + r.nextInt(60_000);
            int admitted = 0;
            int refused = 0;
            try (MemoryLimitStore memory = new MemoryLimitStore()) {
                for (int step = 0; step < 400; step++) {
                    now += r.nextInt(4) == 0 ? r.nextInt(30_000) : r.nextInt(800);
                    int op = r.nextInt(10);
                    if (op < 6 || open.isEmpty()) {
                        Policy k = keys[r.nextInt(keys.length)];
                        List<Policy> scopes = r.nextBoolean() ? List.of(k) : List.of(k, team);
                        long tokens = r.nextInt(5) == 0 ? 0 : r.nextInt(400);
                        String lease = "l" + step;
                        long leaseMs = 5_000 + r.nextInt(120_000);
                        Decision m = get(memory.admit(scopes, tokens, lease, leaseMs, now));
                        Decision d = get(store.admit(scopes, tokens, lease, leaseMs, now));
                        assertThat(d).as("admission at step %d", step).isEqualTo(m);
                        if (m.admitted()) {
                            admitted++;
                            open.add(new Ticket(scopes, lease, now, tokens));
                        } else {
                            refused++;
                        }
                    } else {
                        Ticket t = open.remove(r.nextInt(open.size()));
                        if (r.nextInt(3) > 0) {
                            memory.release(t.scopes, t.lease);
                            store.release(t.scopes, t.lease);
                        }
                        long delta = r.nextInt(600) - t.tokens;
                        long cost = r.nextInt(4) == 0 ? 0 : r.nextInt(300_000);
                        long[] m = get(memory.settle(t.scopes, t.admittedMs, delta, cost, now));
                        long[] d = get(store.settle(t.scopes, t.admittedMs, delta, cost, now));
                        assertThat(d).as("settle at step %d", step).isEqualTo(m);
                    }
                }
            }
            assertThat(admitted).as("the sequence admits some calls").isGreaterThan(20);
            assertThat(refused).as("and refuses some").isGreaterThan(20);
        }
    }

    private static Policy randomPolicy(Random r, String scope) {
        return new Policy(
                scope,
                r.nextInt(3) == 0 ? null : (long) (3 + r.nextInt(40)),
                r.nextInt(3) == 0 ? null : (long) (200 + r.nextInt(3000)),
                r.nextInt(3) == 0 ? null : 1 + r.nextInt(6),
                r.nextInt(3) == 0 ? null : (long) (200_000 + r.nextInt(3_000_000)),
                BudgetPeriod.parse("1h"),
                0.8);
    }

    @Test
    void aScriptFlushedFromRedisIsSentAgain() throws Exception {
        List<Policy> key = List.of(policy("key:bot", 5L, null, null, 5_000_000L));
        assertThat(admit(store, key, 0, "a", T0).admitted()).isTrue();
        redis.scriptFlush();
        assertThat(admit(store, key, 0, "b", T0 + 1).admitted()).isTrue();
        redis.scriptFlush();
        assertThat(get(store.settle(key, T0, 0, 7, T0 + 2))).containsExactly(7);
        assertThat(redis.get(store.requestsKey(Math.floorDiv(T0, MIN), "key:bot")))
                .isEqualTo("2");
    }

    @Test
    void theFactoryOpensTheStoreTheConfigNames() throws Exception {
        try (LimitStore m = LimitStores.open(LimitsStoreSpec.DEFAULTS)) {
            assertThat(m).isInstanceOf(MemoryLimitStore.class);
        }
        try (LimitStore s = LimitStores.open(new LimitsStoreSpec("redis", URL, null, 500L, prefix))) {
            assertThat(s).isInstanceOf(RedisLimitStore.class);
            awaitConnected(s);
            assertThat(s.toString()).doesNotContain("redis://");
            assertThat(((RedisLimitStore) s).clockSkewMs()).isBetween(-1000L, 1000L);
        }
        assertThatThrownBy(() -> LimitStores.open(new LimitsStoreSpec("redis", null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("url");
    }
}
