package io.junction.core.config;

import java.util.List;

/**
 * {@code server:} — where Junction listens and how it treats client connections and calls.
 *
 * @param host bind address (default 127.0.0.1; use 0.0.0.0 in containers)
 * @param port TCP port (default 8080; 0 picks a free port)
 * @param maxBodyBytes largest accepted request body; bigger bodies get 413 (default 10 MiB)
 * @param extraFields whether responses carry Junction's {@code extra_fields} block (default true)
 * @param eventLoopThreads Netty worker threads (default: number of cores)
 * @param idleTimeoutMs close a client connection idle this long (default 120000)
 * @param requestTimeoutMs deadline for a whole chat call, all attempts included (default 600000)
 * @param streamKeepaliveMs while a stream waits for its first token, send an SSE comment this often
 *     (default 10000; 0 turns it off)
 * @param drainTimeoutMs on SIGTERM, how long in-flight calls may run before they are ended with a
 *     {@code server_shutting_down} error (default 30000; 0 ends them at once)
 * @param watchConfig reload the config file when it changes (default true; SIGHUP reloads either way)
 * @param transport the Netty transport of the event loops: {@code auto} (default), {@code epoll},
 *     {@code io_uring} or {@code nio}; one that this machine lacks falls back (see {@link #TRANSPORTS})
 */
public record ServerSpec(
        String host,
        Integer port,
        Long maxBodyBytes,
        Boolean extraFields,
        Integer eventLoopThreads,
        Long idleTimeoutMs,
        Long requestTimeoutMs,
        Long streamKeepaliveMs,
        Long drainTimeoutMs,
        Boolean watchConfig,
        String transport) {

    /** The values {@code server.transport} accepts. */
    public static final List<String> TRANSPORTS = List.of("auto", "epoll", "io_uring", "nio");

    public static final ServerSpec DEFAULTS =
            new ServerSpec(null, null, null, null, null, null, null, null, null, null, null);

    public ServerSpec {
        host = host == null ? "127.0.0.1" : host;
        port = port == null ? 8080 : port;
        maxBodyBytes = maxBodyBytes == null ? 10L * 1024 * 1024 : maxBodyBytes;
        extraFields = extraFields == null ? Boolean.TRUE : extraFields;
        eventLoopThreads = eventLoopThreads == null ? 0 : eventLoopThreads;
        idleTimeoutMs = idleTimeoutMs == null ? 120_000L : idleTimeoutMs;
        requestTimeoutMs = requestTimeoutMs == null ? 600_000L : requestTimeoutMs;
        streamKeepaliveMs = streamKeepaliveMs == null ? 10_000L : streamKeepaliveMs;
        drainTimeoutMs = drainTimeoutMs == null ? 30_000L : drainTimeoutMs;
        watchConfig = watchConfig == null ? Boolean.TRUE : watchConfig;
        transport = transport == null ? "auto" : transport;
    }
}
