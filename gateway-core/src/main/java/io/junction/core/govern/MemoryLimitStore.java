package io.junction.core.govern;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded limits store: each scope's windows, leases and spend in this process. Admission locks
 * the call's scopes in list order (a key, then its team: always that order, so two calls cannot
 * deadlock) for a few hundred nanoseconds; nothing waits on anything else. Budget spend is lost on
 * restart unless seeded (see {@link #seedSpend}).
 */
public final class MemoryLimitStore implements LimitStore {
    private static final class ScopeState {
        final SlidingWindow requests = new SlidingWindow();
        final SlidingWindow tokens = new SlidingWindow();
        final Map<String, Long> leases = new HashMap<>();
        long spendWindowStart = Long.MIN_VALUE;
        long spendMicros;

        long spend(long windowStart) {
            return spendWindowStart == windowStart ? spendMicros : 0;
        }

        int inFlight(long nowMs) {
            if (!leases.isEmpty()) {
                leases.values().removeIf(expiry -> expiry <= nowMs);
            }
            return leases.size();
        }
    }

    private final Map<String, ScopeState> scopes = new ConcurrentHashMap<>();

    private ScopeState state(String scope) {
        return scopes.computeIfAbsent(scope, s -> new ScopeState());
    }

    @Override
    public CompletionStage<Decision> admit(
            List<Policy> policies, long tokens, String leaseId, long leaseMs, long nowMs) {
        return CompletableFuture.completedFuture(admitNow(policies, tokens, leaseId, leaseMs, nowMs, 0));
    }

    private Decision admitNow(List<Policy> policies, long tokens, String leaseId, long leaseMs, long nowMs, int i) {
        if (i == policies.size()) {
            return check(policies, tokens, nowMs);
        }
        ScopeState s = state(policies.get(i).scope());
        synchronized (s) {
            Decision d = admitNow(policies, tokens, leaseId, leaseMs, nowMs, i + 1);
            if (d.admitted()) {
                charge(policies.get(i), s, tokens, leaseId, leaseMs, nowMs);
            }
            return d;
        }
    }

    /** With every scope locked: the first cap that refuses, else the quotas after charging. */
    private Decision check(List<Policy> policies, long tokens, long nowMs) {
        Decision.Quota requests = null;
        Decision.Quota tokenQuota = null;
        for (Policy p : policies) {
            ScopeState s = state(p.scope());
            if (p.budgetMicros() != null) {
                BudgetPeriod.Window w = p.period().window(nowMs);
                long spent = s.spend(w.startMs());
                if (spent >= p.budgetMicros()) {
                    return reject(p, Decision.Kind.BUDGET, p.budgetMicros(), spent, w.remainingMs(nowMs));
                }
            }
            if (p.concurrent() != null) {
                int n = s.inFlight(nowMs);
                if (n >= p.concurrent()) {
                    return reject(p, Decision.Kind.CONCURRENT, p.concurrent(), n, 1000);
                }
            }
            if (p.rpm() != null) {
                if (!s.requests.fits(nowMs, 1, p.rpm())) {
                    return reject(
                            p,
                            Decision.Kind.REQUESTS,
                            p.rpm(),
                            (long) Math.ceil(s.requests.estimate(nowMs)),
                            s.requests.retryAfterMs(nowMs, 1, p.rpm()));
                }
                requests = Decision.Quota.tighter(
                        requests,
                        new Decision.Quota(
                                p.rpm(),
                                Math.max(0, s.requests.remaining(nowMs, p.rpm()) - 1),
                                SlidingWindow.resetAfterChargeMs(nowMs)));
            }
            if (p.tpm() != null) {
                if (!s.tokens.fits(nowMs, tokens, p.tpm())) {
                    return reject(
                            p,
                            Decision.Kind.TOKENS,
                            p.tpm(),
                            (long) Math.ceil(s.tokens.estimate(nowMs)),
                            s.tokens.retryAfterMs(nowMs, tokens, p.tpm()));
                }
                tokenQuota = Decision.Quota.tighter(
                        tokenQuota,
                        new Decision.Quota(
                                p.tpm(),
                                Math.max(0, s.tokens.remaining(nowMs, p.tpm()) - tokens),
                                tokens > 0 ? SlidingWindow.resetAfterChargeMs(nowMs) : s.tokens.resetMs(nowMs)));
            }
        }
        return new Decision(null, requests, tokenQuota);
    }

    private static Decision reject(Policy p, Decision.Kind kind, long limit, long used, long retryAfterMs) {
        return new Decision(new Decision.Rejection(p.scope(), kind, limit, used, retryAfterMs), null, null);
    }

    private static void charge(Policy p, ScopeState s, long tokens, String leaseId, long leaseMs, long nowMs) {
        if (p.rpm() != null) {
            s.requests.add(nowMs, 1);
        }
        if (p.tpm() != null) {
            s.tokens.add(nowMs, tokens);
        }
        if (p.concurrent() != null) {
            s.leases.put(leaseId, nowMs + leaseMs);
        }
    }

    @Override
    public void release(List<Policy> policies, String leaseId) {
        for (Policy p : policies) {
            if (p.concurrent() != null) {
                ScopeState s = state(p.scope());
                synchronized (s) {
                    s.leases.remove(leaseId);
                }
            }
        }
    }

    @Override
    public CompletionStage<long[]> settle(
            List<Policy> policies, long admittedMs, long tokenDelta, long costMicros, long nowMs) {
        long[] after = new long[policies.size()];
        for (int i = 0; i < policies.size(); i++) {
            Policy p = policies.get(i);
            after[i] = -1;
            if (p.tpm() == null && p.budgetMicros() == null) {
                continue;
            }
            ScopeState s = state(p.scope());
            synchronized (s) {
                if (p.tpm() != null && tokenDelta != 0) {
                    s.tokens.correct(nowMs, admittedMs, tokenDelta);
                }
                if (p.budgetMicros() != null) {
                    long start = p.period().window(nowMs).startMs();
                    if (s.spendWindowStart != start) {
                        s.spendWindowStart = start;
                        s.spendMicros = 0;
                    }
                    s.spendMicros += costMicros;
                    after[i] = s.spendMicros;
                }
            }
        }
        return CompletableFuture.completedFuture(after);
    }

    @Override
    public CompletionStage<Long> spend(Policy scope, long windowStartMs) {
        ScopeState s = scopes.get(scope.scope());
        if (s == null) {
            return CompletableFuture.completedFuture(0L);
        }
        synchronized (s) {
            return CompletableFuture.completedFuture(s.spend(windowStartMs));
        }
    }

    /**
     * Sets a scope's spend in a window, e.g. from the usage ledger at start-up, so a restart does not
     * hand every key a fresh budget. Adds to what is already counted in that window.
     */
    public void seedSpend(String scope, long windowStartMs, long micros) {
        ScopeState s = state(scope);
        synchronized (s) {
            if (s.spendWindowStart != windowStartMs) {
                s.spendWindowStart = windowStartMs;
                s.spendMicros = 0;
            }
            s.spendMicros += micros;
        }
    }

    @Override
    public void close() {
        scopes.clear();
    }
}
