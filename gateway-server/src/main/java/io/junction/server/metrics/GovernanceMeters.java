package io.junction.server.metrics;

import io.junction.core.govern.Decision;
import io.junction.core.govern.Governor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Governance metrics: {@code junction_limit_rejections_total{scope,limit}} (calls refused by a key's
 * or team's rpm, tpm, concurrency or budget), {@code junction_budget_alerts_total{scope}} (a
 * budget crossed its {@code alert_at} fraction) and {@code junction_limits_store_errors_total{policy}}
 * (the limits store failed; the call was admitted or refused per {@code on_error}). Scope labels are
 * {@code key} or {@code team}, never names: cardinality stays fixed. Names are in the log lines.
 */
public final class GovernanceMeters implements Governor.Listener {
    private static final Logger log = LoggerFactory.getLogger(GovernanceMeters.class);
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicLong lastStoreLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    public GovernanceMeters(MeterRegistry registry) {
        this.registry = registry;
        for (String scope : new String[] {"key", "team"}) {
            for (Decision.Kind k : Decision.Kind.values()) {
                rejections(scope, k);
            }
            alerts(scope);
        }
        storeErrors("fail_open");
        storeErrors("fail_closed");
    }

    private Counter rejections(String scope, Decision.Kind kind) {
        String limit = kind.name().toLowerCase(Locale.ROOT);
        return counters.computeIfAbsent("r\0" + scope + '\0' + limit, x -> Counter.builder("junction.limit.rejections")
                .description("Calls refused by a key's or team's rate limit, concurrency cap or budget")
                .tags("scope", scope, "limit", limit)
                .register(registry));
    }

    private Counter alerts(String scope) {
        return counters.computeIfAbsent("a\0" + scope, x -> Counter.builder("junction.budget.alerts")
                .description("Budgets that crossed their alert_at fraction in the current period")
                .tags("scope", scope)
                .register(registry));
    }

    private Counter storeErrors(String policy) {
        return counters.computeIfAbsent("e\0" + policy, x -> Counter.builder("junction.limits.store.errors")
                .description("Limits store failures; fail_open admitted the call, fail_closed refused it")
                .tags("policy", policy)
                .register(registry));
    }

    private static String kind(String scope) {
        int colon = scope.indexOf(':');
        return colon < 0 ? scope : scope.substring(0, colon);
    }

    @Override
    public void rejected(String scope, Decision.Kind kind) {
        rejections(kind(scope), kind).increment();
    }

    @Override
    public void budgetAlert(String scope, long spentMicros, long budgetMicros) {
        alerts(kind(scope)).increment();
    }

    @Override
    public void storeFailed(Throwable cause, boolean failOpen) {
        storeErrors(failOpen ? "fail_open" : "fail_closed").increment();
        long now = System.nanoTime();
        long last = lastStoreLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastStoreLog.compareAndSet(last, now)) {
            log.warn(
                    "limits store unavailable ({}); calls are {} (logged at most every 10 s)",
                    cause.toString(),
                    failOpen
                            ? "admitted without limits (on_error: fail_open)"
                            : "refused with 503 (on_error: fail_closed)");
        }
    }
}
