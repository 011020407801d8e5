package io.junction.core.govern;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.BudgetSpec;
import io.junction.core.config.LimitsSpec;
import io.junction.core.config.TeamSpec;
import io.junction.core.error.GatewayException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Admission, settlement and their bookkeeping on the memory store, with a fake clock. */
class GovernorTest {
    private static final long MIN = 60_000;
    /** 2026-11-22T00:00:00Z: a day and minute boundary. */
    private static final long DAY0 = 1_795_305_600_000L;

    private final AtomicLong clock = new AtomicLong(DAY0 + 1000);
    private final List<String> events = new ArrayList<>();
    private final Governor.Listener listener = new Governor.Listener() {
        @Override
        public void rejected(String scope, Decision.Kind kind) {
            events.add("rejected " + scope + " " + kind);
        }

        @Override
        public void budgetAlert(String scope, long spentMicros, long budgetMicros) {
            events.add("alert " + scope + " " + spentMicros);
        }

        @Override
        public void storeFailed(Throwable cause, boolean failOpen) {
            events.add("store " + (failOpen ? "open" : "closed"));
        }
    };
    private int lease;

    private Governor governor(Map<String, TeamSpec> teams, LimitStore store, boolean failClosed) {
        return new Governor(teams, store, clock::get, failClosed, 200, 10 * MIN, listener);
    }

    private Governor governor(Map<String, TeamSpec> teams) {
        return governor(teams, new MemoryLimitStore(), false);
    }

    private Admission admit(Governor g, Policy key, String team, long tokens) {
        String id = "lease-" + (++lease);
        return g.admit(key, team, () -> tokens, () -> id).toCompletableFuture().getNow(null);
    }

    private static Policy key(String name, Double usd, String period, Long rpm, Long tpm, Integer concurrent) {
        return Policy.forKey(
                name, usd == null ? null : new BudgetSpec(usd, period, null), new LimitsSpec(rpm, tpm, concurrent));
    }

    @Test
    void uncappedCallersNeverTouchTheStore() {
        LimitStore exploding = new FailingStore();
        Governor g = governor(Map.of(), exploding, true);
        Admission a = admit(g, key("free", null, null, null, null, null), null, 10);
        assertThat(a).isSameAs(Admission.UNCAPPED);
        assertThat(events).isEmpty();
    }

    @Test
    void rpmAdmitsExactlyTheLimitThenRefusesWithRetryAfterAndHeaders() {
        Governor g = governor(Map.of());
        Policy k = key("bot", null, null, 3L, null, null);
        List<String> remaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Admission a = admit(g, k, null, 0);
            assertThat(a.admitted()).isTrue();
            a.headers((n, v) -> {
                if (n.equals("x-ratelimit-remaining-requests")) {
                    remaining.add(v);
                }
            });
        }
        assertThat(remaining).containsExactly("2", "1", "0");
        Admission refused = admit(g, k, null, 0);
        assertThat(refused.admitted()).isFalse();
        GatewayException e = refused.error();
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
        assertThat(e.getMessage()).contains("key 'bot'").contains("3 requests per minute");
        assertThat(e.retryAfter()).isPositive();
        List<String> h = new ArrayList<>();
        refused.headers((n, v) -> h.add(n + "=" + v));
        assertThat(h).contains("x-ratelimit-limit-requests=3", "x-ratelimit-remaining-requests=0");
        assertThat(events).containsExactly("rejected key:bot REQUESTS");
    }

    @Test
    void windowsRollOver() {
        Governor g = governor(Map.of());
        Policy k = key("bot", null, null, 2L, null, null);
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
        assertThat(admit(g, k, null, 0).admitted()).isFalse();
        Admission refused = admit(g, k, null, 0);
        clock.addAndGet(refused.error().retryAfter().toMillis());
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
        clock.addAndGet(2 * MIN);
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
    }

    @Test
    void budgetIsCheckedBeforeAndChargedAfterAndResetsOnThePeriodBoundary() {
        Governor g = governor(Map.of());
        Policy k = key("bot", 1.00, "1d", null, null, null);
        Admission first = admit(g, k, null, 0);
        assertThat(first.admitted()).isTrue();
        // a second call admitted while the first is in flight: the overshoot the docs bound
        Admission second = admit(g, k, null, 0);
        assertThat(second.admitted()).isTrue();
        first.ticket().settle(1000, 0.70);
        second.ticket().settle(1000, 0.70);
        assertThat(g.spend(k).toCompletableFuture().getNow(-1L)).isEqualTo(1_400_000L);
        Admission refused = admit(g, k, null, 0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.error().status()).isEqualTo(429);
        assertThat(refused.error().code()).isEqualTo("budget_exceeded");
        assertThat(refused.error().getMessage()).contains("$1.4000 spent of $1.00 this 1d period");
        long toMidnight = DAY0 + 86_400_000L - clock.get();
        assertThat(refused.error().retryAfter().toMillis()).isEqualTo(toMidnight);
        clock.set(DAY0 + 86_400_000L);
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
        assertThat(g.spend(k).toCompletableFuture().getNow(-1L)).isZero();
    }

    @Test
    void keyAndTeamAreBothChargedAndTheTeamCapCoversAllItsKeys() {
        Map<String, TeamSpec> teams = new LinkedHashMap<>();
        teams.put("research", new TeamSpec(new BudgetSpec(2.0, "month", null), new LimitsSpec(3L, null, null)));
        Governor g = governor(teams);
        Policy a = key("a", 1.5, "month", 10L, null, null);
        Policy b = key("b", null, null, 10L, null, null);
        Admission a1 = admit(g, a, "research", 0);
        Admission b1 = admit(g, b, "research", 0);
        Admission b2 = admit(g, b, "research", 0);
        assertThat(List.of(a1, b1, b2)).allMatch(Admission::admitted);
        // the team's rpm (3) is spent by keys a and b together
        Admission a2 = admit(g, a, "research", 0);
        assertThat(a2.admitted()).isFalse();
        assertThat(a2.error().getMessage()).contains("team 'research'");
        // refused calls charged nothing to the key: key a still has 9 of its 10
        clock.addAndGet(2 * MIN);
        a1.ticket().settle(10, 1.25);
        b1.ticket().settle(10, 0.80);
        assertThat(g.spend(a).toCompletableFuture().getNow(-1L)).isEqualTo(1_250_000L);
        assertThat(g.spend(g.team("research")).toCompletableFuture().getNow(-1L))
                .isEqualTo(2_050_000L);
        // key b has no budget of its own, but its team's is spent
        Admission b3 = admit(g, b, "research", 0);
        assertThat(b3.error().code()).isEqualTo("budget_exceeded");
        assertThat(b3.error().getMessage()).contains("team 'research'");
    }

    @Test
    void aRefusalByTheTeamChargesNothingToTheKey() {
        Map<String, TeamSpec> teams = Map.of("t", new TeamSpec(null, new LimitsSpec(1L, null, null)));
        Governor g = governor(teams);
        Policy k = key("k", null, null, 2L, null, null);
        assertThat(admit(g, k, "t", 0).admitted()).isTrue();
        assertThat(admit(g, k, "t", 0).admitted()).isFalse(); // team full
        // without the team, the key has exactly one left: the refused call did not count
        Admission alone = admit(g, k, null, 0);
        assertThat(alone.admitted()).isTrue();
        assertThat(admit(g, k, null, 0).admitted()).isFalse();
    }

    @Test
    void tokensAreEstimatedAtAdmissionAndCorrectedWithRealUsage() {
        Governor g = governor(Map.of());
        Policy k = key("bot", null, null, null, 1000L, null);
        Admission a = admit(g, k, null, 600);
        assertThat(a.admitted()).isTrue();
        assertThat(admit(g, k, null, 600).admitted()).isFalse(); // 600 + 600 > 1000
        a.ticket().settle(150, null); // the call really used 150 tokens
        Admission b = admit(g, k, null, 600);
        assertThat(b.admitted()).isTrue(); // 150 + 600 <= 1000
        List<String> h = new ArrayList<>();
        b.headers((n, v) -> h.add(n + "=" + v));
        assertThat(h).contains("x-ratelimit-limit-tokens=1000", "x-ratelimit-remaining-tokens=250");
        b.ticket().settle(2000, null); // more than estimated: the window is full now
        assertThat(admit(g, k, null, 1).admitted()).isFalse();
    }

    @Test
    void aPromptBiggerThanTheTpmCapIsTooLargeWithoutRetryAfter() {
        Governor g = governor(Map.of());
        Admission a = admit(g, key("bot", null, null, null, 100L, null), null, 101);
        assertThat(a.error().getMessage()).contains("Request too large");
        assertThat(a.error().retryAfter()).isNull();
    }

    @Test
    void concurrencyLeasesAreHeldUntilReleased() {
        Governor g = governor(Map.of());
        Policy k = key("bot", null, null, null, null, 2);
        Admission a = admit(g, k, null, 0);
        Admission b = admit(g, k, null, 0);
        Admission c = admit(g, k, null, 0);
        assertThat(a.admitted() && b.admitted()).isTrue();
        assertThat(c.error().getMessage()).contains("at most 2 at once");
        a.ticket().release();
        a.ticket().release(); // once only: must not free b's lease too
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
        assertThat(admit(g, k, null, 0).admitted()).isFalse();
    }

    @Test
    void leasesOfCallsThatNeverReportBackExpire() {
        Governor g = governor(Map.of());
        Policy k = key("bot", null, null, null, null, 1);
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
        assertThat(admit(g, k, null, 0).admitted()).isFalse();
        clock.addAndGet(10 * MIN);
        assertThat(admit(g, k, null, 0).admitted()).isTrue();
    }

    @Test
    void budgetAlertFiresOnceWhenCrossingTheThreshold() {
        Governor g = governor(Map.of());
        Policy k = Policy.forKey("bot", new BudgetSpec(10.0, "1d", 0.5), null);
        admit(g, k, null, 0).ticket().settle(0, 4.0);
        assertThat(events).isEmpty();
        admit(g, k, null, 0).ticket().settle(0, 2.0); // 6 of 10: crosses 50%
        admit(g, k, null, 0).ticket().settle(0, 1.0);
        assertThat(events).containsExactly("alert key:bot 6000000");
    }

    @Test
    void storeFailureAdmitsWhenFailOpenAndRefusesWith503WhenFailClosed() {
        Policy k = key("bot", null, null, 5L, null, null);
        Admission open = admit(governor(Map.of(), new FailingStore(), false), k, null, 0);
        assertThat(open.admitted()).isTrue();
        Admission closed = admit(governor(Map.of(), new FailingStore(), true), k, null, 0);
        assertThat(closed.error().status()).isEqualTo(503);
        assertThat(closed.error().code()).isEqualTo("limits_unavailable");
        assertThat(events).containsExactly("store open", "store closed");
    }

    @Test
    void durationsUseOpenAisStyle() {
        assertThat(RateLimitHeaders.duration(0)).isEqualTo("0s");
        assertThat(RateLimitHeaders.duration(20)).isEqualTo("20ms");
        assertThat(RateLimitHeaders.duration(1500)).isEqualTo("1.5s");
        assertThat(RateLimitHeaders.duration(360_000)).isEqualTo("6m0s");
        assertThat(RateLimitHeaders.duration(3_723_000)).isEqualTo("1h2m3s");
    }

    /** A store whose every admission fails (Redis unreachable). */
    private static final class FailingStore implements LimitStore {
        @Override
        public CompletionStage<Decision> admit(
                List<Policy> scopes, long tokens, String leaseId, long leaseMs, long nowMs) {
            return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
        }

        @Override
        public void release(List<Policy> scopes, String leaseId) {}

        @Override
        public CompletionStage<long[]> settle(
                List<Policy> scopes, long admittedMs, long tokenDelta, long costMicros, long nowMs) {
            return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
        }

        @Override
        public CompletionStage<Long> spend(Policy scope, long windowStartMs) {
            return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
        }

        @Override
        public void close() {}
    }
}
