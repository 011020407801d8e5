package io.junction.server.cache;

import io.junction.core.cache.CachedAnswer;
import io.junction.core.cache.ResponseCache;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Usage;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * connection handling is the one of {@link io.junction.server.limits.RedisLimitStore}.
 */
public final class RedisResponseCache implements ResponseCache {
    private static final Logger log = LoggerFactory.getLogger(RedisResponseCache.class);

    /** Receives every failed operation ({@code get} or {@code put}); the metrics count them. */
    @FunctionalInterface
    public interface Errors {
        void failed(String op);
    }

    static final int MAX_PENDING_PUTS = 1000;
    private static final long MAX_CONNECT_BACKOFF_MS = 5_000;
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String where;
    private final String keyPrefix;
    private final long ttlMs;
    private final long timeoutMs;
    private final Errors errors;
    private final AtomicInteger pendingPuts = new AtomicInteger();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile String lastError = "not connected yet";
    private volatile boolean closed;

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
        this.uri = RedisURI.create(url);
        this.where = uri.getHost() + ":" + uri.getPort() + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
        this.keyPrefix = prefix + ":cache:";
        this.ttlMs = ttlMs;
        this.timeoutMs = timeoutMs;
        this.errors = errors == null ? op -> {} : errors;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // while disconnected, fail commands at once instead of buffering them until a reconnect
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // a slow Redis fills a bounded queue; past it commands fail instead of piling up
                .requestQueueSize(10_000)
                // the backstop for writes (lookups have their own, shorter, timeoutMs)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(Math.max(1000, 5 * timeoutMs))))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofMillis(Math.max(1000, timeoutMs)))
                        .keepAlive(SocketOptions.KeepAliveOptions.builder()
                                .enable()
                                .idle(Duration.ofSeconds(15))
                                .interval(Duration.ofSeconds(5))
                                .count(3)
                                .build())
                        .build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                if (lastError != null && connection != null) {
                    log.info("response cache: reconnected to Redis at {}", where);
                }
                lastError = null;
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (!closed) {
                    lastError = "connection lost";
                    log.warn("response cache: lost the connection to Redis at {}; reconnecting", where);
                }
            }

            @Override
            public void onRedisExceptionCaught(RedisChannelHandler<?, ?> c, Throwable cause) {
                lastError = String.valueOf(cause);
            }
        });
        connect(100);
        // the first decode builds Jackson's deserializers (tens of ms): not on the first hit's time
        resources.eventExecutorGroup().execute(RedisResponseCache::warmUp);
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

    private void connect(long backoffMs) {
        if (closed) {
            return;
        }
        client.connectAsync(CODEC, uri).whenComplete((c, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                String was = lastError;
                lastError = cause.getMessage() == null ? cause.toString() : cause.getMessage();
                if (!lastError.equals(was)) {
                    log.warn(
                            "response cache: cannot connect to Redis at {} ({}); every lookup is a miss until it"
                                    + " can, retrying in the background",
                            where,
                            lastError);
                }
                if (!closed) {
                    resources
                            .eventExecutorGroup()
                            .schedule(
                                    () -> connect(Math.min(MAX_CONNECT_BACKOFF_MS, backoffMs * 2)),
                                    backoffMs,
                                    TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (closed) {
                c.closeAsync();
                return;
            }
            connection = c;
            lastError = null;
            log.info("response cache: connected to Redis at {}", where);
        });
    }

    /** Null while connected; else why not (no secrets: the URL is never shown). */
    public String unhealthyReason() {
        if (closed) {
            return "response cache closed";
        }
        StatefulRedisConnection<String, byte[]> c = connection;
        String error = lastError;
        if (c == null || !c.isOpen()) {
            return "Redis at " + where + " unreachable: " + (error == null ? "disconnected" : error);
        }
        return null;
    }

    /** The Redis key of a cache key. */
    String redisKey(String key) {
        return keyPrefix + key;
    }

    /** The connection when it can take commands now, else null. */
    private StatefulRedisConnection<String, byte[]> live() {
        StatefulRedisConnection<String, byte[]> c = connection;
        return closed || c == null || !c.isOpen() ? null : c;
    }

    @Override
    public CompletionStage<CachedAnswer> get(String key) {
        StatefulRedisConnection<String, byte[]> c = live();
        if (c == null) {
            if (!closed) {
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
        StatefulRedisConnection<String, byte[]> c = live();
        if (c == null) {
            if (!closed) {
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
                        if (error != null && !closed) {
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
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /**
     * Closes the connection and Lettuce's threads (entries stay in Redis); waits up to a few seconds,
     * so call it off the event loops. Later lookups are misses and writes are dropped, silently.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "redis " + where + " (prefix " + keyPrefix.substring(0, keyPrefix.length() - ":cache:".length()) + ")";
    }
}
