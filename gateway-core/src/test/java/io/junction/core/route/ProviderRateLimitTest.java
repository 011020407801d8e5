package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.BreakerSpec;
import io.junction.core.config.LimitsSpec;
import io.junction.core.config.ProviderSpec;
import io.junction.core.config.RetrySpec;
import io.junction.core.config.RoutingSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.spi.Provider;
import io.junction.core.spi.Target;
import io.junction.core.time.FakeScheduler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Steering around providers' rate limits (learned from headers, Retry-After, configured rpm/tpm), on a fake clock. */
class ProviderRateLimitTest {
    private final FakeAdapter adapter = new FakeAdapter();
    private final FakeTransport transport = new FakeTransport();
    private RecordingListener listener = new RecordingListener();
    private final FakeScheduler clock = new FakeScheduler();
    private final AtomicLong wall =
            new AtomicLong(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());
    private final RouteState state = new RouteState(
            new BreakerRegistry(),
            new TargetStats(),
            new RetryBudget(RoutingSpec.DEFAULTS),
            new KeyRotation(),
            new ProviderQuotas(wall::get));

    private static final RouteSettings RETRIES = new RouteSettings(null, null, null, true);

    @AfterEach
    void protocolAndBuffers() {
        listener.assertNoViolations();
        transport.opened.forEach(FakeTransport.Exchange::assertNothingRetained);
    }

    private Target target(String provider, LimitsSpec limits, String... keys) {
        ProviderSpec spec = new ProviderSpec(
                        "fake",
                        null,
                        keys.length == 0 ? null : keys[0],
                        null,
                        null,
                        null,
                        null,
                        RetrySpec.NONE,
                        null,
                        BreakerSpec.DEFAULTS,
                        null,
                        keys.length == 0 ? null : List.of(keys).subList(1, keys.length),
                        null)
                .withLimits(limits);
        return new Target(new Provider(provider, spec, adapter), "m-" + provider);
    }

    private Target target(String provider) {
        return target(provider, null);
    }

    private RoutedCall call(Target... plan) {
        listener.assertNoViolations();
        listener = new RecordingListener();
        RoutedCall c = new RoutedCall(
                request(),
                Arrays.asList(plan),
                transport,
                ImmediateEventExecutor.INSTANCE,
                clock,
                RETRIES,
                state,
                () -> 1.0,
                listener);
        c.start();
        return c;
    }

    private static ChatRequest request() {
        return new ChatRequest.Builder()
                .model("alias")
                .messages(List.of(ChatMessage.of("user", "hi")))
                .build();
    }

    private static String completion(int totalTokens) {
        return "{\"id\":\"r\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":" + (totalTokens - 1) + ",\"completion_tokens\":1,\"total_tokens\":"
                + totalTokens + "}}";
    }

    /** The last opened exchange answers 200 with these headers and a completion of {@code tokens} tokens. */
    private void ok(Map<String, String> headers, int tokens) {
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200, headers);
        ex.body(completion(tokens));
        ex.end();
    }

    private void ok(Map<String, String> headers) {
        ok(headers, 10);
    }

    private String lastUri() {
        return transport.last().request.uri().toString();
    }

    private static Map<String, String> remainingRequests(String remaining, String reset) {
        return Map.of("x-ratelimit-remaining-requests", remaining, "x-ratelimit-reset-requests", reset);
    }

    // ------------------------------------------------------------------ learned from headers

    @Test
    void aTargetWithNoRequestsLeftIsSkippedUntilItsResetThenUsedAgain() {
        Target a = target("pa");
        Target b = target("pb");
        call(a, b);
        ok(remainingRequests("0", "30s"));
        assertThat(listener.events).containsExactly("response");

        RoutedCall second = call(a, b);
        assertThat(transport.opened).as("the second call went straight to B").hasSize(2);
        assertThat(lastUri()).isEqualTo("fake://pb/m-pb");
        ok(Map.of());
        assertThat(second.info().attempts())
                .containsExactly(
                        new Attempt("pa/m-pa", 429, "provider_rate_limited", 0), new Attempt("pb/m-pb", 200, null, 0));

        clock.advanceMillis(29_999);
        call(a, b);
        assertThat(lastUri()).as("still before the reset").isEqualTo("fake://pb/m-pb");
        ok(Map.of());

        clock.advanceMillis(1);
        RoutedCall recovered = call(a, b);
        assertThat(lastUri()).as("reset passed: A again").isEqualTo("fake://pa/m-pa");
        ok(remainingRequests("59", "1s"));
        assertThat(recovered.info().attempts()).extracting(Attempt::target).containsExactly("pa/m-pa");
    }

    @Test
    void requestsDispatchedSinceTheLastHeadersCountAgainstTheRemaining() {
        Target a = target("pa");
        Target b = target("pb");
        call(a, b);
        ok(remainingRequests("1", "10s"));
        call(a, b); // uses the last request A has left; its answer is still outstanding
        FakeTransport.Exchange outstanding = transport.last();
        assertThat(lastUri()).isEqualTo("fake://pa/m-pa");
        RecordingListener first = listener;
        call(a, b);
        assertThat(lastUri()).as("A's last request is taken: B").isEqualTo("fake://pb/m-pb");
        ok(Map.of());
        outstanding.headers(200, remainingRequests("0", "9s"));
        outstanding.body(completion(5));
        outstanding.end();
        assertThat(first.events).containsExactly("response");
    }

    @Test
    void anthropicTokenWindowsSteerToo() {
        Target a = target("pa");
        Target b = target("pb");
        call(a, b);
        ok(Map.of(
                "anthropic-ratelimit-requests-remaining", "40",
                "anthropic-ratelimit-requests-reset", "2026-03-01T10:00:05Z",
                "anthropic-ratelimit-input-tokens-remaining", "0",
                "anthropic-ratelimit-input-tokens-reset", "2026-03-01T10:00:20Z"));
        call(a, b);
        assertThat(lastUri()).isEqualTo("fake://pb/m-pb");
        ok(Map.of());
        clock.advanceMillis(20_000);
        wall.addAndGet(20_000);
        call(a, b);
        assertThat(lastUri()).isEqualTo("fake://pa/m-pa");
        ok(Map.of());
    }

    @Test
    void headersOfAnErrorResponseAreLearnedToo() {
        Target a = target("pa");
        Target b = target("pb");
        call(a, b);
        FakeTransport.Exchange ex = transport.last();
        ex.headers(500, Map.of("x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "1m"));
        ex.body("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
        ex.end();
        ok(Map.of()); // failed over to B
        call(a, b);
        assertThat(lastUri()).isEqualTo("fake://pb/m-pb");
        ok(Map.of());
    }

    @Test
    void garbageHeadersDoNotBreakTheCallNorSteer() {
        Target a = target("pa");
        Target b = target("pb");
        call(a, b);
        ok(Map.of(
                "x-ratelimit-remaining-requests", "zero",
                "x-ratelimit-reset-requests", "-3s",
                "x-ratelimit-remaining-tokens", "0",
                "x-ratelimit-reset-tokens", "later",
                "anthropic-ratelimit-requests-remaining", "0",
                "anthropic-ratelimit-requests-reset", "not a date"));
        assertThat(listener.events).containsExactly("response");
        call(a, b);
        assertThat(lastUri()).as("nothing usable was learned: A as usual").isEqualTo("fake://pa/m-pa");
        ok(Map.of());
    }

    // ------------------------------------------------------------------ every target spent

    @Test
    void whenEveryTargetIsSpentTheCallIs429WithRetryAfterOfTheEarliestResetAndNothingIsSent() {
        Target a = target("pa");
        Target b = target("pb");
        call(a);
        ok(remainingRequests("0", "40s"));
        call(b);
        ok(remainingRequests("0", "12.2s"));
        int sent = transport.opened.size();

        RoutedCall c = call(a, b);
        assertThat(transport.opened).as("nothing sent").hasSize(sent);
        assertThat(listener.events).containsExactly("failure");
        GatewayException e = listener.failure;
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
        assertThat(e.type()).isEqualTo("rate_limit_error");
        assertThat(e.retryAfter())
                .as("B resets first, rounded up to whole seconds")
                .isEqualTo(Duration.ofSeconds(13));
        assertThat(c.info().attempts())
                .extracting(Attempt::errorCode)
                .containsExactly("provider_rate_limited", "provider_rate_limited");
    }

    @Test
    void aRealFailureIsReportedOverTheRateLimitSkips() {
        Target a = target("pa");
        Target b = target("pb");
        call(b);
        ok(remainingRequests("0", "40s"));
        call(a, b);
        transport.last().error(GatewayException.upstreamUnavailable("pa", "could not be reached", null));
        assertThat(listener.failure.code()).isEqualTo("upstream_unavailable");
    }

    // ------------------------------------------------------------------ 429 with Retry-After

    @Test
    void aProvider429WithRetryAfterBlocksTheTargetUntilThen() {
        Target a = target("pa");
        Target b = target("pb");
        call(a, b);
        // longer than max_retry_after_ms (30 s): no same-target wait, on to B at once
        transport
                .last()
                .error(new GatewayException(
                        429, "rate_limit_error", null, null, "slow down", true, Duration.ofSeconds(45), null));
        ok(Map.of());
        call(a, b);
        assertThat(lastUri()).isEqualTo("fake://pb/m-pb");
        ok(Map.of());
        clock.advanceMillis(45_000);
        call(a, b);
        assertThat(lastUri()).isEqualTo("fake://pa/m-pa");
        ok(Map.of());
    }

    // ------------------------------------------------------------------ several keys

    @Test
    void aSpentKeyIsPassedOverAndTheTargetIsSkippedOnlyWhenEveryKeyIsSpent() {
        Target a = target("pa", null, "k1", "k2");
        Target b = target("pb");
        call(a, b);
        assertThat(transport.last().request.headers().get("x-key")).isEqualTo("k1");
        ok(remainingRequests("0", "20s"));
        call(a, b);
        assertThat(transport.last().request.headers().get("x-key"))
                .as("k1 is spent: k2 serves A")
                .isEqualTo("k2");
        ok(remainingRequests("3", "20s"));
        call(a, b);
        assertThat(transport.last().request.headers().get("x-key")).isEqualTo("k2");
        ok(remainingRequests("0", "5s"));
        call(a, b);
        assertThat(lastUri()).as("both keys spent: B").isEqualTo("fake://pb/m-pb");
        ok(Map.of());
        clock.advanceMillis(5_000);
        call(a, b);
        assertThat(transport.last().request.headers().get("x-key")).isEqualTo("k2");
        ok(Map.of());
    }

    // ------------------------------------------------------------------ configured limits

    @Test
    void theConfiguredRpmWindowSkipsTheTargetUntilItSlides() {
        Target a = target("pa", new LimitsSpec(2L, null));
        Target b = target("pb");
        call(a, b);
        ok(Map.of());
        clock.advanceMillis(10_000);
        call(a, b);
        ok(Map.of());
        call(a, b);
        assertThat(lastUri()).as("2 requests within the minute: A is full").isEqualTo("fake://pb/m-pb");
        ok(Map.of());
        assertThat(transport.openedUris()).filteredOn(u -> u.contains("pa")).hasSize(2);
        clock.advanceMillis(49_999);
        call(a, b);
        assertThat(lastUri()).as("the first request is still in the window").isEqualTo("fake://pb/m-pb");
        ok(Map.of());
        clock.advanceMillis(1_000);
        call(a, b);
        assertThat(lastUri()).as("the first request slid out of the window").isEqualTo("fake://pa/m-pa");
        ok(Map.of());
    }

    @Test
    void theConfiguredRpmAloneAnswers429WithTheTimeUntilTheWindowFrees() {
        Target a = target("pa", new LimitsSpec(1L, null));
        call(a);
        ok(Map.of());
        clock.advanceMillis(20_000);
        call(a);
        assertThat(listener.failure.status()).isEqualTo(429);
        assertThat(listener.failure.retryAfter()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void theConfiguredTpmCountsTheReportedUsage() {
        Target a = target("pa", new LimitsSpec(null, 100L));
        Target b = target("pb");
        call(a, b);
        ok(Map.of(), 60);
        call(a, b);
        assertThat(lastUri()).as("60 of 100 tokens used: still room").isEqualTo("fake://pa/m-pa");
        ok(Map.of(), 50);
        call(a, b);
        assertThat(lastUri()).as("110 tokens this minute: A is full").isEqualTo("fake://pb/m-pb");
        ok(Map.of(), 500);
        clock.advanceMillis(61_000);
        call(a, b);
        assertThat(lastUri()).isEqualTo("fake://pa/m-pa");
        ok(Map.of());
    }

    @Test
    void theConfiguredLimitsAreCountedPerKey() {
        Target a = target("pa", new LimitsSpec(1L, null), "k1", "k2");
        Target b = target("pb");
        call(a, b);
        ok(Map.of());
        call(a, b);
        assertThat(transport.last().request.headers().get("x-key")).isEqualTo("k2");
        ok(Map.of());
        call(a, b);
        assertThat(lastUri()).as("each key used its one request").isEqualTo("fake://pb/m-pb");
        ok(Map.of());
    }

    // ------------------------------------------------------------------ admin view

    @Test
    void theSnapshotShowsRemainingAndResetPerTarget() {
        Target a = target("pa");
        Target b = target("pb", new LimitsSpec(5L, 1000L));
        call(a);
        ok(Map.of(
                "x-ratelimit-limit-requests", "60",
                "x-ratelimit-remaining-requests", "0",
                "x-ratelimit-reset-requests", "2.5s",
                "x-ratelimit-remaining-tokens", "1234",
                "x-ratelimit-reset-tokens", "6m0s"));
        call(b);
        ok(Map.of(), 42);
        assertThat(state.quotas().snapshot(clock.nanoTime()))
                .as("B sent no headers: only A has learned state")
                .containsExactly(new ProviderQuotas.View("pa/m-pa", 0, 0, 60, 2500, 1234, -1, 360_000, 0, 2500));
        assertThat(state.quotas().localSnapshot(clock.nanoTime()))
                .containsExactly(new ProviderQuotas.LocalView("pb", 0, 5L, 1000L, 1, 42));
        clock.advanceMillis(2500);
        assertThat(state.quotas().snapshot(clock.nanoTime()))
                .extracting(ProviderQuotas.View::limitedMs)
                .containsExactly(0L);
    }
}
