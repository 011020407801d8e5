package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.BreakerSpec;
import io.junction.core.config.ProviderSpec;
import io.junction.core.config.RetrySpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.core.spi.Target;
import io.junction.core.time.FakeScheduler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, backoff, Retry-After, deadlines, keep-alives, the content commit point and circuit breaking, on a fake clock. */
class RouterPolicyTest {
    private final FakeAdapter adapter = new FakeAdapter();
    private final FakeTransport transport = new FakeTransport();
    private RecordingListener listener = new RecordingListener();
    private final FakeScheduler clock = new FakeScheduler();
    private RouteState state = RouteState.create(io.junction.core.config.RoutingSpec.DEFAULTS);
    private BreakerRegistry breakers = state.breakers();
    private DoubleSupplier random = () -> 1.0; // jitter at its ceiling: deterministic delays

    private static final RetrySpec RETRY_TWICE = new RetrySpec(2, 100L, 1000L);
    private static final BreakerSpec TRIP_AFTER_2 = new BreakerSpec(true, 2, 0.5, 20, 10, 10_000L);

    @AfterEach
    void protocolAndBuffers() {
        listener.assertNoViolations();
        transport.opened.forEach(FakeTransport.Exchange::assertNothingRetained);
    }

    /** Checks the current call's listener and starts a new one: one listener per call. */
    private void nextCall() {
        listener.assertNoViolations();
        listener = new RecordingListener();
    }

    private Target target(String provider, RetrySpec retry, BreakerSpec breaker) {
        ProviderSpec spec = new ProviderSpec("fake", null, null, null, null, null, null, retry, null, breaker, null);
        return new Target(new Provider(provider, spec, adapter), "m-" + provider);
    }

    private Target target(String provider) {
        return target(provider, RetrySpec.NONE, BreakerSpec.DEFAULTS);
    }

    private RoutedCall call(ChatRequest request, RouteSettings settings, Target... plan) {
        return new RoutedCall(
                request,
                Arrays.asList(plan),
                transport,
                ImmediateEventExecutor.INSTANCE,
                clock,
                settings,
                state,
                random,
                listener);
    }

    private static final RouteSettings RETRIES = new RouteSettings(null, null, null, true);

    private static ChatRequest request(boolean stream) {
        return new ChatRequest.Builder()
                .model("alias").messages(List.of(ChatMessage.of("user", "hi"))).stream(stream ? Boolean.TRUE : null)
                        .build();
    }

    private static String completion() {
        return "{\"id\":\"r\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"logprobs\":null,\"finish_reason\":\"stop\"}]}";
    }

    private static String chunk(String delta, String finish) {
        return "data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"")
                + "}]}\n\n";
    }

    private static final String ROLE = chunk("{\"role\":\"assistant\",\"content\":\"\"}", null);
    private static final String HELLO = chunk("{\"content\":\"hello\"}", null);
    private static final String STOP = chunk("{}", "stop");

    private static GatewayException unavailable() {
        return GatewayException.upstreamUnavailable("p", "could not be reached", null);
    }

    // ------------------------------------------------------------------ retries and backoff

    @Test
    void aRetryableFailureRetriesTheSameTargetAfterTheBackoff() {
        Target a = target("pa", RETRY_TWICE, BreakerSpec.DEFAULTS);
        call(request(false), RETRIES, a, target("pb")).start();
        transport.last().error(unavailable());
        assertThat(transport.opened).hasSize(1);
        clock.advanceMillis(99);
        assertThat(transport.opened).as("still backing off").hasSize(1);
        clock.advanceMillis(1);
        assertThat(transport.openedUris()).containsExactly("fake://pa/m-pa", "fake://pa/m-pa");
        transport.last().respond(200, completion());
        assertThat(listener.events).containsExactly("response");
        assertThat(listener.response.choices().get(0).message().text()).isEqualTo("ok");
    }

    @Test
    void retriesAreBoundedThenTheNextTargetIsTried() {
        Target a = target("pa", RETRY_TWICE, BreakerSpec.DEFAULTS);
        RoutedCall call = call(request(false), RETRIES, a, target("pb"));
        call.start();
        transport.last().error(unavailable());
        clock.advanceMillis(100); // retry 1 after <= 100 ms
        transport.last().error(unavailable());
        clock.advanceMillis(200); // retry 2 after <= 200 ms
        transport.last().error(unavailable());
        assertThat(transport.openedUris())
                .containsExactly("fake://pa/m-pa", "fake://pa/m-pa", "fake://pa/m-pa", "fake://pb/m-pb");
        transport.last().respond(200, completion());
        assertThat(call.info().attempts())
                .extracting(Attempt::target)
                .containsExactly("pa/m-pa", "pa/m-pa", "pa/m-pa", "pb/m-pb");
    }

    @Test
    void backoffIsExponentialWithFullJitterAndCapped() {
        Target a = target("pa", new RetrySpec(9, 100L, 1000L), BreakerSpec.DEFAULTS);
        GatewayException e = unavailable();
        random = () -> 1.0;
        RoutedCall call = call(request(false), RETRIES, a);
        assertThat(call.backoffNanos(a, 0, e)).isEqualTo(100_000_000L);
        assertThat(call.backoffNanos(a, 1, e)).isEqualTo(200_000_000L);
        assertThat(call.backoffNanos(a, 3, e)).isEqualTo(800_000_000L);
        assertThat(call.backoffNanos(a, 4, e)).as("capped").isEqualTo(1_000_000_000L);
        assertThat(call.backoffNanos(a, 60, e)).as("no overflow").isEqualTo(1_000_000_000L);
        random = () -> 0.25;
        assertThat(call(request(false), RETRIES, a).backoffNanos(a, 1, e)).isEqualTo(50_000_000L);
        random = () -> 0.0;
        assertThat(call(request(false), RETRIES, a).backoffNanos(a, 3, e)).isZero();
    }

    @Test
    void retryAfterIsHonouredWhenItFits() {
        Target a = target("pa", RETRY_TWICE, BreakerSpec.DEFAULTS);
        call(request(false), RETRIES, a, target("pb")).start();
        transport
                .last()
                .error(new GatewayException(
                        429, "rate_limit_error", null, null, "slow down", true, Duration.ofMillis(1500), null));
        clock.advanceMillis(1499);
        assertThat(transport.opened).hasSize(1);
        clock.advanceMillis(1);
        assertThat(transport.openedUris()).containsExactly("fake://pa/m-pa", "fake://pa/m-pa");
        transport.last().respond(200, completion());
    }

    @Test
    void aRetryAfterTooLongMovesOnAtOnce() {
        Target a = target("pa", RETRY_TWICE, BreakerSpec.DEFAULTS);
        call(request(false), RETRIES, a, target("pb")).start();
        transport
                .last()
                .error(new GatewayException(
                        429, "rate_limit_error", null, null, "come back tomorrow", true, Duration.ofHours(1), null));
        assertThat(transport.openedUris()).containsExactly("fake://pa/m-pa", "fake://pb/m-pb");
        transport.last().respond(200, completion());
    }

    @Test
    void aBackoffBeyondTheRequestDeadlineMovesOnAtOnce() {
        Target a = target("pa", new RetrySpec(1, 5000L, 5000L), BreakerSpec.DEFAULTS);
        call(request(false), new RouteSettings(Duration.ofSeconds(2), null, null, true), a, target("pb"))
                .start();
        transport.last().error(unavailable());
        assertThat(transport.openedUris()).containsExactly("fake://pa/m-pa", "fake://pb/m-pb");
        transport.last().respond(200, completion());
    }

    @Test
    void nonRetryableErrorsAreNeitherRetriedNorFailedOver() {
        Target a = target("pa", RETRY_TWICE, BreakerSpec.DEFAULTS);
        call(request(false), RETRIES, a, target("pb")).start();
        transport.last().headers(400).body("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}");
        transport.last().end();
        assertThat(transport.opened).hasSize(1);
        assertThat(listener.failure.status()).isEqualTo(400);
        assertThat(clock.pending()).as("no retry scheduled").isZero();
    }

    // ------------------------------------------------------------------ deadlines

    @Test
    void theRequestDeadlineEndsTheCall() {
        RoutedCall call =
                call(request(false), new RouteSettings(Duration.ofSeconds(1), null, null, true), target("pa"));
        call.start();
        clock.advanceMillis(999);
        assertThat(listener.events).isEmpty();
        clock.advanceMillis(1);
        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.status()).isEqualTo(504);
        assertThat(listener.failure.code()).isEqualTo("request_timeout");
        assertThat(transport.last().cancelled).isTrue();
        assertThat(call.info().attempts()).extracting(Attempt::errorCode).containsExactly("request_timeout");
    }

    @Test
    void aStreamWithNoFirstTokenBeforeTheTtftDeadlineFailsOverAndHeldChunksAreDropped() {
        call(
                        request(true),
                        new RouteSettings(null, null, Duration.ofMillis(500), true),
                        target("pa", RETRY_TWICE, BreakerSpec.DEFAULTS),
                        target("pb"))
                .start();
        FakeTransport.Exchange slow = transport.last();
        slow.headers(200).body(ROLE); // role-only: not a first token
        clock.advanceMillis(500);
        assertThat(slow.cancelled).isTrue();
        assertThat(transport.openedUris())
                .as("a TTFT miss moves to the next target without retrying the slow one")
                .containsExactly("fake://pa/m-pa", "fake://pb/m-pb");
        transport.last().headers(200).bodies(ROLE, HELLO, STOP, "data: [DONE]\n\n");
        transport.last().end();
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "chunk", "end");
        assertThat(listener.content()).isEqualTo("hello");
        assertThat(listener.rawChunks).hasSize(3).allSatisfy(raw -> assertThat(raw)
                .doesNotContain("pa"));
    }

    @Test
    void theTtftDeadlineStopsMatteringOnceTheFirstTokenArrived() {
        call(request(true), new RouteSettings(null, null, Duration.ofMillis(500), true), target("pa"), target("pb"))
                .start();
        transport.last().headers(200).bodies(ROLE, HELLO);
        clock.advanceMillis(10_000);
        assertThat(transport.opened).hasSize(1);
        transport.last().bodies(STOP, "data: [DONE]\n\n");
        transport.last().end();
        assertThat(listener.events).endsWith("end");
    }

    // ------------------------------------------------------------------ commit point and keep-alives

    @Test
    void aFailureAfterOnlyTheRoleChunkStillFailsOverInvisibly() {
        call(request(true), RouteSettings.FAILOVER_ONLY, target("pa"), target("pb"))
                .start();
        transport.last().headers(200).body(ROLE);
        assertThat(listener.events).as("the role chunk is held").isEmpty();
        transport.last().error(unavailable());
        transport.last().headers(200).bodies(ROLE, HELLO, STOP, "data: [DONE]\n\n");
        transport.last().end();
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "chunk", "end");
        assertThat(listener.chunks.get(0).choices().get(0).delta().role()).isEqualTo("assistant");
    }

    @Test
    void commitPointFirstChunkCommitsOnTheRoleChunk() {
        call(request(true), RouteSettings.FAILOVER_ONLY.withCommitChars(-1), target("pa"), target("pb"))
                .start();
        transport.last().headers(200).body(ROLE);
        assertThat(listener.events).containsExactly("start", "chunk");
        transport.last().error(unavailable());
        assertThat(transport.opened).as("committed: no failover").hasSize(1);
        assertThat(listener.events).endsWith("failure");
    }

    @Test
    void commitPointOfNCharactersHoldsShortOpeningsAndStillFailsOver() {
        String shortText = chunk("{\"content\":\"hey\"}", null);
        call(request(true), RouteSettings.FAILOVER_ONLY.withCommitChars(10), target("pa"), target("pb"))
                .start();
        transport.last().headers(200).bodies(ROLE, shortText);
        assertThat(listener.events).as("3 of 10 characters: still held").isEmpty();
        transport.last().error(unavailable());
        assertThat(transport.opened).as("not committed: fails over").hasSize(2);
        transport.last().headers(200).bodies(ROLE, shortText, chunk("{\"content\":\" there, friend\"}", null));
        assertThat(listener.events)
                .as("13 characters reached: the held chunks go out")
                .containsExactly("start", "chunk", "chunk", "chunk");
        transport.last().bodies(STOP, "data: [DONE]\n\n");
        transport.last().end();
        assertThat(listener.content()).isEqualTo("hey there, friend");
    }

    @Test
    void keepAlivesFlowWhileWaitingAndStopAtTheFirstToken() {
        call(request(true), new RouteSettings(null, Duration.ofMillis(100), null, true), target("pa"))
                .start();
        clock.advanceMillis(350);
        assertThat(listener.keepalives).isEqualTo(3);
        transport.last().headers(200).bodies(ROLE, HELLO);
        clock.advanceMillis(1000);
        assertThat(listener.keepalives).isEqualTo(3);
        transport.last().bodies(STOP, "data: [DONE]\n\n");
        transport.last().end();
        assertThat(clock.pending()).as("no timer left behind").isZero();
    }

    @Test
    void nonStreamedCallsSendNoKeepAlives() {
        call(request(false), new RouteSettings(null, Duration.ofMillis(100), null, true), target("pa"))
                .start();
        clock.advanceMillis(1000);
        assertThat(listener.keepalives).isZero();
        transport.last().respond(200, completion());
    }

    @Test
    void contextLengthExceededContinuesWithTheContextFallbacksInsteadOfTheRest() {
        RoutedCall call = call(request(false), RETRIES, target("pa"), target("pb"));
        call.contextFallbacks(List.of(target("pc")));
        call.start();
        transport
                .last()
                .headers(400)
                .body(
                        "{\"error\":{\"message\":\"too long\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}");
        transport.last().end();
        assertThat(transport.openedUris()).containsExactly("fake://pa/m-pa", "fake://pc/m-pc");
        transport.last().respond(200, completion());
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void withoutContextFallbacksContextLengthExceededIsReturned() {
        call(request(false), RETRIES, target("pa"), target("pb")).start();
        transport
                .last()
                .headers(400)
                .body("{\"error\":{\"message\":\"too long\",\"code\":\"context_length_exceeded\"}}");
        transport.last().end();
        assertThat(transport.opened).hasSize(1);
        assertThat(listener.failure.code()).isEqualTo("context_length_exceeded");
    }

    // ------------------------------------------------------------------ key rotation

    private Target keyed(String provider, String... keys) {
        ProviderSpec spec = new ProviderSpec(
                "fake",
                null,
                keys[0],
                null,
                null,
                null,
                null,
                RetrySpec.NONE,
                null,
                BreakerSpec.DEFAULTS,
                null,
                List.of(keys).subList(1, keys.length),
                null);
        return new Target(new Provider(provider, spec, adapter), "m-" + provider);
    }

    private String lastKey() {
        return transport.last().request.headers().get("x-key");
    }

    @Test
    void keysRotateRoundRobin() {
        Target t = keyed("pa", "k1", "k2", "k3");
        List<String> used = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            nextCall();
            call(request(false), RETRIES, t).start();
            used.add(lastKey());
            transport.last().respond(200, completion());
        }
        assertThat(used).containsExactly("k1", "k2", "k3", "k1", "k2", "k3");
    }

    @Test
    void aRejectedKeyIsRetriedWithTheNextKeyAndThenRests() {
        Target t = keyed("pa", "bad", "good");
        call(request(false), RETRIES, t).start();
        assertThat(lastKey()).isEqualTo("bad");
        transport
                .last()
                .headers(401)
                .body("{\"error\":{\"message\":\"invalid key\",\"type\":\"authentication_error\"}}");
        transport.last().end();
        assertThat(lastKey()).as("the same target, at once, with the other key").isEqualTo("good");
        transport.last().respond(200, completion());
        assertThat(listener.events).containsExactly("response");
        for (int i = 0; i < 3; i++) {
            nextCall();
            call(request(false), RETRIES, t).start();
            assertThat(lastKey()).as("the rejected key rests").isEqualTo("good");
            transport.last().respond(200, completion());
        }
        clock.advance(KeyRotation.REJECTED_COOLDOWN_NANOS);
        List<String> after = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            nextCall();
            call(request(false), RETRIES, t).start();
            after.add(lastKey());
            transport.last().respond(200, completion());
        }
        assertThat(after).as("back in rotation after its rest").contains("bad");
    }

    @Test
    void aRateLimitedKeyRestsForItsRetryAfter() {
        Target t = keyed("pa", "k1", "k2");
        call(request(false), new RouteSettings(null, null, null, true), t, target("pb"))
                .start();
        transport
                .last()
                .error(new GatewayException(
                        429, "rate_limit_error", null, null, "slow", true, Duration.ofSeconds(2), null));
        transport.last().respond(200, completion());
        nextCall();
        call(request(false), RETRIES, t).start();
        assertThat(lastKey()).isEqualTo("k2");
        transport.last().respond(200, completion());
        nextCall();
        call(request(false), RETRIES, t).start();
        assertThat(lastKey()).as("k1 still resting").isEqualTo("k2");
        transport.last().respond(200, completion());
        clock.advanceMillis(2000);
        List<String> after = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            nextCall();
            call(request(false), RETRIES, t).start();
            after.add(lastKey());
            transport.last().respond(200, completion());
        }
        assertThat(after)
                .as("k1 is back in rotation once its Retry-After passed")
                .containsExactlyInAnyOrder("k1", "k2");
    }

    // ------------------------------------------------------------------ hedging

    private static final RouteSettings HEDGE_200MS = new RouteSettings(null, null, null, false, Duration.ofMillis(200));

    @Test
    void aSlowStreamIsHedgedAndTheFirstToProduceWinsTheLoserIsCancelled() {
        call(request(true), HEDGE_200MS, target("pa"), target("pb"), target("pc"))
                .start();
        FakeTransport.Exchange slow = transport.last();
        slow.headers(200).body(ROLE);
        clock.advanceMillis(199);
        assertThat(transport.opened).hasSize(1);
        clock.advanceMillis(1);
        assertThat(transport.openedUris()).containsExactly("fake://pa/m-pa", "fake://pb/m-pb");
        FakeTransport.Exchange hedge = transport.last();
        hedge.headers(200).bodies(ROLE, HELLO);
        assertThat(slow.cancelled)
                .as("the loser is cancelled when the hedge produces first")
                .isTrue();
        hedge.bodies(STOP, "data: [DONE]\n\n");
        hedge.end();
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "chunk", "end");
        assertThat(listener.rawChunks)
                .as("only the winner's chunks reach the client")
                .hasSize(3);
        assertThat(transport.opened).as("never more than one hedge").hasSize(2);
        assertThat(listener.failureInfo).isNull();
    }

    @Test
    void thePrimaryCanStillWinTheRace() {
        RoutedCall call = call(request(false), HEDGE_200MS, target("pa"), target("pb"));
        call.start();
        FakeTransport.Exchange primary = transport.last();
        clock.advanceMillis(200);
        FakeTransport.Exchange hedge = transport.last();
        assertThat(hedge).isNotSameAs(primary);
        primary.respond(200, completion());
        assertThat(hedge.cancelled).isTrue();
        assertThat(listener.events).containsExactly("response");
        assertThat(call.info().target().id()).isEqualTo("pa/m-pa");
        assertThat(call.info().attempts()).extracting(Attempt::errorCode).contains("hedge_lost");
    }

    @Test
    void whenOneRacerFailsTheOtherCarriesOn() {
        call(request(false), HEDGE_200MS, target("pa"), target("pb"), target("pc"))
                .start();
        FakeTransport.Exchange primary = transport.last();
        clock.advanceMillis(200);
        FakeTransport.Exchange hedge = transport.last();
        primary.error(unavailable());
        assertThat(transport.opened).as("no third attempt while the hedge runs").hasSize(2);
        hedge.respond(200, completion());
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void aFastAnswerMeansNoHedge() {
        call(request(false), HEDGE_200MS, target("pa"), target("pb")).start();
        transport.last().respond(200, completion());
        clock.advanceMillis(1000);
        assertThat(transport.opened).hasSize(1);
        assertThat(clock.pending()).isZero();
    }

    // ------------------------------------------------------------------ circuit breaking

    @Test
    void anOpenBreakerSkipsTheTargetWithoutANetworkCallUntilItsCooldown() {
        Target a = target("pa", RetrySpec.NONE, TRIP_AFTER_2);
        Target b = target("pb");
        for (int i = 0; i < 2; i++) {
            nextCall();
            call(request(false), RETRIES, a, b).start();
            transport.last().error(unavailable());
            transport.last().respond(200, completion());
        }
        assertThat(breakers.forTarget(a).state()).isEqualTo(CircuitBreaker.State.OPEN);
        int before = transport.opened.size();
        nextCall();
        RoutedCall skipped = call(request(false), RETRIES, a, b);
        skipped.start();
        assertThat(transport.opened.size() - before).as("only b was contacted").isEqualTo(1);
        assertThat(transport.last().request.uri().toString()).isEqualTo("fake://pb/m-pb");
        transport.last().respond(200, completion());
        assertThat(skipped.info().attempts())
                .containsExactly(new Attempt("pa/m-pa", 503, "circuit_open", 0), new Attempt("pb/m-pb", 200, null, 0));

        clock.advanceMillis(10_000); // cooldown over: one probe goes to a
        nextCall();
        call(request(false), RETRIES, a, b).start();
        assertThat(transport.last().request.uri().toString()).isEqualTo("fake://pa/m-pa");
        transport.last().respond(200, completion());
        assertThat(breakers.forTarget(a).state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void allTargetsOpenAnswers503WithoutAnyCall() {
        Target a = target("pa", RetrySpec.NONE, TRIP_AFTER_2);
        breakers.forTarget(a).onFailure(clock.nanoTime());
        breakers.forTarget(a).onFailure(clock.nanoTime());
        call(request(false), RETRIES, a).start();
        assertThat(transport.opened).isEmpty();
        assertThat(listener.failure.status()).isEqualTo(503);
        assertThat(listener.failure.code()).isEqualTo("circuit_open");
    }

    @Test
    void clientErrorsDoNotOpenTheBreaker() {
        Target a = target("pa", RetrySpec.NONE, TRIP_AFTER_2);
        for (int i = 0; i < 3; i++) {
            nextCall();
            call(request(false), RETRIES, a).start();
            transport.last().headers(400).body("{\"error\":{\"message\":\"bad\"}}");
            transport.last().end();
        }
        assertThat(breakers.forTarget(a).state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void breakerRateRuleHalfOpenProbeAndAbandon() {
        CircuitBreaker cb = new CircuitBreaker(new BreakerSpec(true, 100, 0.5, 10, 10, 1000L));
        long t = 0;
        for (int i = 0; i < 5; i++) {
            cb.onSuccess();
            cb.onFailure(t);
            assertThat(cb.state())
                    .as("under min_calls or rate")
                    .isEqualTo(i < 4 ? CircuitBreaker.State.CLOSED : CircuitBreaker.State.OPEN);
        }
        assertThat(cb.tryAcquire(t + 999_999_999L)).isFalse();
        assertThat(cb.tryAcquire(t + 1_000_000_000L)).as("first probe").isTrue();
        assertThat(cb.tryAcquire(t + 1_000_000_001L))
                .as("only one probe at a time")
                .isFalse();
        cb.onAbandoned();
        assertThat(cb.tryAcquire(t + 1_000_000_002L))
                .as("an abandoned probe frees the slot")
                .isTrue();
        cb.onFailure(t + 1_000_000_003L);
        assertThat(cb.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(cb.opens()).isEqualTo(2);
    }

    @Test
    void aDisabledBreakerNeverOpens() {
        CircuitBreaker cb = new CircuitBreaker(new BreakerSpec(false, 1, 0.1, 1, 1, 1L));
        for (int i = 0; i < 10; i++) {
            cb.onFailure(i);
        }
        assertThat(cb.tryAcquire(11)).isTrue();
        assertThat(Json.string(cb.state())).isEqualTo("\"CLOSED\"");
    }
}
