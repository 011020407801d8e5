package io.junction.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The in-process upstream, driven directly: with {@link ImmediateEventExecutor} every step runs
 * inline, so the test can check exactly what each {@code request()} releases.
 */
class MockTransportTest {
    private final MockAdapter adapter = new MockAdapter();
    private final MockTransport transport = new MockTransport();

    private Target target(Map<String, Object> options) {
        ProviderSpec spec = new ProviderSpec("mock", null, null, null, null, null, null, new LinkedHashMap<>(options));
        return new Target(new Provider("mock", spec, adapter), "echo-1");
    }

    private static ChatRequest parse(String json) {
        try {
            return Json.MAPPER.readValue(json, ChatRequest.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static final String HELLO =
            "{\"model\":\"echo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello mock world\"}]}";

    private static ChatRequest streamed(String json) {
        return parse(json).toBuilder().stream(true).build();
    }

    /** Records events; asks for nothing by itself, so the test controls demand. */
    static final class Recorder implements ExchangeListener {
        final List<String> kinds = new ArrayList<>();
        final List<String> bodies = new ArrayList<>();
        int status;
        UpstreamHeaders headers;
        GatewayException error;

        @Override
        public void onHeaders(int status, UpstreamHeaders headers) {
            kinds.add("headers");
            this.status = status;
            this.headers = headers;
        }

        @Override
        public void onBody(ByteBuf content) {
            kinds.add("body");
            bodies.add(content.toString(StandardCharsets.UTF_8)); // borrowed: copy, do not release
        }

        @Override
        public void onEnd() {
            kinds.add("end");
        }

        @Override
        public void onError(GatewayException error) {
            kinds.add("error");
            this.error = error;
        }

        String all() {
            return String.join("", bodies);
        }
    }

    private UpstreamExchange open(UpstreamRequest request, Recorder rec) {
        return transport.open(request, ImmediateEventExecutor.INSTANCE, rec);
    }

    /** request() until the end, checking that each releases exactly one event; bounded. */
    private static void drain(UpstreamExchange ex, Recorder rec) {
        for (int i = 0; i < 10_000 && !rec.kinds.contains("end"); i++) {
            int before = rec.kinds.size();
            ex.request();
            assertThat(rec.kinds.size()).as("one event per request()").isEqualTo(before + 1);
        }
        assertThat(rec.kinds).last().isEqualTo("end");
    }

    /** The SSE body decoded with the OpenAI decoder the mock shares. */
    private List<ChatChunk> decode(String sse, Target t, boolean[] done) {
        StreamDecoder d = adapter.newStreamDecoder(null, t);
        List<ChatChunk> out = new ArrayList<>();
        StreamSink sink = new StreamSink() {
            @Override
            public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
                rawJson.release();
                out.add(chunk);
            }

            @Override
            public void onError(GatewayException error) {
                throw error;
            }

            @Override
            public void onDone() {
                done[0] = true;
            }
        };
        ByteBuf buf = Unpooled.copiedBuffer(sse, StandardCharsets.UTF_8);
        try {
            d.decode(buf, sink);
        } finally {
            buf.release();
        }
        d.finish(sink);
        return out;
    }

    // ---------------------------------------------------------------- non-streamed

    @Test
    void aNonStreamedAnswerIsOneChatCompletionEchoingTheLastUserMessage() throws IOException {
        Target t = target(Map.of());
        Recorder rec = new Recorder();
        UpstreamExchange ex = open(adapter.encode(parse(HELLO), t), rec);

        assertThat(rec.kinds).as("headers come without demand").containsExactly("headers");
        assertThat(rec.status).isEqualTo(200);
        assertThat(rec.headers.get("Content-Type")).isEqualTo("application/json");
        drain(ex, rec);
        assertThat(rec.kinds).containsExactly("headers", "body", "end");

        ChatResponse r = Json.MAPPER.readValue(rec.all(), ChatResponse.class);
        assertThat(r.object()).isEqualTo("chat.completion");
        assertThat(r.id()).startsWith("chatcmpl-mock-");
        assertThat(r.model()).isEqualTo("echo-1");
        assertThat(r.created()).isPositive();
        assertThat(r.choices()).hasSize(1);
        assertThat(r.choices().get(0).message().role()).isEqualTo("assistant");
        assertThat(r.choices().get(0).message().text()).isEqualTo("Hello mock world");
        assertThat(r.choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(r.usage().promptTokens()).isEqualTo(4);
        assertThat(r.usage().completionTokens()).isEqualTo(3);
        assertThat(r.usage().totalTokens()).isEqualTo(7);
        // the body also decodes through the adapter, as the router does it
        ByteBuf b = Unpooled.copiedBuffer(rec.all(), StandardCharsets.UTF_8);
        try {
            assertThat(adapter.decodeResponse(b, t).choices().get(0).message().text())
                    .isEqualTo("Hello mock world");
        } finally {
            b.release();
        }
    }

    @Test
    void eachCallGetsAFreshId() throws IOException {
        Target t = target(Map.of());
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        drain(open(adapter.encode(parse(HELLO), t), r1), r1);
        drain(open(adapter.encode(parse(HELLO), t), r2), r2);

        assertThat(Json.MAPPER.readTree(r1.all()).get("id"))
                .isNotEqualTo(Json.MAPPER.readTree(r2.all()).get("id"));
    }

    @Test
    void nChoicesAreAllAnswered() throws IOException {
        Recorder rec = new Recorder();
        drain(open(adapter.encode(parse(HELLO).toBuilder().n(3).build(), target(Map.of())), rec), rec);

        JsonNode choices = Json.MAPPER.readTree(rec.all()).get("choices");
        assertThat(choices).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(choices.get(i).get("index").asInt()).isEqualTo(i);
            assertThat(choices.get(i).at("/message/content").asText()).isEqualTo("Hello mock world");
        }
    }

    @Test
    void nothingIsDeliveredWithoutDemand() {
        Recorder rec = new Recorder();
        UpstreamExchange ex = open(adapter.encode(streamed(HELLO), target(Map.of())), rec);

        assertThat(rec.kinds).containsExactly("headers");
        ex.request();
        assertThat(rec.kinds).containsExactly("headers", "body");
        // no further request(): nothing more arrives
        assertThat(rec.kinds).hasSize(2);
        ex.request();
        assertThat(rec.kinds).hasSize(3);
    }

    @Test
    void cancelStopsDelivery() {
        Recorder rec = new Recorder();
        UpstreamExchange ex = open(adapter.encode(streamed(HELLO), target(Map.of())), rec);
        ex.request();

        ex.cancel();
        ex.request();
        ex.request();

        assertThat(rec.kinds).containsExactly("headers", "body");
    }

    @Test
    void cancelBeforeStartDeliversNothing() throws InterruptedException {
        DefaultEventExecutor loop = new DefaultEventExecutor();
        try {
            Recorder rec = new Recorder();
            CountDownLatch opened = new CountDownLatch(1);
            loop.execute(() -> {
                // open and cancel in one task: start() is queued behind it and must see the cancel
                UpstreamExchange ex = transport.open(adapter.encode(parse(HELLO), target(Map.of())), loop, rec);
                ex.cancel();
                opened.countDown();
            });
            assertThat(opened.await(5, TimeUnit.SECONDS)).isTrue();
            CountDownLatch after = new CountDownLatch(1);
            loop.execute(after::countDown);
            assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();

            assertThat(rec.kinds).isEmpty();
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    // ---------------------------------------------------------------- streamed

    private UpstreamRequest streamRequest(String body, Target t) {
        // built by hand so the body is exactly what the test says (MockAdapter.encode forces include_usage)
        Map<String, String> headers =
                Map.of(MockAdapter.FIRST_TOKEN_DELAY, "0", MockAdapter.CHUNK_DELAY, "0", MockAdapter.FAIL_STATUS, "0");
        return new UpstreamRequest(
                "POST",
                java.net.URI.create("mock://mock/v1/chat/completions"),
                headers,
                body.getBytes(StandardCharsets.UTF_8),
                true,
                java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1));
    }

    @Test
    void aStreamIsRoleChunkWordChunksFinishChunkThenDoneOnePiecePerRequest() {
        Target t = target(Map.of());
        String body = "{\"model\":\"echo-1\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"The quick  brown fox\"}]}";
        Recorder rec = new Recorder();
        UpstreamExchange ex = open(streamRequest(body, t), rec);

        assertThat(rec.headers.get("content-type")).isEqualTo("text/event-stream");
        drain(ex, rec);

        assertThat(rec.bodies).allSatisfy(piece -> {
            assertThat(piece).startsWith("data: ").endsWith("\n\n");
            assertThat(piece.substring(0, piece.length() - 2)).doesNotContain("\n\n");
        });
        assertThat(rec.bodies).last().isEqualTo("data: [DONE]\n\n");

        boolean[] done = {false};
        List<ChatChunk> chunks = decode(rec.all(), t, done);
        assertThat(done[0]).isTrue();
        assertThat(chunks)
                .as("role, 4 words, finish; no usage chunk unless asked")
                .hasSize(1 + 4 + 1);
        ChatChunk.Delta role = chunks.get(0).choices().get(0).delta();
        assertThat(role.role()).isEqualTo("assistant");
        assertThat(role.content()).isEmpty();
        StringBuilder text = new StringBuilder();
        for (ChatChunk c : chunks.subList(1, 5)) {
            assertThat(c.choices().get(0).finishReason()).isNull();
            text.append(c.choices().get(0).delta().content());
        }
        assertThat(text.toString()).isEqualTo("The quick  brown fox");
        assertThat(chunks.get(5).choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(chunks).noneMatch(ChatChunk::isUsageOnly);
        assertThat(chunks).extracting(ChatChunk::id).containsOnly(chunks.get(0).id());
        assertThat(chunks).extracting(ChatChunk::object).containsOnly("chat.completion.chunk");
    }

    @Test
    void theUsageChunkComesLastBeforeDoneWhenIncludeUsageIsSet() {
        Target t = target(Map.of());
        Recorder rec = new Recorder();
        // through MockAdapter.encode, which asks for usage like the OpenAI adapter does
        drain(open(adapter.encode(streamed(HELLO), t), rec), rec);

        boolean[] done = {false};
        List<ChatChunk> chunks = decode(rec.all(), t, done);
        ChatChunk usage = chunks.get(chunks.size() - 1);
        assertThat(usage.isUsageOnly()).isTrue();
        assertThat(usage.usage().promptTokens()).isEqualTo(4);
        assertThat(usage.usage().completionTokens()).isEqualTo(3);
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
                .isEqualTo("stop");
        assertThat(done[0]).isTrue();
    }

    @Test
    void aToolCallStreamsItsHeadThenItsArguments() throws IOException {
        Target t = target(Map.of());
        String body = "{\"model\":\"echo-1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Oslo\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"}";
        Recorder rec = new Recorder();
        drain(open(streamRequest(body, t), rec), rec);

        List<ChatChunk> chunks = decode(rec.all(), t, new boolean[1]);
        assertThat(chunks).hasSize(4);
        assertThat(chunks.get(0).choices().get(0).delta().role()).isEqualTo("assistant");
        assertThat(chunks.get(0).choices().get(0).delta().content()).isNull();
        var head = chunks.get(1).choices().get(0).delta().toolCalls().get(0);
        assertThat(head.index()).isZero();
        assertThat(head.id()).startsWith("call_mock_");
        assertThat(head.function().name()).isEqualTo("get_weather");
        assertThat(head.function().arguments()).isEmpty();
        var args = chunks.get(2).choices().get(0).delta().toolCalls().get(0);
        assertThat(args.index()).isZero();
        assertThat(args.id()).isNull();
        assertThat(Json.MAPPER.readTree(args.function().arguments()).get("city").asText())
                .isEqualTo("Oslo");
        assertThat(chunks.get(3).choices().get(0).finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void aNonStreamedToolCallIsAFullMessage() throws IOException {
        ChatRequest r = parse("{\"model\":\"echo-1\",\"messages\":[{\"role\":\"user\",\"content\":\"Oslo\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}");
        Recorder rec = new Recorder();
        drain(open(adapter.encode(r, target(Map.of())), rec), rec);

        JsonNode message = Json.MAPPER.readTree(rec.all()).at("/choices/0/message");
        assertThat(message.get("content").isNull())
                .as("content is written as null")
                .isTrue();
        JsonNode call = message.get("tool_calls").get(0);
        assertThat(call.has("index")).as("no stream index in a full message").isFalse();
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(Json.MAPPER
                        .readTree(call.at("/function/arguments").asText())
                        .get("city")
                        .asText())
                .isEqualTo("Oslo");
        assertThat(Json.MAPPER
                        .readTree(rec.all())
                        .at("/choices/0/finish_reason")
                        .asText())
                .isEqualTo("tool_calls");
    }

    @Test
    void jsonObjectModeStreamsAJsonDocument() throws IOException {
        Target t = target(Map.of());
        ChatRequest r = streamed(HELLO).toBuilder()
                .responseFormat(new io.junction.core.schema.ResponseFormat.JsonObject())
                .build();
        Recorder rec = new Recorder();
        drain(open(adapter.encode(r, t), rec), rec);

        StringBuilder text = new StringBuilder();
        for (ChatChunk c : decode(rec.all(), t, new boolean[1])) {
            for (ChatChunk.Choice ch : c.choices()) {
                if (ch.delta().content() != null) {
                    text.append(ch.delta().content());
                }
            }
        }
        assertThat(Json.MAPPER.readTree(text.toString()).get("echo").asText()).isEqualTo("Hello mock world");
    }

    @Test
    void maxTokensEndsTheStreamWithLength() {
        Target t = target(Map.of());
        Recorder rec = new Recorder();
        drain(open(adapter.encode(streamed(HELLO).toBuilder().maxTokens(1).build(), t), rec), rec);

        List<ChatChunk> chunks = decode(rec.all(), t, new boolean[1]);
        assertThat(chunks.get(1).choices().get(0).delta().content()).isEqualTo("Hello");
        assertThat(chunks.get(2).choices().get(0).finishReason()).isEqualTo("length");
    }

    // ---------------------------------------------------------------- fail_status

    @Test
    void failStatusAnswersWithThatStatusAndAnOpenAiErrorBody() throws IOException {
        Target t = target(Map.of("fail_status", 503));
        Recorder rec = new Recorder();
        UpstreamExchange ex = open(adapter.encode(streamed(HELLO), t), rec);

        assertThat(rec.status).isEqualTo(503);
        assertThat(rec.headers.get("content-type")).isEqualTo("application/json");
        drain(ex, rec);
        assertThat(rec.kinds).containsExactly("headers", "body", "end");

        JsonNode error = Json.MAPPER.readTree(rec.all()).get("error");
        assertThat(error.get("message").asText()).isEqualTo("mock provider configured to fail with 503");
        assertThat(error.get("code").asText()).isEqualTo("mock_failure");
        assertThat(error.has("param")).isTrue();

        ByteBuf b = Unpooled.copiedBuffer(rec.all(), StandardCharsets.UTF_8);
        try {
            GatewayException e = adapter.decodeError(rec.status, rec.headers, b, t);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).isEqualTo("mock provider configured to fail with 503");
        } finally {
            b.release();
        }
    }

    @Test
    void aClientErrorFailStatusIsNotRetryable() {
        Target t = target(Map.of("fail_status", "400"));
        Recorder rec = new Recorder();
        drain(open(adapter.encode(parse(HELLO), t), rec), rec);

        ByteBuf b = Unpooled.copiedBuffer(rec.all(), StandardCharsets.UTF_8);
        try {
            assertThat(rec.status).isEqualTo(400);
            assertThat(adapter.decodeError(rec.status, rec.headers, b, t).retryable())
                    .isFalse();
        } finally {
            b.release();
        }
    }

    // ---------------------------------------------------------------- delays (real executor, bounded waits)

    @Test
    void delaysAreHonouredOnTheGivenExecutor() throws InterruptedException {
        EventExecutor loop = new DefaultEventExecutor();
        try {
            Target t = target(Map.of("first_token_delay_ms", 60, "chunk_delay_ms", 5));
            UpstreamRequest request = adapter.encode(streamed(HELLO), t);
            List<String> kinds = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            StringBuilder all = new StringBuilder();
            CountDownLatch ended = new CountDownLatch(1);
            long[] firstBodyAt = {0};
            long start = System.nanoTime();
            UpstreamExchange[] ex = new UpstreamExchange[1];
            ExchangeListener l = new ExchangeListener() {
                @Override
                public void onHeaders(int status, UpstreamHeaders headers) {
                    kinds.add("headers");
                    threads.add(Thread.currentThread());
                    ex[0].request();
                }

                @Override
                public void onBody(ByteBuf content) {
                    if (firstBodyAt[0] == 0) {
                        firstBodyAt[0] = System.nanoTime();
                    }
                    kinds.add("body");
                    threads.add(Thread.currentThread());
                    all.append(content.toString(StandardCharsets.UTF_8));
                    ex[0].request();
                }

                @Override
                public void onEnd() {
                    kinds.add("end");
                    ended.countDown();
                }

                @Override
                public void onError(GatewayException error) {
                    kinds.add("error");
                    ended.countDown();
                }
            };
            CountDownLatch opened = new CountDownLatch(1);
            loop.execute(() -> {
                ex[0] = transport.open(request, loop, l);
                opened.countDown();
            });
            assertThat(opened.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(ended.await(10, TimeUnit.SECONDS)).as("stream completed").isTrue();

            assertThat(kinds).first().isEqualTo("headers");
            assertThat(kinds).last().isEqualTo("end");
            assertThat(threads).allMatch(th -> loop.inEventLoop(th));
            assertThat(TimeUnit.NANOSECONDS.toMillis(firstBodyAt[0] - start))
                    .as("first token delay")
                    .isGreaterThanOrEqualTo(60);
            assertThat(all.toString()).endsWith("data: [DONE]\n\n");
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
