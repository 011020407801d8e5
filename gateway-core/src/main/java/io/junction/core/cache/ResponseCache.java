package io.junction.core.cache;

import java.util.concurrent.CompletionStage;

/**
 * Where cached answers live. The in-process store is {@link CaffeineResponseCache}; a shared store
 * (Redis, ...) implements the same three operations and keeps values as {@link CachedAnswer#toJson()}.
 *
 * <p>Called on Netty event loops, so no method may block: a remote store returns a stage that
 * completes later (on any thread; the caller hops back to its loop) and writes in the background.
 * Keys come from {@link CacheKey} and are already scoped; a store must not interpret them.
 */
public interface ResponseCache extends AutoCloseable {

    /**
     * The entry stored under {@code key}, or null when there is none (or it expired). A store that
     * fails should complete with null (a miss) rather than exceptionally; the caller treats an
     * exceptional completion as a miss too.
     */
    CompletionStage<CachedAnswer> get(String key);

    /** Stores {@code answer} under {@code key}, replacing any entry; returns at once. */
    void put(String key, CachedAnswer answer);

    /** Entries held now (approximate); -1 when the store cannot tell cheaply. */
    long size();

    /** Releases the store's resources; entries of an in-process store are dropped. */
    @Override
    void close();
}
