package io.junction.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lettuce connection to Redis as Junction's Redis-backed stores need it (the limits store, the
 * response cache): its own small thread pools (one I/O, one computation thread — never Junction's
 * event loops), a first connection retried in the background with backoff up to 5 s (so the gateway
 * starts while Redis is down), Lettuce's automatic reconnects afterwards, commands rejected at once
 * while disconnected rather than queued, a bounded request queue, a backstop timeout on every
 * command, and TCP keep-alive to notice a peer that vanished. The URL (which may hold a password) is
 * never logged: only host, port and database are.
 *
 * @param <V> the value type of the codec
 */
public final class RedisLink<V> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    private static final long MAX_CONNECT_BACKOFF_MS = 5_000;

    private final String what;
    private final RedisCodec<String, V> codec;
    private final RedisURI uri;
    private final String where;
    private final ClientResources resources;
    private final RedisClient client;
    private final String offlineNote;
    private final Consumer<StatefulRedisConnection<String, V>> onConnect;

    private volatile StatefulRedisConnection<String, V> connection;
    /** The connection attempt in progress (or the last one): {@link #close} waits for it. */
    private volatile CompletableFuture<StatefulRedisConnection<String, V>> connecting;

    private volatile String lastError = "not connected yet";
    private volatile boolean closed;

    /**
     * Starts connecting in the background and returns at once.
     *
     * @param what the store's name in log lines and reasons ({@code limits store}, {@code response cache})
     * @param url {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://} for TLS
     * @param timeoutMs the store's own wait for an answer: the connect timeout and the per-command
     *     backstop are derived from it (at least 1 s, and 5 × for commands)
     * @param offlineNote appended to the "cannot connect" log line: what the store does meanwhile
     * @param onConnect runs on Lettuce's thread after each first or renewed connection, e.g. checks
     */
    public RedisLink(
            String what,
            String url,
            RedisCodec<String, V> codec,
            long timeoutMs,
            String offlineNote,
            Consumer<StatefulRedisConnection<String, V>> onConnect) {
        this.what = what;
        this.codec = codec;
        this.uri = RedisURI.create(url);
        this.where = uri.getHost() + ":" + uri.getPort() + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
        this.offlineNote = offlineNote;
        this.onConnect = onConnect == null ? c -> {} : onConnect;
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
                // the backstop for every command (the stores bound their own waits by timeoutMs)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(Math.max(1000, 5 * timeoutMs))))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofMillis(Math.max(1000, timeoutMs)))
                        // a peer that vanished without a FIN is noticed and the connection remade
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
                    log.info("{}: reconnected to Redis at {}", what, where);
                }
                lastError = null;
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (!closed) {
                    lastError = "connection lost";
                    log.warn("{}: lost the connection to Redis at {}; reconnecting", what, where);
                }
            }

            @Override
            public void onRedisExceptionCaught(RedisChannelHandler<?, ?> c, Throwable cause) {
                lastError = String.valueOf(cause);
            }
        });
        connect(100);
    }

    private void connect(long backoffMs) {
        if (closed) {
            return;
        }
        CompletableFuture<StatefulRedisConnection<String, V>> attempt =
                client.connectAsync(codec, uri).toCompletableFuture();
        connecting = attempt;
        attempt.whenComplete((c, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                String was = lastError;
                lastError = cause.getMessage() == null ? cause.toString() : cause.getMessage();
                if (!lastError.equals(was)) {
                    log.warn(
                            "{}: cannot connect to Redis at {} ({}); {}retrying in the background",
                            what,
                            where,
                            lastError,
                            offlineNote == null ? "" : offlineNote + ", ");
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
            log.info("{}: connected to Redis at {}", what, where);
            onConnect.accept(c);
        });
    }

    /** The connection when it can take commands now, else null (closed, not connected yet, or lost). */
    public StatefulRedisConnection<String, V> live() {
        StatefulRedisConnection<String, V> c = connection;
        return closed || c == null || !c.isOpen() ? null : c;
    }

    /** {@code host:port[/db]}: where Redis is, without credentials. */
    public String where() {
        return where;
    }

    /** The last connection error, or null while connected. */
    public String lastError() {
        return lastError;
    }

    public boolean closed() {
        return closed;
    }

    /** Null while connected; else why not, for readiness (never the URL). */
    public String unhealthyReason() {
        if (closed) {
            return what + " closed";
        }
        if (live() == null) {
            String error = lastError;
            return "Redis at " + where + " unreachable: " + (error == null ? "disconnected" : error);
        }
        return null;
    }

    /** Lettuce's computation threads: for work that must not run on an event loop. */
    public EventExecutorGroup executor() {
        return resources.eventExecutorGroup();
    }

    /** Completion exceptions unwrapped to their cause. */
    public static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** Closes the connection and Lettuce's threads; waits up to a few seconds: call it off the event loops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A channel still registering when Lettuce's threads stop never gets its read buffer back:
        // let a connection attempt in flight finish first (bounded), then close what it opened.
        CompletableFuture<StatefulRedisConnection<String, V>> attempt = connecting;
        StatefulRedisConnection<String, V> opened = null;
        if (attempt != null) {
            try {
                opened = attempt.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // failed or still hanging: nothing of ours to close
            }
        }
        StatefulRedisConnection<String, V> c = connection;
        if (c != null) {
            c.close();
        }
        if (opened != null && opened != c) {
            opened.close();
        }
        client.shutdown(Duration.ofMillis(50), Duration.ofSeconds(2));
        resources.shutdown(50, 2000, TimeUnit.MILLISECONDS);
    }
}
