package io.junction.server.cache;

import io.junction.core.cache.CachedAnswer;
import io.junction.core.cache.ResponseCache;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Usage;
import io.junction.server.redis.RedisLink;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared response cache ({@code cache.store: redis}): every Junction instance pointing at the same
 * Redis (and {@code prefix}) sees the others' answers, so a request answered by one instance is a hit
 * on all of them.
 *
 * <h2>Keys and values</h2>
 *
 * One Redis string per entry: key {@code <prefix>:cache:<cache key>} — the cache key is
 * {@link io.junction.core.cache.CacheKey}'s {@code jc1:<SHA-256 hex>}, already scoped (key, team or
 * global) — and value {@link CachedAnswer#toJson()} (readable with {@code redis-cli GET}), written with
 * {@code SET ... PX <ttl>}, so Redis expires it. Keys carry no hash tag: in a Redis Cluster entries
 * spread over the slots. How much Redis keeps is Redis's business ({@code maxmemory} with an eviction
 * policy such as {@code allkeys-lru}); {@link #size()} is unknown (-1).
 *
 * <h2>Failures</h2>
 *
 * The cache never fails a request. A lookup answers within {@code timeoutMs} (default 50): Redis down,
 * slow, or a value that does not decode is a miss (null), never an exceptional completion. A write is
 * fire-and-forget: while Redis is down, or when more than {@value #MAX_PENDING_PUTS} writes are
 * waiting for Redis, it is dropped. Each failure is reported to {@link Errors} (the
 * {@code junction_cache_errors_total{op}} counter) and logged at most every 10 s.
 *
 * <p>Nothing waits for Redis on the caller's thread (a Netty event loop): commands are handed to
 * Lettuce's own I/O thread (its own {@link ClientResources}: one I/O and one computation thread) and
 * lookups complete there (or on the JDK's timeout thread); the caller hops back to its loop. While
 * Redis is down commands are rejected at once ({@code REJECT_COMMANDS}), not queued. The gateway
 * starts when Redis is down: the first connection is retried in the background (backoff up to 5 s),
 * and Lettuce reconnects a lost one; {@link #unhealthyReason} says so meanwhile (readiness). The
 * connection handling is {@link RedisLink}'s, shared with the limits store.
 */
public final class RedisResponseCache implements ResponseCache {
    private static final Logger log = LoggerFactory.getLogger(RedisResponseCache.class);

    /** Receives every failed operation ({@code get} or {@code put}); the metrics count them. */
    @FunctionalInterface
    public interface Errors {
        void failed(String op);
    }

    static final int MAX_PENDING_PUTS = 1000;
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisLink<byte[]> link;
    private final String keyPrefix;
    private final long ttlMs;
    private final long timeoutMs;
    private final Errors errors;
    private final AtomicInteger pendingPuts = new AtomicInteger();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    /**
     * Opens the cache and starts connecting in the background; returns at once, even when Redis is
     * down.
     *
     * @param url {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://} for TLS
     * @param prefix the first part of every key
     * @param ttlMs how long Redis keeps an entry
     * @param timeoutMs how long a lookup waits for Redis before it is a miss
     * @param errors told of every failed lookup or write; null for none
     */
    public RedisResponseCache(String url, String prefix, long ttlMs, long timeoutMs, Errors errors) {
        this.keyPrefix = prefix + ":cache:";
        this.ttlMs = ttlMs;
        this.timeoutMs = timeoutMs;
        this.errors = errors == null ? op -> {} : errors;
        this.link =
                new RedisLink<>("response cache", url, CODEC, timeoutMs, "every lookup is a miss until it can", null);
        // the first decode builds Jackson's deserializers (tens of ms): not on the first hit's time
        link.executor().execute(RedisResponseCache::warmUp);
    }

    private static void warmUp() {
        try {
            CachedAnswer.fromJson(new CachedAnswer(
                            new ChatResponse(
                                    "warm-up",
                                    "chat.completion",
                                    0L,
                                    "m",
                                    List.of(new ChatResponse.Choice(
                                            0, ChatMessage.of("assistant", "."), null, "stop", null)),
                                    Usage.of(1, 1),
                                    null,
                                    null,
                                    null,
                                    null),
                            "p",
                            "m",
                            0L)
                    .toJson());
        } catch (RuntimeException e) {
            log.debug("response cache: warm-up failed", e);
        }
    }

    /** Null while connected; else why not (no secrets: the URL is never shown). */
    public String unhealthyReason() {
        return link.unhealthyReason();
    }

    /** The Redis key of a cache key. */
    String redisKey(String key) {
        return keyPrefix + key;
    }

    @Override
    public CompletionStage<CachedAnswer> get(String key) {
        StatefulRedisConnection<String, byte[]> c = link.live();
        if (c == null) {
            if (!link.closed()) {
                failed("get", null);
            }
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<byte[]> reply;
        try {
            reply = c.async().get(redisKey(key)).toCompletableFuture();
        } catch (RuntimeException e) {
            failed("get", e);
            return CompletableFuture.completedFuture(null);
        }
        // the wait for Redis is bounded (a separate future: timing out never touches Lettuce's command)
        CompletableFuture<byte[]> bounded = new CompletableFuture<>();
        reply.whenComplete((bytes, error) -> {
            if (error != null) {
                bounded.completeExceptionally(error);
            } else {
                bounded.complete(bytes);
            }
        });
        return bounded.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).handle((bytes, error) -> {
            if (error != null) {
                failed("get", unwrap(error));
                return null;
            }
            if (bytes == null) {
                return null;
            }
            try {
                return CachedAnswer.fromJson(bytes); // on Lettuce's thread, not the caller's event loop
            } catch (RuntimeException e) {
                failed("get", e);
                return null;
            }
        });
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        StatefulRedisConnection<String, byte[]> c = link.live();
        if (c == null) {
            if (!link.closed()) {
                failed("put", null);
            }
            return;
        }
        if (pendingPuts.incrementAndGet() > MAX_PENDING_PUTS) {
            pendingPuts.decrementAndGet();
            failed("put", new IllegalStateException(MAX_PENDING_PUTS + " writes already waiting for Redis"));
            return;
        }
        try {
            c.async()
                    .set(redisKey(key), answer.toJson(), SetArgs.Builder.px(ttlMs))
                    .whenComplete((ok, error) -> {
                        pendingPuts.decrementAndGet();
                        if (error != null && !link.closed()) {
                            failed("put", unwrap(error));
                        }
                    });
        } catch (RuntimeException e) {
            pendingPuts.decrementAndGet();
            failed("put", e);
        }
    }

    /** Unknown: Redis holds the entries of every instance (and may hold other data). */
    @Override
    public long size() {
        return -1;
    }

    private void failed(String op, Throwable cause) {
        errors.failed(op);
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            String why = cause == null
                    ? unhealthyReason()
                    : cause instanceof TimeoutException
                            ? "no answer within " + timeoutMs + " ms (cache.timeout_ms)"
                            : cause.toString();
            log.warn(
                    "response cache: Redis {} failed ({}); lookups are misses and answers are not stored while it"
                            + " fails (logged at most every 10 s)",
                    op,
                    why);
        }
    }

    private static Throwable unwrap(Throwable t) {
        return RedisLink.unwrap(t);
    }

    /**
     * Closes the connection and Lettuce's threads (entries stay in Redis); waits up to a few seconds,
     * so call it off the event loops. Later lookups are misses and writes are dropped, silently.
     */
    @Override
    public void close() {
        link.close();
    }

    @Override
    public String toString() {
        return "redis " + link.where() + " (prefix " + keyPrefix.substring(0, keyPrefix.length() - ":cache:".length())
                + ")";
    }
}
