package io.junction.core.route;

import io.junction.core.config.RoutingSpec;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caps same-target retries at a fraction of recent requests, gateway-wide, so that a provider that
 * is down for everyone does not get every request several times (a retry storm). Counts live in
 * one-second buckets over the window; a retry is allowed while
 * {@code retries < ratio × requests + min_per_second × window_seconds}.
 */
public final class RetryBudget {
    private final double ratio;
    private final long minPerSecond;
    private final int buckets;
    private final AtomicLongArray requests;
    private final AtomicLongArray retries;
    private final AtomicLongArray bucketSecond;

    public RetryBudget(RoutingSpec spec) {
        this.ratio = spec.retryBudgetRatio();
        this.minPerSecond = spec.retryBudgetMinPerSecond();
        this.buckets = (int) Math.max(1, spec.retryBudgetWindowMs() / 1000);
        this.requests = new AtomicLongArray(buckets);
        this.retries = new AtomicLongArray(buckets);
        this.bucketSecond = new AtomicLongArray(buckets);
        for (int i = 0; i < buckets; i++) {
            bucketSecond.set(i, Long.MIN_VALUE);
        }
    }

    /** Counts a new client request. */
    public void request(long nowNanos) {
        requests.incrementAndGet(slot(nowNanos));
    }

    /** Takes one retry from the budget if there is one left. */
    public boolean tryRetry(long nowNanos) {
        int s = slot(nowNanos);
        long second = nowNanos / 1_000_000_000L;
        long req = 0;
        long ret = 0;
        for (int i = 0; i < buckets; i++) {
            if (bucketSecond.get(i) > second - buckets) {
                req += requests.get(i);
                ret += retries.get(i);
            }
        }
        if (ret >= ratio * req + (double) minPerSecond * buckets) {
            return false;
        }
        retries.incrementAndGet(s);
        return true;
    }

    private int slot(long nowNanos) {
        long second = nowNanos / 1_000_000_000L;
        int i = (int) Math.floorMod(second, (long) buckets);
        long seen = bucketSecond.get(i);
        if (seen != second && bucketSecond.compareAndSet(i, seen, second)) {
            // a new second in this slot: start its counts afresh (a racing increment may be lost; fine for a budget)
            requests.set(i, 0);
            retries.set(i, 0);
        }
        return i;
    }
}
