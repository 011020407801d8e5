package io.junction.server.ledger;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands items from event loops to one writer thread without a lock: a bounded multi-producer,
 * single-consumer queue whose {@link #offer} never waits. Full means the item is refused (the caller
 * drops and counts it).
 *
 * <p>It replaces {@code ArrayBlockingQueue}, whose {@code offer} takes the same lock as the writer's
 * {@code poll}: when the writer held it, an event loop parked until the writer let go, and on a busy
 * machine a writer preempted while holding the lock stalls the loop for a scheduling slice. The
 * no-blocking test caught such a park (docs/performance-log.md, eighth session).
 *
 * <p>Netty's fixed-size MPSC queue rounds its capacity up to a power of two; a counter keeps the
 * configured capacity exact: the queue never holds more. Near full, an offer racing a {@link #poll}
 * may be refused while the slot is being freed, which for a drop-when-full hand-off is the same
 * outcome a moment earlier. Producers: any threads. Consumer: one thread at a time ({@link #poll}).
 */
public final class BoundedHandoff<T> {
    private final Queue<T> queue;
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    public BoundedHandoff(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
    }

    /** Adds {@code item} unless {@link #capacity} items are waiting; never blocks. */
    public boolean offer(T item) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        if (!queue.offer(item)) { // cannot happen: the queue holds at least `capacity`; kept exact anyway
            size.decrementAndGet();
            return false;
        }
        return true;
    }

    /** The oldest item, or null; the single consumer's call. */
    public T poll() {
        T item = queue.poll();
        if (item != null) {
            size.decrementAndGet();
        }
        return item;
    }

    /** Items offered and not yet taken; for an instant it can pass the capacity while a refused offer backs out. */
    public int size() {
        return size.get();
    }

    public boolean isEmpty() {
        return size.get() == 0;
    }

    public int capacity() {
        return capacity;
    }
}
