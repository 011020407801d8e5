package io.junction.core.govern;

import io.junction.core.config.TeamSpec;
import io.junction.core.error.GatewayException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budgets and rate limits, before a call goes upstream and after it ends. {@link #admit} checks the
 * caller's key and team against the {@link LimitStore} (atomically: both are charged or neither),
 * answering with an {@link Admission}: a ticket to settle when the call ends, or the 429 to send.
 * A caller with no caps on its key or team never touches the store.
 *
 * <p>Budgets are checked at admission and charged with the real cost when the call ends; calls
 * admitted while a budget still had room may overshoot it by at most their own cost (see
 * docs/governance.md for the bound).
 */
public final class Governor {
    private static final Logger log = LoggerFactory.getLogger(Governor.class);

    /** What the gateway counts and logs about governance; all no-ops by default. */
    public interface Listener {
        default void rejected(String scope, Decision.Kind kind) {}

        default void storeFailed(Throwable cause, boolean failOpen) {}

        default void budgetAlert(String scope, long spentMicros, long budgetMicros) {}
    }

    private final Map<String, Policy> teams = new HashMap<>();
    private final LimitStore store;
    private final LongSupplier clock;
    private final boolean failClosed;
    private final long timeoutMs;
    private final long leaseMs;
    private final Listener listener;

    /**
     * @param leaseMs longest a concurrency lease is held if its call never reports back (a crashed
     *     replica): the request timeout plus a margin
     * @param timeoutMs longest an admission waits for the store before the on-error policy applies
     */
    public Governor(
            Map<String, TeamSpec> teamSpecs,
            LimitStore store,
            LongSupplier clock,
            boolean failClosed,
            long timeoutMs,
            long leaseMs,
            Listener listener) {
        teamSpecs.forEach((name, t) -> teams.put(name, Policy.forTeam(name, t.budget(), t.limits())));
        this.store = store;
        this.clock = clock;
        this.failClosed = failClosed;
        this.timeoutMs = timeoutMs;
        this.leaseMs = leaseMs;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    public LimitStore store() {
        return store;
    }

    public long now() {
        return clock.getAsLong();
    }

    /** The team's compiled policy, or null for an unknown team or none. */
    public Policy team(String name) {
        return name == null ? null : teams.get(name);
    }

    /** The scopes a call by {@code key} (of {@code team}) is charged to, capped ones only. */
    public List<Policy> scopes(Policy key, String team) {
        Policy t = team(team);
        boolean k = key != null && !key.unlimited();
        boolean tm = t != null && !t.unlimited();
        if (k && tm) {
            return List.of(key, t);
        }
        return k ? List.of(key) : tm ? List.of(t) : List.of();
    }

    /**
     * Admits a call: completes at once for the memory store or a caller without caps, later (on a
     * store thread) for a remote store. Never completes exceptionally: a store failure becomes
     * admission (fail_open) or a 503 (fail_closed).
     *
     * @param promptTokens the prompt's estimated size, charged against {@code tpm} now and corrected
     *     by {@link Ticket#settle}; asked only when a scope caps tokens
     */
    public CompletionStage<Admission> admit(
            Policy key, String team, LongSupplier promptTokens, Supplier<String> leaseId) {
        List<Policy> scopes = scopes(key, team);
        if (scopes.isEmpty()) {
            return UNCAPPED_NOW; // the common case allocates nothing
        }
        return admit(scopes, tokenCapped(scopes) ? promptTokens.getAsLong() : 0, leaseId.get());
    }

    /**
     * Shared and already complete (a future, so {@code toCompletableFuture()} is itself, not a copy):
     * callers only read it.
     */
    private static final CompletableFuture<Admission> UNCAPPED_NOW =
            CompletableFuture.completedFuture(Admission.UNCAPPED);

    private static boolean tokenCapped(List<Policy> scopes) {
        for (Policy p : scopes) {
            if (p.tpm() != null) {
                return true;
            }
        }
        return false;
    }

    private CompletionStage<Admission> admit(List<Policy> scopes, long promptTokens, String leaseId) {
        long now = clock.getAsLong();
        CompletionStage<Decision> d;
        try {
            d = store.admit(scopes, promptTokens, leaseId, leaseMs, now);
        } catch (RuntimeException e) {
            d = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Decision> f = d.toCompletableFuture();
        if (!f.isDone()) {
            f = f.orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        }
        return f.handle((decision, error) -> {
            if (error != null) {
                return storeFailed(error);
            }
            if (!decision.admitted()) {
                Decision.Rejection r = decision.rejection();
                listener.rejected(r.scope(), r.kind());
                // the refused cap's headers: nothing remaining, resetting when the call could pass
                Decision.Quota none = new Decision.Quota(r.limit(), 0, Math.max(0, r.retryAfterMs()));
                Decision shown = new Decision(
                        r,
                        r.kind() == Decision.Kind.REQUESTS ? none : decision.requests(),
                        r.kind() == Decision.Kind.TOKENS ? none : decision.tokens());
                return Admission.refused(shown, refusal(r, promptTokens, scopes));
            }
            return Admission.admitted(decision, new Ticket(this, scopes, leaseId, promptTokens, now));
        });
    }

    private Admission storeFailed(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        listener.storeFailed(cause, !failClosed);
        if (failClosed) {
            return Admission.refused(
                    null,
                    new GatewayException(
                            503,
                            "api_error",
                            "limits_unavailable",
                            null,
                            "Junction cannot check rate limits and budgets right now (limits store unavailable);"
                                    + " retry shortly.",
                            true,
                            Duration.ofSeconds(1),
                            null));
        }
        return Admission.UNCAPPED;
    }

    private GatewayException refusal(Decision.Rejection r, long promptTokens, List<Policy> scopes) {
        Policy p = scopes.stream()
                .filter(s -> s.scope().equals(r.scope()))
                .findFirst()
                .orElseThrow();
        Duration retry = r.retryAfterMs() < 0 ? null : Duration.ofMillis(r.retryAfterMs());
        String who = p.describe();
        return switch (r.kind()) {
            case BUDGET ->
                new GatewayException(
                        429,
                        "insufficient_quota",
                        "budget_exceeded",
                        null,
                        String.format(
                                Locale.ROOT,
                                "Budget exceeded for %s: $%.4f spent of $%.2f this %s period; it resets in %s.",
                                who,
                                r.used() / 1e6,
                                r.limit() / 1e6,
                                p.period(),
                                RateLimitHeaders.duration(r.retryAfterMs())),
                        false,
                        retry,
                        null);
            case REQUESTS ->
                new GatewayException(
                        429,
                        "rate_limit_error",
                        "rate_limit_exceeded",
                        null,
                        "Rate limit reached for " + who + ": " + r.limit() + " requests per minute. Retry in "
                                + RateLimitHeaders.duration(r.retryAfterMs()) + ".",
                        false,
                        retry,
                        null);
            case TOKENS ->
                r.retryAfterMs() < 0
                        ? new GatewayException(
                                429,
                                "rate_limit_error",
                                "rate_limit_exceeded",
                                "messages",
                                "Request too large for " + who + ": its prompt is estimated at " + promptTokens
                                        + " tokens, over the limit of " + r.limit() + " tokens per minute.",
                                false)
                        : new GatewayException(
                                429,
                                "rate_limit_error",
                                "rate_limit_exceeded",
                                null,
                                "Rate limit reached for " + who + ": " + r.limit()
                                        + " tokens per minute (this request: about " + promptTokens
                                        + " prompt tokens). Retry in " + RateLimitHeaders.duration(r.retryAfterMs())
                                        + ".",
                                false,
                                retry,
                                null);
            case CONCURRENT ->
                new GatewayException(
                        429,
                        "rate_limit_error",
                        "rate_limit_exceeded",
                        null,
                        "Too many concurrent requests for " + who + ": at most " + r.limit() + " at once.",
                        false,
                        retry,
                        null);
        };
    }

    void release(Ticket t) {
        try {
            store.release(t.scopes, t.leaseId);
        } catch (RuntimeException e) {
            listener.storeFailed(e, true);
        }
    }

    void settle(Ticket t, long tokenDelta, long costMicros) {
        CompletionStage<long[]> s;
        try {
            s = store.settle(t.scopes, t.admittedMs, tokenDelta, costMicros, clock.getAsLong());
        } catch (RuntimeException e) {
            listener.storeFailed(e, true);
            return;
        }
        s.whenComplete((after, error) -> {
            if (error != null) {
                listener.storeFailed(error, true);
                return;
            }
            for (int i = 0; i < after.length; i++) {
                Policy p = t.scopes.get(i);
                if (after[i] < 0 || p.budgetMicros() == null) {
                    continue;
                }
                long alertAt = (long) Math.ceil(p.budgetMicros() * p.alertAt());
                long before = after[i] - costMicros;
                if (before < alertAt && after[i] >= alertAt) {
                    log.warn(
                            "budget alert: {} has spent ${} of ${} this {} period ({}%)",
                            p.describe(),
                            String.format(Locale.ROOT, "%.4f", after[i] / 1e6),
                            String.format(Locale.ROOT, "%.2f", p.budgetMicros() / 1e6),
                            p.period(),
                            Math.round(100.0 * after[i] / p.budgetMicros()));
                    listener.budgetAlert(p.scope(), after[i], p.budgetMicros());
                }
            }
        });
    }

    /** Spend, budget and window of one scope now (for the admin API). */
    public CompletionStage<Long> spend(Policy p) {
        if (p.budgetMicros() == null) {
            return CompletableFuture.completedFuture(0L);
        }
        return store.spend(p, p.period().window(clock.getAsLong()).startMs());
    }
}
