package io.junction.server.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.junction.core.cache.CacheKey;
import io.junction.core.cache.CachedAnswer;
import io.junction.core.config.CacheSpec;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Usage;
import io.junction.core.validate.RequestParser;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis response cache on a real Redis server: the one {@code .ci/redis.sh} starts (it exports
 * {@code JUNCTION_TEST_REDIS_URL}; {@code .ci/run} sources it). Without that variable the tests that
 * need Redis are reported skipped; the Redis-down tests need none. Each test uses its own prefix.
 */
class RedisResponseCacheTest {
    static final String URL = System.getenv("JUNCTION_TEST_REDIS_URL");

    private static RedisClient admin;
    private static StatefulRedisConnection<String, String> adminConnection;
    private static RedisCommands<String, String> redis;

    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

    static void assumeRedis() {
        Assumptions.assumeTrue(
                URL != null,
                "no Redis: run '. .ci/redis.sh' first (CI does) to set JUNCTION_TEST_REDIS_URL;"
                        + " the Redis response-cache test is SKIPPED");
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

    static CachedAnswer answer(String text) {
        ChatResponse r = new ChatResponse(
                "chatcmpl-1",
                "chat.completion",
                1L,
                "gpt-4o-mini-2024-07-18",
                List.of(new ChatResponse.Choice(0, ChatMessage.of("assistant", text), null, "stop", null)),
                Usage.of(3, 4),
                "fp_1",
                null,
                null,
                null);
        return new CachedAnswer(r, "oai", "gpt-4o-mini", 1_700_000_000_000L);
    }

    private RedisResponseCache open(String url, String prefix, long ttlMs, long timeoutMs) {
        return new RedisResponseCache(
                url, prefix, ttlMs, timeoutMs, op -> errors.computeIfAbsent(op, x -> new AtomicLong())
                        .incrementAndGet());
    }

    private long errors(String op) {
        AtomicLong n = errors.get(op);
        return n == null ? 0 : n.get();
    }

    static void awaitConnected(RedisResponseCache c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.unhealthyReason() != null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(c.unhealthyReason()).as("connected").isNull();
    }

    static <T> T get(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Waits until Redis holds {@code key} (puts are fire-and-forget). */
    private static void awaitStored(String redisKey) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (redis.exists(redisKey) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(redis.exists(redisKey)).as(redisKey + " stored").isEqualTo(1);
    }

    private static String realKey() {
        ChatRequest req = RequestParser.parse(new java.io.ByteArrayInputStream(
                "{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                        .getBytes(StandardCharsets.UTF_8)));
        return CacheKey.of("key:bot", List.of("oai/gpt-4o-mini"), req);
    }

    @Test
    void aStoredAnswerComesBackWholeFromAnotherInstanceAndExpiresInRedis() throws Exception {
        assumeRedis();
        String prefix = "jt-rc-" + UUID.randomUUID().toString().substring(0, 8);
        String key = realKey();
        CachedAnswer stored = answer("Hello from Redis, with ünïcödé and \"quotes\"");
        try (RedisResponseCache a = open(URL, prefix, 60_000, 2_000);
                RedisResponseCache b = open(URL, prefix, 60_000, 2_000)) {
            awaitConnected(a);
            awaitConnected(b);
            assertThat(get(b.get(key))).as("nothing stored yet").isNull();
            a.put(key, stored);
            String redisKey = prefix + ":cache:" + key;
            assertThat(a.redisKey(key)).isEqualTo(redisKey).matches("jt-rc-[0-9a-f]{8}:cache:jc1:[0-9a-f]{64}");
            awaitStored(redisKey);
            // another instance (b) reads what a wrote: the same record, field for field
            CachedAnswer got = get(b.get(key));
            assertThat(got).isNotNull();
            assertThat(got.toJson()).isEqualTo(stored.toJson());
            assertThat(got.provider()).isEqualTo("oai");
            assertThat(got.storedAtMs()).isEqualTo(stored.storedAtMs());
            assertThat(got.response().choices().get(0).message().text())
                    .isEqualTo("Hello from Redis, with ünïcödé and \"quotes\"");
            // the value is the answer's JSON, readable with redis-cli; Redis expires it after the ttl
            assertThat(redis.get(redisKey)).isEqualTo(new String(stored.toJson(), StandardCharsets.UTF_8));
            assertThat(redis.pttl(redisKey)).isBetween(50_000L, 60_000L);
            assertThat(a.size()).isEqualTo(-1);
            redis.del(redisKey);
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void entriesExpireAfterTheTtl() throws Exception {
        assumeRedis();
        String prefix = "jt-rc-" + UUID.randomUUID().toString().substring(0, 8);
        try (RedisResponseCache c = open(URL, prefix, 300, 2_000)) {
            awaitConnected(c);
            c.put("jc1:short", answer("brief"));
            awaitStored(c.redisKey("jc1:short"));
            assertThat(get(c.get("jc1:short"))).isNotNull();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (get(c.get("jc1:short")) != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(get(c.get("jc1:short"))).as("expired").isNull();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void aValueThatDoesNotDecodeIsAMissAndCounted() throws Exception {
        assumeRedis();
        String prefix = "jt-rc-" + UUID.randomUUID().toString().substring(0, 8);
        try (RedisResponseCache c = open(URL, prefix, 60_000, 2_000)) {
            awaitConnected(c);
            redis.psetex(c.redisKey("jc1:junk"), 60_000, "not json");
            assertThat(get(c.get("jc1:junk"))).isNull();
            assertThat(errors("get")).isEqualTo(1);
            redis.del(c.redisKey("jc1:junk"));
        }
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Needs no Redis: nothing listens on the port. */
    @Test
    void redisDownIsAFastMissAndADroppedWriteCountedNeverAnException() throws Exception {
        int port = closedPort();
        try (RedisResponseCache down = open("redis://:secret@127.0.0.1:" + port, "jt-down", 60_000, 50)) {
            long t = System.nanoTime();
            assertThat(get(down.get("jc1:x"))).isNull();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t)).isLessThan(500);
            assertThatCode(() -> down.put("jc1:x", answer("lost"))).doesNotThrowAnyException();
            assertThat(errors("get")).isEqualTo(1);
            assertThat(errors("put")).isEqualTo(1);
            Thread.sleep(300); // the first connection attempt has failed by now
            assertThat(down.unhealthyReason())
                    .contains("127.0.0.1:" + port)
                    .contains("unreachable")
                    .doesNotContain("secret");
            assertThat(down.toString()).doesNotContain("secret");
            t = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertThat(get(down.get("jc1:x" + i))).isNull();
                down.put("jc1:x" + i, answer("lost"));
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t)).isLessThan(1_000);
            assertThat(errors("get")).isEqualTo(101);
        }
    }

    /**
     * A connected Redis that stops answering (a TCP proxy in front of the real one stops forwarding):
     * the lookup is a miss after timeout_ms, not after Lettuce's own (much longer) timeout.
     */
    @Test
    void aStalledRedisIsAMissAfterTheTimeout() throws Exception {
        assumeRedis();
        java.net.URI target = java.net.URI.create(URL);
        java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
        try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        java.net.Socket in = proxy.accept();
                        java.net.Socket out = new java.net.Socket(target.getHost(), target.getPort());
                        Thread.ofVirtual().start(() -> pump(in, out, stalled));
                        Thread.ofVirtual().start(() -> pump(out, in, new java.util.concurrent.atomic.AtomicBoolean()));
                    }
                } catch (java.io.IOException e) {
                    // proxy closed
                }
            });
            String prefix = "jt-rc-" + UUID.randomUUID().toString().substring(0, 8);
            try (RedisResponseCache c = open("redis://127.0.0.1:" + proxy.getLocalPort(), prefix, 60_000, 50)) {
                awaitConnected(c);
                c.put("jc1:k", answer("through the proxy"));
                awaitStored(c.redisKey("jc1:k"));
                // through the proxy (and a cold JVM) the first lookups may take longer than 50 ms
                CachedAnswer through = null;
                for (int i = 0; i < 50 && through == null; i++) {
                    through = get(c.get("jc1:k"));
                }
                assertThat(through).isNotNull();
                errors.clear();
                stalled.set(true);
                long t = System.nanoTime();
                assertThat(get(c.get("jc1:k"))).as("a stalled lookup is a miss").isNull();
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
                assertThat(ms).as("gave up after cache.timeout_ms").isBetween(40L, 500L);
                assertThat(errors("get")).isEqualTo(1);
                assertThatCode(() -> c.put("jc1:k2", answer("stalled"))).doesNotThrowAnyException();
                // let the held commands through before closing: Lettuce closed with commands in flight
                // can leave a buffer unreleased, which the paranoid leak detector (rightly) reports
                stalled.set(false);
                awaitStored(c.redisKey("jc1:k2"));
            } finally {
                stalled.set(false); // lets the held pump finish
            }
            redis.del(prefix + ":cache:jc1:k", prefix + ":cache:jc1:k2");
        }
    }

    private static void pump(
            java.net.Socket from, java.net.Socket to, java.util.concurrent.atomic.AtomicBoolean stall) {
        byte[] buf = new byte[8192];
        try (from;
                to) {
            int n;
            while ((n = from.getInputStream().read(buf)) >= 0) {
                while (stall.get()) {
                    Thread.sleep(10); // hold the bytes: Redis never sees the command
                }
                to.getOutputStream().write(buf, 0, n);
            }
        } catch (java.io.IOException | InterruptedException e) {
            // either side closed
        }
    }

    @Test
    void aClosedCacheMissesAndDropsSilently() throws Exception {
        RedisResponseCache c = open("redis://127.0.0.1:" + closedPort(), "jt-closed", 60_000, 50);
        c.close();
        assertThat(get(c.get("jc1:x"))).isNull();
        assertThatCode(() -> c.put("jc1:x", answer("lost"))).doesNotThrowAnyException();
        assertThat(c.unhealthyReason()).isEqualTo("response cache closed");
        assertThat(errors).isEmpty();
        c.close(); // twice is fine
    }

    @Test
    void theServiceCountsErrorsByOpAndReportsAnUnknownSizeAsNaN() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CacheService.Meters meters = new CacheService.Meters(registry);
        CacheSpec spec = new CacheSpec(
                true, "redis", null, null, null, null, null, null, "redis://127.0.0.1:" + closedPort(), 50L, "jt");
        CacheService service = CacheService.create(spec, meters);
        try {
            assertThat(service.store()).isInstanceOf(RedisResponseCache.class);
            assertThat(get(service.store().get("jc1:x"))).isNull();
            service.store().put("jc1:x", answer("x"));
            assertThat(registry.get("junction.cache.errors")
                            .tag("op", "get")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("junction.cache.errors")
                            .tag("op", "put")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("junction.cache.entries").gauge().value()).isNaN();
            assertThat(service.readinessDetail()).startsWith("degraded").contains("unreachable");
        } finally {
            service.close();
        }
        assertThat(CacheService.create(CacheSpec.DEFAULTS, meters).readinessDetail())
                .isEqualTo("off");
    }
}
