package io.junction.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.govern.BudgetPeriod;
import io.junction.core.govern.Decision;
import io.junction.core.govern.Policy;
import io.lettuce.core.RedisClient;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a Redis admission adds to a call: N admissions of a key and its team (rpm, tpm, concurrency
 * and budget on the key, rpm on the team: the whole script) one after another against the test
 * Redis, timed from {@code admit} to the completed stage (next to a plain PING round trip), then the
 * same with 32 in flight. Prints
 * p50/p99/p99.9; asserts only that it is in the right order of magnitude (a shared CI machine is
 * noisy). More samples: {@code -Djunction.redis.latency.n=20000}.
 */
class RedisAdmissionLatencyTest {
    @Test
    void measureAdmissionLatency() throws Exception {
        RedisLimitStoreTest.assumeRedis();
        int n = Integer.getInteger("junction.redis.latency.n", 3000);
        String prefix = "jt-lat-" + UUID.randomUUID().toString().substring(0, 8);
        // The test JVMs run Netty's leak detector at paranoid, which records a stack trace on every
        // access to every buffer: ~20 us per command argument in Lettuce's encoder, several times the
        // cost being measured. Production runs at Netty's default (simple, sampled): measure that.
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try (RedisLimitStore store = new RedisLimitStore(RedisLimitStoreTest.URL, prefix, 2_000)) {
            RedisLimitStoreTest.awaitConnected(store);
            Policy key = new Policy(
                    "key:lat", 1_000_000L, 1_000_000_000L, 1_000_000, 1_000_000_000L, BudgetPeriod.parse("1d"), 0.8);
            Policy team = new Policy("team:lat", 1_000_000L, null, null, null, null, 0.8);
            List<Policy> scopes = List.of(key, team);
            // warm up: JIT, the script cache, the connection
            for (int i = 0; i < 500; i++) {
                RedisLimitStoreTest.get(store.admit(scopes, 100, "w" + i, 1000, System.currentTimeMillis()));
            }
            // the baseline: one round trip to the same Redis on a connection of the same kind
            RedisClient pingClient = RedisClient.create(RedisLimitStoreTest.URL);
            try (var ping = pingClient.connect()) {
                for (int i = 0; i < 500; i++) {
                    ping.async().ping().get(5, TimeUnit.SECONDS);
                }
                long[] rtt = new long[n];
                for (int i = 0; i < n; i++) {
                    long t = System.nanoTime();
                    ping.async().ping().get(5, TimeUnit.SECONDS);
                    rtt[i] = System.nanoTime() - t;
                }
                print("PING round trip, for comparison", rtt, n);
            } finally {
                pingClient.shutdown();
            }
            long[] sequential = new long[n];
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                Decision d = store.admit(scopes, 100, "s" + i, 1000, System.currentTimeMillis())
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                sequential[i] = System.nanoTime() - t;
                assertThat(d.admitted()).isTrue();
            }
            print("one at a time", sequential, n);

            // 32 in flight: each completion starts the next admission
            int inFlight = 32;
            long[] concurrent = new long[n];
            long start = System.nanoTime();
            List<CompletableFuture<Void>> chains = new ArrayList<>();
            int[] next = {0};
            for (int c = 0; c < inFlight; c++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                chains.add(done);
                startNext(store, scopes, concurrent, next, done);
            }
            CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long wallNs = System.nanoTime() - start;
            print(inFlight + " in flight", concurrent, n);
            System.out.printf(
                    Locale.ROOT,
                    "redis admission throughput with %d in flight: %.0f admissions/s%n",
                    inFlight,
                    n / (wallNs / 1e9));
            Arrays.sort(sequential);
            assertThat(sequential[n / 2]).as("p50 ns").isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
        } finally {
            ResourceLeakDetector.setLevel(level);
            RedisClient adminClient = RedisClient.create(RedisLimitStoreTest.URL);
            try (var admin = adminClient.connect()) {
                var keys = admin.sync().keys("{" + prefix + "}:*");
                if (!keys.isEmpty()) {
                    admin.sync().del(keys.toArray(String[]::new));
                }
            } finally {
                adminClient.shutdown();
            }
        }
    }

    private static void startNext(
            RedisLimitStore store, List<Policy> scopes, long[] out, int[] next, CompletableFuture<Void> done) {
        int i;
        synchronized (next) {
            i = next[0]++;
        }
        if (i >= out.length) {
            done.complete(null);
            return;
        }
        long t = System.nanoTime();
        store.admit(scopes, 100, "c" + i, 1000, System.currentTimeMillis()).whenComplete((d, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
                return;
            }
            out[i] = System.nanoTime() - t;
            startNext(store, scopes, out, next, done);
        });
    }

    private static void print(String what, long[] ns, int n) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf(
                Locale.ROOT,
                "redis admission latency (%s, n=%d): p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                what,
                n,
                s[n / 2] / 1e3,
                s[(int) (n * 0.99)] / 1e3,
                s[(int) (n * 0.999)] / 1e3,
                s[n - 1] / 1e3);
    }
}
