package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatRequestSource;
import io.junction.core.schema.Json;
import io.junction.core.schema.StreamOptions;
import io.junction.core.spi.Provider;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamBody;
import io.junction.core.transport.UpstreamRequest;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutedCallTest {
    private final FakeAdapter adapter = new FakeAdapter();
    private final FakeTransport transport = new FakeTransport();
    private final RecordingListener listener = new RecordingListener();
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);

    private final Target a = target("pa", "model-a");
    private final Target b = target("pb", "model-b");
    private final Target c = target("pc", "org/model-c");

    @AfterEach
    void listenerProtocolAndBuffers() {
        listener.assertNoViolations();
        transport.opened.forEach(FakeTransport.Exchange::assertNothingRetained);
    }

    // ---------------------------------------------------------------- fixtures

    private Target target(String provider, String model) {
        ProviderSpec spec = new ProviderSpec("fake", null, null, null, null, null, null, null);
        return new Target(new Provider(provider, spec, adapter), model);
    }

    private RoutedCall call(ChatRequest request, Target... plan) {
        return new RoutedCall(
                request, Arrays.asList(plan), transport, ImmediateEventExecutor.INSTANCE, listener, clock::get);
    }

    private static ChatRequest request(boolean stream, boolean includeUsage) {
        ChatRequest.Builder b = new ChatRequest.Builder()
                .model("fast").messages(List.of(ChatMessage.of("user", "hi"))).fallbacks(List.of("other")).stream(
                                stream ? Boolean.TRUE : null)
                        .extra("x_unknown", 7);
        if (includeUsage) {
            b.streamOptions(new StreamOptions(true, null));
        }
        return b.build();
    }

    private static final ChatRequest NON_STREAM = request(false, false);
    private static final ChatRequest STREAM = request(true, false);
    private static final ChatRequest STREAM_WITH_USAGE = request(true, true);

    private static String completion(String text) {
        return "{\"id\":\"r1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"served-model\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(text)
                + "},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";
    }

    private static String error(String message, String type, String code, String param) {
        ObjectNode err = Json.MAPPER.createObjectNode();
        ObjectNode e = err.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.put("code", code);
        e.put("param", param);
        return err.toString();
    }

    private static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }

    private static String chunkJson(String deltaJson, String finish) {
        return "{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + deltaJson + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : quote(finish)) + "}]}";
    }

    private static String roleChunk() {
        return chunkJson("{\"role\":\"assistant\",\"content\":\"\"}", null);
    }

    private static String contentChunk(String text) {
        return chunkJson("{\"content\":" + quote(text) + "}", null);
    }

    private static String finishChunk(String reason) {
        return chunkJson("{}", reason);
    }

    private static String usageChunk(int prompt, int completion) {
        return "{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + "}}";
    }

    private static String sse(String json) {
        return "data: " + json + "\n\n";
    }

    private static final String DONE = "data: [DONE]\n\n";

    private static String inBandError(String message) {
        return sse("{\"error\":{\"message\":" + quote(message) + ",\"type\":\"server_error\"}}");
    }

    // ---------------------------------------------------------------- non-streamed

    @Test
    void aSuccessfulResponseIsDeliveredOnceWithItsAttempt() throws IOException {
        RoutedCall call = call(NON_STREAM, a, b);
        call.start();
        clock.addAndGet(7_000_000);
        transport.last().respond(200, completion("hello"));

        assertThat(listener.events).containsExactly("response");
        assertThat(listener.response.choices().get(0).message().text()).isEqualTo("hello");
        assertThat(call.isFinished()).isTrue();
        CallInfo info = call.info();
        assertThat(info.requestedModel()).isEqualTo("fast");
        assertThat(info.target()).isEqualTo(a);
        assertThat(info.attempts()).containsExactly(new Attempt("pa/model-a", 200, null, 7));
        assertThat(info.usage().totalTokens()).isEqualTo(4);
        assertThat(info.finishReason()).isEqualTo("stop");
        assertThat(info.committed()).isFalse();
        assertThat(transport.opened).hasSize(1);
    }

    @Test
    void theUpstreamRequestCarriesTheTargetModelAndNoExtensionFields() throws IOException {
        call(NON_STREAM, c).start();

        FakeTransport.Exchange ex = transport.last();
        assertThat(ex.request.uri().toString()).isEqualTo("fake://pc/org/model-c");
        JsonNode body = Json.MAPPER.readTree(ex.body());
        assertThat(body.get("model").asText()).isEqualTo("org/model-c");
        assertThat(body.has("fallbacks")).isFalse();
        assertThat(body.get("x_unknown").asInt()).isEqualTo(7);
        ex.respond(200, completion("ok"));
    }

    @Test
    void aResponseSplitIntoManyPiecesIsReassembled() {
        call(NON_STREAM, a).start();
        String body = completion("a fairly long answer, split at every byte");
        FakeTransport.Exchange ex = transport.last().headers(200);
        for (byte piece : body.getBytes(StandardCharsets.UTF_8)) {
            ex.body(new byte[] {piece});
        }
        ex.end();

        assertThat(listener.events).containsExactly("response");
        assertThat(listener.response.choices().get(0).message().text())
                .isEqualTo("a fairly long answer, split at every byte");
    }

    // ---------------------------------------------------------------- the client's bytes (ChatRequestSource)

    private static final String CLIENT_BODY =
            "{\"model\":\"fast\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                    + "\"fallbacks\":[\"other\"]}";

    @Test
    void theFirstOpenAiFormatAttemptSendsTheClientsBytesAndTheNextIsSerialized() throws IOException {
        ChatRequest parsed = io.junction.core.validate.RequestParser.parse(
                new java.io.ByteArrayInputStream(CLIENT_BODY.getBytes(StandardCharsets.UTF_8)));
        io.netty.buffer.ByteBuf body = io.netty.buffer.Unpooled.copiedBuffer(CLIENT_BODY, StandardCharsets.UTF_8);
        ChatRequestSource source = new ChatRequestSource(parsed);
        source.adopt(body);
        // an OpenAI-format adapter: the request and the upstream writer, serialized by the transport
        adapter.encodeOverride = r -> new UpstreamRequest(
                "POST",
                java.net.URI.create("fake://openai"),
                Map.of(),
                UpstreamBody.json(Json.UPSTREAM_WRITER, r),
                false,
                java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1));
        RoutedCall call = call(parsed, a, b);
        call.requestSource(source);
        call.start();

        assertThat(transport.last().body())
                .isEqualTo("{\"model\":\"model-a\",\"temperature\":1,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hi\"}]}");
        assertThat(body.refCnt()).as("let go once written").isEqualTo(1);
        transport.last().respond(503, error("overloaded", "server_error", null, null));

        assertThat(Json.MAPPER.readTree(transport.last().body()))
                .isEqualTo(Json.MAPPER.readTree("{\"model\":\"model-b\",\"temperature\":1.0,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(transport.last().body()).contains("\"temperature\":1.0");
        transport.last().respond(200, completion("ok"));
        body.release();
    }

    @Test
    void aFirstAttemptInAnotherFormatLetsTheClientsBytesGo() {
        ChatRequest parsed = io.junction.core.validate.RequestParser.parse(
                new java.io.ByteArrayInputStream(CLIENT_BODY.getBytes(StandardCharsets.UTF_8)));
        io.netty.buffer.ByteBuf body = io.netty.buffer.Unpooled.copiedBuffer(CLIENT_BODY, StandardCharsets.UTF_8);
        ChatRequestSource source = new ChatRequestSource(parsed);
        source.adopt(body);
        RoutedCall call = call(parsed, a); // the fake adapter builds its own bytes
        call.requestSource(source);
        call.start();

        assertThat(body.refCnt()).isEqualTo(1);
        assertThat(source.length()).isZero();
        transport.last().respond(200, completion("ok"));
        body.release();
    }

    @Test
    void a503FailsOverToTheNextTarget() {
        RoutedCall call = call(NON_STREAM, a, b);
        call.start();
        FakeTransport.Exchange first = transport.last();
        first.respond(503, error("overloaded", "server_error", null, null));

        assertThat(transport.opened).hasSize(2);
        assertThat(listener.events)
                .as("nothing reaches the client from a failed attempt")
                .isEmpty();
        transport.last().respond(200, completion("from b"));

        assertThat(listener.events).containsExactly("response");
        assertThat(listener.response.choices().get(0).message().text()).isEqualTo("from b");
        assertThat(call.info().target()).isEqualTo(b);
        assertThat(call.info().attempts())
                .extracting(Attempt::target, Attempt::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("pa/model-a", 503),
                        org.assertj.core.groups.Tuple.tuple("pb/model-b", 200));
        assertThat(transport.openedUris()).containsExactly("fake://pa/model-a", "fake://pb/model-b");
    }

    @Test
    void each408409And429AreRetriedToo() {
        call(NON_STREAM, a, b, c, target("pd", "d")).start();
        transport.last().respond(408, "");
        transport.last().respond(409, error("conflict", "invalid_request_error", null, null));
        transport.last().respond(429, error("slow down", "rate_limit_error", "rate_limit_exceeded", null));
        assertThat(transport.opened).hasSize(4);
        transport.last().respond(200, completion("d"));

        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void a400IsReturnedAsIsAndNotRetried() {
        RoutedCall call = call(NON_STREAM, a, b);
        call.start();
        transport
                .last()
                .respond(
                        400,
                        error(
                                "Unsupported parameter: 'max_tokens'",
                                "invalid_request_error",
                                "unsupported_parameter",
                                "max_tokens"));

        assertThat(transport.opened).as("the second target is never tried").hasSize(1);
        assertThat(listener.events).containsExactly("failure");
        GatewayException e = listener.failure;
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).isEqualTo("Unsupported parameter: 'max_tokens'");
        assertThat(e.code()).isEqualTo("unsupported_parameter");
        assertThat(e.param()).isEqualTo("max_tokens");
        assertThat(listener.failureInfo.committed()).isFalse();
        assertThat(call.info().attempts()).containsExactly(new Attempt("pa/model-a", 400, "unsupported_parameter", 0));
        assertThat(call.isFinished()).isTrue();
    }

    @Test
    void aConnectErrorFailsOver() {
        call(NON_STREAM, a, b).start();
        transport.last().error(GatewayException.upstreamUnavailable("pa", "refused the connection", null));

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, completion("b"));

        assertThat(listener.events).containsExactly("response");
        assertThat(listener.response.choices().get(0).message().text()).isEqualTo("b");
    }

    @Test
    void aNonRetryableTransportErrorIsNotRetried() {
        call(NON_STREAM, a, b).start();
        transport.last().error(new GatewayException(400, "invalid_request_error", null, null, "bad URI", false));

        assertThat(transport.opened).hasSize(1);
        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.getMessage()).isEqualTo("bad URI");
    }

    @Test
    void whenEveryTargetFailsTheLastErrorIsReported() {
        RoutedCall call = call(NON_STREAM, a, b, c);
        call.start();
        transport.last().respond(503, error("a is down", "server_error", null, null));
        transport.last().error(GatewayException.upstreamTimeout("pb", "did not answer in time"));
        transport.last().respond(429, error("c is rate limited", "rate_limit_error", "rate_limit_exceeded", null));

        assertThat(transport.opened).hasSize(3);
        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.status()).isEqualTo(429);
        assertThat(listener.failure.getMessage()).isEqualTo("c is rate limited");
        assertThat(call.info().attempts()).extracting(Attempt::status).containsExactly(503, 504, 429);
        assertThat(call.info().attempts())
                .extracting(Attempt::errorCode)
                .containsExactly(null, "upstream_timeout", "rate_limit_exceeded");
    }

    @Test
    void anUndecodableResponseFailsOverAsMalformed() {
        call(NON_STREAM, a, b).start();
        transport.last().respond(200, "<html>not json</html>");

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, completion("b"));
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void anAdapterThatThrowsWhileDecodingIsAMalformedUpstreamNotACrash() {
        Target broken = new Target(
                new Provider(
                        "broken",
                        new ProviderSpec("fake", null, null, null, null, null, null, null),
                        new FakeAdapter() {
                            @Override
                            public io.junction.core.schema.ChatResponse decodeResponse(
                                    io.netty.buffer.ByteBuf body, Target target) {
                                throw new IllegalStateException("adapter bug");
                            }
                        }),
                "m");
        call(NON_STREAM, broken).start();
        transport.last().respond(200, completion("x"));

        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.status()).isEqualTo(502);
        assertThat(listener.failure.code()).isEqualTo("bad_upstream_response");
        assertThat(listener.failure.getMessage()).contains("broken").contains("adapter bug");
    }

    @Test
    void anEndBeforeHeadersIsAFailedAttempt() {
        call(NON_STREAM, a).start();
        transport.last().forceEnd();

        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.status()).isEqualTo(502);
        assertThat(listener.failure.getMessage()).contains("sent no response");
    }

    @Test
    void aTransportErrorInTheMiddleOfAnErrorBodyReleasesItAndFailsOver() {
        call(NON_STREAM, a, b).start();
        FakeTransport.Exchange first = transport.last();
        first.headers(500).body("{\"error\":{\"mess");
        first.error(GatewayException.upstreamUnavailable("pa", "reset the connection", null));

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, completion("b"));
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void anOversizedBodyFailsOverAndReleasesWhatWasBuffered() {
        call(NON_STREAM, a, b).start();
        FakeTransport.Exchange first = transport.last();
        first.headers(200).body("{\"id\":");
        first.body(new byte[RoutedCall.MAX_BODY_BYTES]);

        assertThat(first.cancelled).isTrue();
        assertThat(transport.opened).hasSize(2);
        // the first piece was retained into the aggregate; failing over must have released it
        first.assertNothingRetained();
        transport.last().respond(200, completion("b"));
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void anEncodeErrorFromTheAdapterIsReportedWithoutOpeningAnExchange() {
        adapter.encodeOverride = r -> {
            throw GatewayException.invalidRequest("tools", "this provider does not support tools");
        };
        call(NON_STREAM, a, b).start();

        assertThat(transport.opened).isEmpty();
        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.param()).isEqualTo("tools");
    }

    @Test
    void aCrashingEncoderIsAnInternalErrorAndNotRetried() {
        adapter.encodeOverride = r -> {
            throw new IllegalStateException("boom");
        };
        call(NON_STREAM, a, b).start();

        assertThat(transport.opened).isEmpty();
        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.status()).isEqualTo(500);
        assertThat(listener.failure.getMessage()).contains("pa/model-a");
    }

    @Test
    void aRetryableEncodeErrorMovesToTheNextTarget() {
        FakeAdapter failing = new FakeAdapter();
        failing.encodeOverride = r -> {
            throw GatewayException.upstreamUnavailable("pa", "has no credentials loaded yet", null);
        };
        Target bad = new Target(
                new Provider("pa", new ProviderSpec("fake", null, null, null, null, null, null, null), failing), "x");
        call(NON_STREAM, bad, b).start();

        assertThat(transport.openedUris()).containsExactly("fake://pb/model-b");
        transport.last().respond(200, completion("b"));
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void anEmptyPlanIsRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> call(NON_STREAM))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- streamed

    @Test
    void chunksAreRelayedInOrderWithTheirExactBytes() {
        RoutedCall call = call(STREAM_WITH_USAGE, a);
        call.start();
        String[] jsons = {roleChunk(), contentChunk("Hel"), contentChunk("lo"), finishChunk("stop"), usageChunk(3, 2)};
        FakeTransport.Exchange ex = transport.last().headers(200);
        clock.addAndGet(2_000_000);
        for (String j : jsons) {
            ex.body(sse(j));
        }
        ex.body(DONE);
        ex.end();

        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "chunk", "chunk", "chunk", "end");
        assertThat(listener.rawChunks).containsExactly(jsons);
        assertThat(listener.content()).isEqualTo("Hello");
        CallInfo info = call.info();
        assertThat(info.committed()).isTrue();
        assertThat(info.firstChunkNanos()).isEqualTo(5_002_000_000L);
        assertThat(info.finishReason()).isEqualTo("stop");
        assertThat(info.usage().totalTokens()).isEqualTo(5);
        assertThat(info.attempts()).containsExactly(new Attempt("pa/model-a", 200, null, 2));
        assertThat(chunksAsDelivered().get(4).isUsageOnly()).isTrue();
    }

    private List<io.junction.core.schema.ChatChunk> chunksAsDelivered() {
        return listener.chunks;
    }

    @Test
    void eventsSplitAcrossBodyPiecesAreReassembled() {
        call(STREAM, a).start();
        String all = sse(roleChunk()) + sse(contentChunk("one two")) + sse(finishChunk("stop")) + DONE;
        FakeTransport.Exchange ex = transport.last().headers(200);
        byte[] bytes = all.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += 7) {
            ex.body(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 7)));
        }
        ex.end();

        assertThat(listener.content()).isEqualTo("one two");
        assertThat(listener.events).endsWith("end");
    }

    @Test
    void theUsageOnlyChunkIsDroppedWhenTheClientDidNotAskForIt() {
        RoutedCall call = call(STREAM, a);
        call.start();
        transport
                .last()
                .respond(
                        200,
                        sse(roleChunk()),
                        sse(contentChunk("x")),
                        sse(finishChunk("stop")),
                        sse(usageChunk(4, 1)),
                        DONE);

        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "chunk", "end");
        assertThat(listener.chunks).noneMatch(ch -> ch.usage() != null);
        // the gateway still knows the usage for its own accounting
        assertThat(call.info().usage().promptTokens()).isEqualTo(4);
        assertThat(call.info().usage().completionTokens()).isEqualTo(1);
    }

    @Test
    void theUsageOnlyChunkIsDeliveredWhenTheClientAskedForIt() {
        call(STREAM_WITH_USAGE, a).start();
        transport
                .last()
                .respond(
                        200,
                        sse(roleChunk()),
                        sse(contentChunk("x")),
                        sse(finishChunk("stop")),
                        sse(usageChunk(4, 1)),
                        DONE);

        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "chunk", "chunk", "end");
        assertThat(listener.chunks.get(3).isUsageOnly()).isTrue();
        assertThat(listener.chunks.get(3).usage().totalTokens()).isEqualTo(5);
    }

    @Test
    void anInBandErrorBeforeTheFirstChunkFailsOver() {
        RoutedCall call = call(STREAM, a, b);
        call.start();
        FakeTransport.Exchange first = transport.last();
        first.headers(200).body(": keep-alive\n\n" + inBandError("model overloaded"));

        assertThat(first.cancelled).isTrue();
        assertThat(transport.opened).hasSize(2);
        assertThat(listener.events).isEmpty();
        transport.last().respond(200, sse(roleChunk()), sse(contentChunk("from b")), sse(finishChunk("stop")), DONE);

        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "chunk", "end");
        assertThat(listener.content()).isEqualTo("from b");
        assertThat(call.info().attempts())
                .extracting(Attempt::status, Attempt::errorCode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(502, "upstream_stream_error"),
                        org.assertj.core.groups.Tuple.tuple(200, null));
    }

    @Test
    void chunksAfterAnInBandErrorInTheSamePieceAreDropped() {
        call(STREAM, a, b).start();
        transport.last().headers(200).body(inBandError("boom") + sse(contentChunk("late")));

        assertThat(listener.chunks).isEmpty();
        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, sse(contentChunk("b")), sse(finishChunk("stop")), DONE);
        assertThat(listener.content()).isEqualTo("b");
    }

    @Test
    void anErrorAfterTheFirstChunkIsReportedAsCommittedWithoutFailover() {
        RoutedCall call = call(STREAM, a, b);
        call.start();
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200).body(sse(roleChunk())).body(sse(contentChunk("partial")));
        ex.body(inBandError("upstream died"));

        assertThat(ex.cancelled).isTrue();
        assertThat(transport.opened).as("no failover once committed").hasSize(1);
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "failure");
        assertThat(listener.failure.getMessage()).isEqualTo("upstream died");
        assertThat(listener.failureInfo.committed()).isTrue();
        assertThat(call.info().attempts()).containsExactly(new Attempt("pa/model-a", 200, "upstream_stream_error", 0));
        assertThat(call.isFinished()).isTrue();
    }

    @Test
    void aTransportErrorAfterTheFirstChunkIsReportedAsCommitted() {
        call(STREAM, a, b).start();
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200).body(sse(contentChunk("partial")));
        ex.error(GatewayException.upstreamTimeout("pa", "stopped sending"));

        assertThat(transport.opened).hasSize(1);
        assertThat(listener.events).containsExactly("start", "chunk", "failure");
        assertThat(listener.failure.code()).isEqualTo("upstream_timeout");
        assertThat(listener.failureInfo.committed()).isTrue();
    }

    @Test
    void aTransportErrorBeforeTheFirstChunkFailsOver() {
        call(STREAM, a, b).start();
        transport.last().headers(200).body(": nothing yet\n\n");
        transport.last().error(GatewayException.upstreamUnavailable("pa", "reset", null));

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, sse(contentChunk("b")), sse(finishChunk("stop")), DONE);
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "end");
    }

    @Test
    void aStreamThatEndsWithoutDoneOrFinishReasonIsAFailure() {
        call(STREAM, a, b).start();
        transport.last().respond(200, sse(roleChunk()), sse(contentChunk("cut off")));

        assertThat(transport.opened).hasSize(1);
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "failure");
        assertThat(listener.failure.status()).isEqualTo(502);
        assertThat(listener.failure.getMessage()).contains("before it was complete");
        assertThat(listener.failureInfo.committed()).isTrue();
    }

    @Test
    void anEmptyStreamThatEndsWithoutDoneFailsOver() {
        call(STREAM, a, b).start();
        transport.last().respond(200, ": ping\n\n");

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, sse(contentChunk("b")), sse(finishChunk("stop")), DONE);
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "end");
    }

    @Test
    void aFinishReasonWithoutDoneIsAComplete() {
        call(STREAM, a).start();
        transport.last().respond(200, sse(contentChunk("x")), sse(finishChunk("length")));

        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "end");
    }

    @Test
    void aDoneWithoutFinishReasonIsAComplete() {
        call(STREAM, a).start();
        transport.last().respond(200, sse(contentChunk("x")), DONE);

        assertThat(listener.events).containsExactly("start", "chunk", "end");
    }

    @Test
    void aTrailingEventWithoutItsBlankLineIsStillDelivered() {
        call(STREAM, a).start();
        transport.last().respond(200, sse(contentChunk("x")), "data: " + finishChunk("stop"));

        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "end");
        assertThat(listener.chunks.get(1).choices().get(0).finishReason()).isEqualTo("stop");
    }

    @Test
    void aStreamWithNothingButDoneStillStartsBeforeItEnds() {
        call(STREAM, a).start();
        transport.last().respond(200, sse(usageChunk(1, 0)), DONE);

        // the usage-only chunk is dropped (not requested), so no chunk reaches the client; the
        // listener must still get onStreamStart (response headers) before onStreamEnd
        assertThat(listener.events).containsExactly("start", "end");
    }

    @Test
    void anUndecodableEventBeforeTheFirstChunkFailsOver() {
        call(STREAM, a, b).start();
        transport.last().headers(200).body("data: {not json\n\n");

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, sse(contentChunk("b")), DONE);
        assertThat(listener.events).containsExactly("start", "chunk", "end");
    }

    @Test
    void anUndecodableEventAfterTheFirstChunkIsACommittedFailure() {
        call(STREAM, a, b).start();
        transport.last().headers(200).body(sse(contentChunk("a"))).body("data: {not json\n\n");

        assertThat(transport.opened).hasSize(1);
        assertThat(listener.events).containsExactly("start", "chunk", "failure");
        assertThat(listener.failure.code()).isEqualTo("bad_upstream_response");
        assertThat(listener.failureInfo.committed()).isTrue();
    }

    @Test
    void anErrorStatusOnAStreamedRequestIsDecodedAsAnError() {
        call(STREAM, a, b).start();
        transport.last().respond(503, error("busy", "server_error", null, null));

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(400, error("bad", "invalid_request_error", "bad_param", "temperature"));

        assertThat(listener.events).containsExactly("failure");
        assertThat(listener.failure.param()).isEqualTo("temperature");
        assertThat(listener.failureInfo.committed()).isFalse();
    }

    // ---- backpressure

    @Test
    void anUnwritableClientStopsDemandUntilResume() {
        RoutedCall call = call(STREAM, a);
        call.start();
        FakeTransport.Exchange ex = transport.last().headers(200);
        assertThat(ex.requests).as("headers are followed by a request").isEqualTo(1);
        ex.body(sse(roleChunk()));
        assertThat(ex.requests).isEqualTo(2);

        listener.writable = false;
        ex.body(sse(contentChunk("a")));
        assertThat(ex.demand).as("no demand while the client cannot take more").isFalse();
        assertThat(ex.requests).isEqualTo(2);

        call.resume();
        assertThat(ex.requests).as("resume asks for the next piece").isEqualTo(3);
        assertThat(ex.demand).isTrue();
        call.resume();
        assertThat(ex.requests)
                .as("a second resume without a pause asks for nothing")
                .isEqualTo(3);

        listener.writable = true;
        ex.body(sse(contentChunk("b")));
        assertThat(ex.requests).isEqualTo(4);
        ex.body(sse(finishChunk("stop"))).body(DONE).end();

        assertThat(listener.content()).isEqualTo("ab");
        assertThat(listener.events).endsWith("end");
    }

    @Test
    void resumeBeforeAnyPauseDoesNotRequest() {
        RoutedCall call = call(STREAM, a);
        call.start();
        FakeTransport.Exchange ex = transport.last().headers(200);
        int before = ex.requests;

        call.resume();

        assertThat(ex.requests).isEqualTo(before);
        ex.bodies(sse(contentChunk("x")), DONE).end();
    }

    @Test
    void theClientBecomingUnwritableInsideOnChunkPausesAfterThatPiece() {
        RoutedCall call = call(STREAM, a);
        call.start();
        listener.onChunkHook = ch -> listener.writable = false;
        FakeTransport.Exchange ex = transport.last().headers(200);
        ex.body(sse(contentChunk("1")) + sse(contentChunk("2")));

        // both chunks of the piece are delivered (the piece is already in memory), then demand stops
        assertThat(listener.content()).isEqualTo("12");
        assertThat(ex.demand).isFalse();

        listener.onChunkHook = null;
        listener.writable = true;
        call.resume();
        ex.bodies(sse(finishChunk("stop")), DONE).end();
        assertThat(listener.events).endsWith("end");
    }

    @Test
    void resumeAfterTheCallFinishedDoesNothing() {
        RoutedCall call = call(STREAM, a);
        call.start();
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200).bodies(sse(contentChunk("x")), DONE).end();
        int before = ex.requests;

        call.resume();

        assertThat(ex.requests).isEqualTo(before);
    }

    // ---- cancel

    @Test
    void cancelAbortsTheExchangeAndSilencesTheCall() {
        RoutedCall call = call(STREAM, a, b);
        call.start();
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200).body(sse(contentChunk("one")));

        call.cancel();

        assertThat(ex.cancelled).isTrue();
        assertThat(call.isFinished()).isTrue();
        // a transport racing with the cancel may still deliver; nothing may reach the listener
        ex.forceBody(sse(contentChunk("two")) + inBandError("x"));
        ex.forceEnd();
        call.resume();
        call.cancel();

        assertThat(listener.events).containsExactly("start", "chunk");
        assertThat(transport.opened).as("no failover after cancel").hasSize(1);
    }

    @Test
    void cancelBeforeHeadersAbortsTheExchange() {
        RoutedCall call = call(NON_STREAM, a, b);
        call.start();
        call.cancel();

        FakeTransport.Exchange ex = transport.last();
        assertThat(ex.cancelled).isTrue();
        ex.headers(503);
        ex.forceBody("{}");
        ex.error(GatewayException.upstreamUnavailable("pa", "x", null));

        assertThat(listener.events).isEmpty();
        assertThat(transport.opened).hasSize(1);
    }

    @Test
    void cancelWhileABodyIsBufferedReleasesIt() {
        RoutedCall call = call(NON_STREAM, a);
        call.start();
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200).body("{\"id\":\"partial");

        call.cancel();

        ex.assertNothingRetained();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void cancelFromInsideOnStreamStartDropsTheChunk() {
        RoutedCall call = call(STREAM, a);
        listener.onStartHook = call::cancel;
        call.start();
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200).body(sse(contentChunk("x")) + sse(contentChunk("y")));

        assertThat(listener.events).containsExactly("start");
        assertThat(ex.cancelled).isTrue();
    }

    @Test
    void cancelFromInsideOnChunkStopsFurtherChunksOfTheSamePiece() {
        RoutedCall call = call(STREAM, a);
        listener.onChunkHook = ch -> call.cancel();
        call.start();
        FakeTransport.Exchange ex = transport.last();
        ex.headers(200).body(sse(contentChunk("x")) + sse(contentChunk("y")) + DONE);

        assertThat(listener.events).containsExactly("start", "chunk");
        assertThat(ex.cancelled).isTrue();
        assertThat(ex.demand).as("no more demand after cancel").isFalse();
    }

    // ---------------------------------------------------------------- transports that answer synchronously

    @Test
    void aConnectErrorReportedInsideOpenFailsOver() {
        transport.onOpen = ex -> {
            if (ex.request.uri().getHost().equals("pa")) {
                ex.error(GatewayException.upstreamUnavailable("pa", "refused", null));
            }
        };
        call(NON_STREAM, a, b).start();

        assertThat(transport.opened).hasSize(2);
        transport.last().respond(200, completion("b"));
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void headersDeliveredInsideOpenAreHandled() {
        // ImmediateEventExecutor runs executor.execute(...) inline, so a transport that hands its
        // work to the executor (as MockTransport does) answers before open() has returned
        transport.onOpen = ex -> ex.headers(200);
        call(NON_STREAM, a).start();

        FakeTransport.Exchange ex = transport.last();
        assertThat(ex.demand)
                .as("the call asked for the body once open() returned")
                .isTrue();
        ex.bodies(completion("sync")).end();
        assertThat(listener.events).containsExactly("response");
    }

    @Test
    void streamHeadersDeliveredInsideOpenAreHandled() {
        transport.onOpen = ex -> ex.headers(200);
        call(STREAM, a).start();

        FakeTransport.Exchange ex = transport.last();
        assertThat(ex.demand).isTrue();
        ex.bodies(sse(contentChunk("x")), sse(finishChunk("stop")), DONE).end();
        assertThat(listener.events).containsExactly("start", "chunk", "chunk", "end");
    }

    @Test
    void aCancelDuringOpenCancelsTheExchangeOnceItExists() {
        RoutedCall[] holder = new RoutedCall[1];
        transport.onOpen = ex -> {
            ex.headers(200);
            holder[0].cancel();
        };
        holder[0] = call(STREAM, a);
        holder[0].start();

        assertThat(transport.last().cancelled).isTrue();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void upstreamRequestToStringNeverShowsHeaders() {
        UpstreamRequest r = new UpstreamRequest(
                "POST",
                java.net.URI.create("https://x/v1"),
                Map.of("authorization", "Bearer sk-secret"),
                new byte[3],
                false,
                java.time.Duration.ZERO,
                java.time.Duration.ZERO);
        assertThat(r.toString()).doesNotContain("sk-secret").contains("3 bytes");
    }
}
