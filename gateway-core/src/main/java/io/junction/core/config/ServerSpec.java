package io.junction.core.config;

/**
 * {@code server:} — where Junction listens and how it treats client connections.
 *
 * @param host bind address (default 127.0.0.1; use 0.0.0.0 in containers)
 * @param port TCP port (default 8080; 0 picks a free port)
 * @param maxBodyBytes largest accepted request body; bigger bodies get 413 (default 10 MiB)
 * @param extraFields whether responses carry Junction's {@code extra_fields} block (default true)
 * @param eventLoopThreads Netty worker threads (default: number of cores)
 * @param idleTimeoutMs close a client connection idle this long (default 120000)
 */
public record ServerSpec(
        String host,
        Integer port,
        Long maxBodyBytes,
        Boolean extraFields,
        Integer eventLoopThreads,
        Long idleTimeoutMs) {

    public static final ServerSpec DEFAULTS = new ServerSpec(null, null, null, null, null, null);

    public ServerSpec {
        host = host == null ? "127.0.0.1" : host;
        port = port == null ? 8080 : port;
        maxBodyBytes = maxBodyBytes == null ? 10L * 1024 * 1024 : maxBodyBytes;
        extraFields = extraFields == null ? Boolean.TRUE : extraFields;
        eventLoopThreads = eventLoopThreads == null ? 0 : eventLoopThreads;
        idleTimeoutMs = idleTimeoutMs == null ? 120_000L : idleTimeoutMs;
    }
}
