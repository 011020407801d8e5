package io.junction.core.route;

import io.junction.core.spi.Target;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live per-target numbers the load balancer reads: requests in flight, and an exponentially weighted
 * moving average of latency (time to first token for streams, to the full answer otherwise).
 * Shared by every event loop; updates are single atomic operations.
 */
public final class TargetStats {
    /** Weight of the newest sample in the average. */
    static final double ALPHA = 0.3;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    static final class Entry {
        final AtomicInteger inflight = new AtomicInteger();
        /** Double bits of the EWMA in nanoseconds; NaN until the first sample. */
        final AtomicLong ewma = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
    }

    private Entry entry(String id) {
        Entry e = entries.get(id);
        return e != null ? e : entries.computeIfAbsent(id, k -> new Entry());
    }

    public void started(Target t) {
        entry(t.id()).inflight.incrementAndGet();
    }

    public void finished(Target t) {
        entry(t.id()).inflight.decrementAndGet();
    }

    /** Adds a latency sample. */
    public void latency(Target t, long nanos) {
        AtomicLong ewma = entry(t.id()).ewma;
        long prev;
        long next;
        do {
            prev = ewma.get();
            double p = Double.longBitsToDouble(prev);
            next = Double.doubleToRawLongBits(Double.isNaN(p) ? nanos : p + ALPHA * (nanos - p));
        } while (!ewma.compareAndSet(prev, next));
    }

    public int inflight(Target t) {
        Entry e = entries.get(t.id());
        return e == null ? 0 : e.inflight.get();
    }

    /** The latency average in nanoseconds, or NaN when the target has no sample yet. */
    public double latencyNanos(Target t) {
        Entry e = entries.get(t.id());
        return e == null ? Double.NaN : Double.longBitsToDouble(e.ewma.get());
    }
}
