package io.junction.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.junction.core.config.CacheSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * The in-process store ({@code cache.store: memory}): a Caffeine cache with a time to live from
 * write, bounded by entry count (least recently used go first) or by the approximate bytes of the
 * stored answers. Lookups and writes are non-blocking and complete at once; Caffeine's maintenance
 * runs on its own executor, not on the caller's thread.
 */
public final class CaffeineResponseCache implements ResponseCache {
    private record Entry(CachedAnswer answer, int weight) {}

    private final Cache<String, Entry> cache;
    private final boolean weighed;

    public CaffeineResponseCache(CacheSpec spec) {
        this(spec, null);
    }

    /** With a clock for tests ({@link System#nanoTime()} semantics); null for the system clock. */
    public CaffeineResponseCache(CacheSpec spec, LongSupplier nanoTime) {
        Caffeine<Object, Object> b = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(spec.ttlMillis()));
        if (nanoTime != null) {
            b.ticker(nanoTime::getAsLong).executor(Runnable::run);
        }
        weighed = spec.maxBytes() != null;
        Cache<String, Entry> c;
        if (weighed) {
            c = b.maximumWeight(spec.maxBytes())
                    .<String, Entry>weigher((k, e) -> e.weight())
                    .build();
        } else {
            c = b.maximumSize(spec.effectiveMaxEntries()).build();
        }
        cache = c;
    }

    @Override
    public CompletionStage<CachedAnswer> get(String key) {
        Entry e = cache.getIfPresent(key);
        return CompletableFuture.completedFuture(e == null ? null : e.answer());
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        cache.put(key, new Entry(answer, weighed ? answer.weight() + key.length() : 1));
    }

    @Override
    public long size() {
        return cache.estimatedSize();
    }

    /** Runs pending evictions and expirations now (tests). */
    public void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public void close() {
        cache.invalidateAll();
    }
}
