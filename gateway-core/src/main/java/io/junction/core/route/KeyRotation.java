package io.junction.core.route;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;

/**
 * Round-robin over a provider's API keys, skipping keys that are cooling down: a key the provider
 * rejected (401/403) or rate-limited (429) rests on its own while the others carry the traffic.
 * Shared by every event loop; lock-free.
 */
public final class KeyRotation {
    static final long REJECTED_COOLDOWN_NANOS = 300_000_000_000L; // 5 min: a bad key rarely heals sooner
    static final long RATE_LIMITED_COOLDOWN_NANOS = 30_000_000_000L; // without Retry-After

    private final ConcurrentHashMap<String, Pool> pools = new ConcurrentHashMap<>();

    static final class Pool {
        final AtomicInteger next = new AtomicInteger();
        final AtomicLongArray restUntil;

        Pool(int size) {
            restUntil = new AtomicLongArray(size);
            for (int i = 0; i < size; i++) {
                restUntil.set(i, Long.MIN_VALUE);
            }
        }
    }

    private Pool pool(String provider, int size) {
        Pool p = pools.get(provider);
        if (p == null || p.restUntil.length() != size) {
            p = pools.compute(
                    provider, (k, old) -> old != null && old.restUntil.length() == size ? old : new Pool(size));
        }
        return p;
    }

    /**
     * The index of the key to use now: the next one in turn that is not resting, or, when all rest,
     * the one whose rest ends first.
     */
    public int pick(String provider, List<String> keys, long nowNanos) {
        return pick(provider, keys, nowNanos, null);
    }

    /**
     * As {@link #pick(String, List, long)}, also passing over keys that {@code usable} refuses (a key
     * whose rate limit is spent, see {@link ProviderQuotas}); when none is left, the soonest rested
     * key among the usable ones, else among all.
     */
    public int pick(String provider, List<String> keys, long nowNanos, IntPredicate usable) {
        int n = keys.size();
        if (n <= 1) {
            return 0;
        }
        Pool p = pool(provider, n);
        int start = Math.floorMod(p.next.getAndIncrement(), n);
        int soonest = start;
        int soonestUsable = -1;
        for (int i = 0; i < n; i++) {
            int k = (start + i) % n;
            long until = p.restUntil.get(k);
            boolean ok = usable == null || usable.test(k);
            if (until <= nowNanos && ok) {
                return k;
            }
            if (until < p.restUntil.get(soonest)) {
                soonest = k;
            }
            if (ok && (soonestUsable < 0 || until < p.restUntil.get(soonestUsable))) {
                soonestUsable = k;
            }
        }
        return soonestUsable >= 0 ? soonestUsable : soonest;
    }

    /** Rests key {@code index} of {@code provider} until {@code untilNanos}. */
    public void rest(String provider, int size, int index, long untilNanos) {
        if (size <= 1) {
            return;
        }
        AtomicLongArray r = pool(provider, size).restUntil;
        r.accumulateAndGet(index, untilNanos, Math::max);
    }
}
