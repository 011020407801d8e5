package io.junction.core.govern;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An admitted call's claim on its scopes: {@link #release} gives back its concurrency lease (when
 * the call ends), {@link #settle} replaces the estimated tokens by the real ones and charges the
 * cost (when usage is known, which for estimated usage is later, on the ledger's thread). Each
 * runs once; both are safe from any thread.
 */
public final class Ticket {
    public static final Ticket NONE = new Ticket(null, List.of(), null, 0, 0);

    private final Governor governor;
    final List<Policy> scopes;
    final String leaseId;
    final long estimatedTokens;
    final long admittedMs;
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean settled = new AtomicBoolean();

    Ticket(Governor governor, List<Policy> scopes, String leaseId, long estimatedTokens, long admittedMs) {
        this.governor = governor;
        this.scopes = scopes;
        this.leaseId = leaseId;
        this.estimatedTokens = estimatedTokens;
        this.admittedMs = admittedMs;
    }

    public void release() {
        if (governor != null && released.compareAndSet(false, true)) {
            boolean any = false;
            for (Policy p : scopes) {
                any |= p.concurrent() != null;
            }
            if (any) {
                governor.release(this);
            }
        }
    }

    /**
     * @param totalTokens prompt + completion tokens the call really used (0 when it used none)
     * @param costUsd its cost, null when unpriced (charged as 0)
     */
    public void settle(long totalTokens, Double costUsd) {
        if (governor == null || !settled.compareAndSet(false, true)) {
            return;
        }
        boolean tpm = false;
        boolean budget = false;
        for (Policy p : scopes) {
            tpm |= p.tpm() != null;
            budget |= p.budgetMicros() != null;
        }
        long delta = tpm ? totalTokens - estimatedTokens : 0;
        long micros = budget && costUsd != null ? Math.round(costUsd * 1_000_000) : 0;
        if (delta != 0 || micros != 0) {
            governor.settle(this, delta, micros);
        }
    }
}
