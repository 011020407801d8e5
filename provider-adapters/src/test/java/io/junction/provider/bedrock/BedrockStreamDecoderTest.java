package io.junction.provider.bedrock;

import static io.junction.provider.bedrock.BedrockTestSupport.ADAPTER;
import static io.junction.provider.bedrock.BedrockTestSupport.ID;
import static io.junction.provider.bedrock.BedrockTestSupport.NOVA;
import static io.junction.provider.bedrock.BedrockTestSupport.NOW;
import static io.junction.provider.bedrock.BedrockTestSupport.fixture;
import static io.junction.provider.bedrock.BedrockTestSupport.request;
import static io.junction.provider.bedrock.BedrockTestSupport.target;
import static io.junction.provider.bedrock.BedrockTestSupport.tree;
import static io.junction.provider.bedrock.eventstream.EventStreamFrames.error;
import static io.junction.provider.bedrock.eventstream.EventStreamFrames.event;
import static io.junction.provider.bedrock.eventstream.EventStreamFrames.exception;
import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.spi.StreamDecoder;
import io.junction.provider.bedrock.BedrockTestSupport.RecordingSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ConverseStream bodies to OpenAI chunks, on the two recorded streams in {@code fixtures/bedrock/}.
 * Streams marked "constructed" are built here from frames in the documented shape, because no
 * recording of them exists (exception frames, several tool calls, JSON mode).
 */
class BedrockStreamDecoderTest {
    private static final String TOOL_USE = "converse-stream.tool-use.eventstream.bin";
    private static final String REASONING = "converse-stream.reasoning.eventstream.bin";
    private static final ChatRequest STREAM_REQUEST =
            request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");

    // ------------------------------------------------------------------ feeding helpers

    private static RecordingSink feed(byte[] body, IntSupplier nextSize, boolean pooled) {
        StreamDecoder decoder = ADAPTER.newStreamDecoder(STREAM_REQUEST, target());
        RecordingSink sink = new RecordingSink();
        int off = 0;
        while (off < body.length) {
            int len = Math.min(body.length - off, Math.max(1, nextSize.getAsInt()));
            ByteBuf piece = pooled
                    ? PooledByteBufAllocator.DEFAULT.directBuffer(len).writeBytes(body, off, len)
                    : Unpooled.wrappedBuffer(body, off, len);
            try {
                decoder.decode(piece, sink);
                assertThat(piece.isReadable())
                        .as("decoder consumes what it is given")
                        .isFalse();
            } finally {
                piece.release();
            }
            off += len;
        }
        decoder.finish(sink);
        return sink;
    }

    private static RecordingSink whole(byte[] body) {
        return feed(body, () -> Integer.MAX_VALUE, false);
    }

    private static byte[] concat(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW.getEpochSecond()
                + ",\"model\":\"" + NOVA + "\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String usageChunk(int prompt, int completion, int cached, int written) {
        return "{\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW.getEpochSecond()
                + ",\"model\":\"" + NOVA + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt
                + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached + ",\"cache_write_tokens\":" + written
                + "}}}";
    }

    private static String joined(RecordingSink sink, Function<ChatChunk.Delta, String> field) {
        return sink.chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(ch -> field.apply(ch.delta()))
                .filter(Objects::nonNull)
                .collect(Collectors.joining());
    }

    // ------------------------------------------------------------------ recorded streams

    @Test
    void recordedToolUseStreamGivesTextThenAnIndexedToolCallThenFinishThenUsage() {
        RecordingSink sink = whole(fixture(TOOL_USE));
        List<String> texts = List.of(
                "<thinking",
                "> To find",
                " the temperature",
                " of the capital of France,",
                " I need to first",
                " determine the capital",
                " of France and",
                " then get",
                " the current",
                " temperature in",
                " that city. The",
                " capital of France is Paris",
                ". I",
                " will use",
                " the \"get_temperature\"",
                " tool to find the current temperature",
                " in Paris.</",
                "thinking",
                ">\n");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String content = Json.string(texts.get(i));
            expected.add(chunk(
                    i == 0 ? "{\"role\":\"assistant\",\"content\":" + content + "}" : "{\"content\":" + content + "}",
                    null));
        }
        expected.add(chunk(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"tooluse_lAG_zP8QRHmSYOwZzzaCqA\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_temperature\",\"arguments\":\"\"}}]}",
                null));
        expected.add(chunk(
                "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}",
                null));
        expected.add(chunk("{}", "tool_calls"));
        expected.add(usageChunk(471, 91, 0, 0));
        assertThat(sink.json()).isEqualTo(tree("[" + String.join(",", expected) + "]"));
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.errors).isEmpty();
        // the finish chunk comes before the usage-only chunk, which is last
        assertThat(sink.chunks.get(sink.chunks.size() - 1).isUsageOnly()).isTrue();
    }

    @Test
    void recordedReasoningStreamGivesReasoningThenContent() {
        RecordingSink sink = whole(fixture(REASONING));
        List<ChatChunk> chunks = sink.chunks;
        // 14 reasoning text deltas, 5 text deltas, finish, usage; the signature delta gives nothing
        assertThat(chunks).hasSize(14 + 5 + 2);
        ChatChunk.Delta first = chunks.get(0).choices().get(0).delta();
        assertThat(first.role()).isEqualTo("assistant");
        assertThat(first.reasoningContent()).isEqualTo("The");
        assertThat(joined(sink, ChatChunk.Delta::reasoningContent))
                .isEqualTo("The user has greeted me with a simple \"Hello\". I should respond in a friendly and"
                        + " welcoming manner. This is a straightforward greeting, so I'll respond warmly and ask how I"
                        + " can help them today.");
        assertThat(joined(sink, ChatChunk.Delta::content))
                .isEqualTo("Hello! It's nice to meet you. How can I help you today?");
        assertThat(Json.string(chunks)).doesNotContain("Eu0CCkgIBxABGAIqQ");
        assertThat(chunks.subList(1, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.choices().get(0).delta().role()).isNull());
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
                .isEqualTo("stop");
        assertThat(tree(Json.string(chunks.get(chunks.size() - 1)))).isEqualTo(tree(usageChunk(36, 73, 0, 0)));
        assertThat(sink.done).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {TOOL_USE, REASONING})
    void anySplitOfTheBodyGivesTheSameChunks(String name) {
        byte[] body = fixture(name);
        RecordingSink reference = whole(body);
        assertThat(reference.chunks).isNotEmpty();
        RecordingSink byteByByte = feed(body, () -> 1, false);
        assertThat(byteByByte.json()).isEqualTo(reference.json());
        assertThat(byteByByte.done).isEqualTo(1);
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            RecordingSink split = feed(body, () -> 1 + random.nextInt(257), false);
            assertThat(split.json()).as("seed %d", seed).isEqualTo(reference.json());
            assertThat(split.done).isEqualTo(1);
        }
        Random pooled = new Random(42);
        assertThat(feed(body, () -> 1 + pooled.nextInt(1024), true).json()).isEqualTo(reference.json());
    }

    // ------------------------------------------------------------------ corrupt and cut streams

    @Test
    void aCorruptedByteIsA502ErrorNotACrash() {
        byte[] body = fixture(TOOL_USE);
        int secondFrame = 144;
        byte[] bad = body.clone();
        bad[secondFrame + 60] ^= 0x20; // inside the first contentBlockDelta payload
        for (IntSupplier sizes : List.<IntSupplier>of(() -> Integer.MAX_VALUE, () -> 1, () -> 100)) {
            RecordingSink sink = feed(bad, sizes, false);
            assertThat(sink.chunks).isEmpty();
            assertThat(sink.done).isZero();
            assertThat(sink.errors).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(502);
                assertThat(e.code()).isEqualTo("bad_upstream_response");
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage())
                        .isEqualTo("Provider 'bedrock' sent a corrupt event stream frame (message CRC mismatch)");
            });
        }
        // later in the stream: the chunks before the corrupt frame, then the error
        byte[] late = body.clone();
        late[late.length - 10] ^= 0x01; // inside the metadata frame
        RecordingSink sink = whole(late);
        assertThat(sink.chunks).hasSize(19 + 3);
        assertThat(sink.chunks.get(sink.chunks.size() - 1).choices().get(0).finishReason())
                .isEqualTo("tool_calls");
        assertThat(sink.errors).singleElement().satisfies(e -> assertThat(e.status())
                .isEqualTo(502));
        assertThat(sink.done).isZero();
    }

    @Test
    void streamCutInsideAFrameBeforeTheStopIsA502() {
        byte[] body = fixture(TOOL_USE);
        byte[] cut = java.util.Arrays.copyOf(body, 144 + 30);
        RecordingSink sink = whole(cut);
        assertThat(sink.chunks).isEmpty();
        assertThat(sink.errors).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.getMessage()).contains("in the middle of an event frame");
        });
    }

    @Test
    void streamCutBetweenFramesBeforeTheStopEndsWithoutDone() {
        byte[] body = concat(
                event("messageStart", "{\"role\":\"assistant\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"));
        RecordingSink sink = whole(body);
        assertThat(sink.chunks).hasSize(1);
        assertThat(sink.errors).isEmpty();
        assertThat(sink.done).isZero(); // the router reports the incomplete stream
    }

    @Test
    void metadataMissingAfterTheStopStillEndsTheStream() {
        RecordingSink sink = whole(concat(
                event("messageStart", "{\"role\":\"assistant\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"),
                event("messageStop", "{\"stopReason\":\"max_tokens\"}")));
        assertThat(sink.chunks).hasSize(2);
        assertThat(sink.chunks.get(1).choices().get(0).finishReason()).isEqualTo("length");
        assertThat(sink.done).isEqualTo(1);
    }

    // ------------------------------------------------------------------ constructed streams

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "throttlingException, 429, rate_limit_error, true, ThrottlingException",
        "serviceUnavailableException, 503, api_error, true, ServiceUnavailableException",
        "modelStreamErrorException, 502, api_error, true, ModelStreamErrorException",
        "validationException, 400, invalid_request_error, false, ValidationException",
        "internalServerException, 500, api_error, true, InternalServerException",
    })
    void exceptionFrameIsAnErrorAfterTheChunksSoFar(
            String exceptionType, int status, String type, boolean retryable, String code) {
        byte[] body = concat(
                event("messageStart", "{\"p\":\"abc\",\"role\":\"assistant\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"},\"p\":\"ab\"}"),
                exception(exceptionType, "{\"message\":\"Something went wrong: " + exceptionType + "\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo\"}}"));
        for (IntSupplier sizes : List.<IntSupplier>of(() -> Integer.MAX_VALUE, () -> 1)) {
            RecordingSink sink = feed(body, sizes, false);
            assertThat(sink.chunks).hasSize(1);
            assertThat(sink.chunks.get(0).choices().get(0).delta().content()).isEqualTo("Hel");
            assertThat(sink.errors).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(status);
                assertThat(e.type()).isEqualTo(type);
                assertThat(e.retryable()).isEqualTo(retryable);
                assertThat(e.code()).isEqualTo(code);
                assertThat(e.getMessage()).isEqualTo("Something went wrong: " + exceptionType);
            });
            assertThat(sink.done).isZero();
        }
    }

    @Test
    void exceptionBeforeAnyContentSendsNoChunkSoTheRouterCanFailOver() {
        RecordingSink sink = whole(concat(
                event("messageStart", "{\"role\":\"assistant\"}"),
                exception(
                        "throttlingException", "{\"message\":\"Too many tokens, please wait before trying again.\"}")));
        assertThat(sink.chunks).isEmpty();
        assertThat(sink.errors).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.retryable()).isTrue();
        });
    }

    @Test
    void unmodeledErrorFrameIsAnError() {
        RecordingSink sink = whole(concat(
                event("messageStart", "{\"role\":\"assistant\"}"),
                error("InternalFailure", "An internal error occurred")));
        assertThat(sink.errors).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.code()).isEqualTo("InternalFailure");
            assertThat(e.getMessage()).isEqualTo("An internal error occurred");
        });
    }

    @Test
    void severalToolCallsAreIndexedByOrdinalNotBlockIndex() {
        RecordingSink sink = whole(concat(
                event("messageStart", "{\"role\":\"assistant\"}"),
                event(
                        "contentBlockStart",
                        "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":{\"toolUseId\":\"t_a\",\"name\":\"a\"}}}"),
                event(
                        "contentBlockDelta",
                        "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"x\\\":\"}}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"\"}}}"),
                event(
                        "contentBlockStart",
                        "{\"contentBlockIndex\":3,\"start\":{\"toolUse\":{\"toolUseId\":\"t_b\",\"name\":\"b\"}}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"1}\"}}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":3,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}"),
                event("messageStop", "{\"stopReason\":\"tool_use\"}"),
                event(
                        "metadata",
                        "{\"usage\":{\"inputTokens\":10,\"outputTokens\":5,\"cacheReadInputTokens\":100,"
                                + "\"cacheWriteInputTokens\":7,\"totalTokens\":122},\"metrics\":{\"latencyMs\":1}}")));
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk(
                                        "{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"t_a\",\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":\"\"}}]}",
                                        null),
                                chunk(
                                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"x\\\":\"}}]}",
                                        null),
                                chunk(
                                        "{\"tool_calls\":[{\"index\":1,\"id\":\"t_b\",\"type\":\"function\",\"function\":{\"name\":\"b\",\"arguments\":\"\"}}]}",
                                        null),
                                chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}", null),
                                chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}", null),
                                chunk("{}", "tool_calls"),
                                usageChunk(117, 5, 100, 7))
                        + "]"));
    }

    @Test
    void jsonModeToolInputStreamsAsContent() {
        RecordingSink sink = whole(concat(
                event("messageStart", "{\"role\":\"assistant\"}"),
                event(
                        "contentBlockStart",
                        "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":{\"toolUseId\":\"t\",\"name\":\"junction_json_response\"}}}"),
                event(
                        "contentBlockDelta",
                        "{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":{\"input\":\"{\\\"temp\\\": \"}}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":{\"input\":\"21.5}\"}}}"),
                event("contentBlockStop", "{\"contentBlockIndex\":0}"),
                event("messageStop", "{\"stopReason\":\"tool_use\"}"),
                event("metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":2,\"totalTokens\":3}}")));
        assertThat(joined(sink, ChatChunk.Delta::content)).isEqualTo("{\"temp\": 21.5}");
        assertThat(sink.chunks).allSatisfy(c -> assertThat(
                        c.choices().isEmpty()
                                ? null
                                : c.choices().get(0).delta().toolCalls())
                .isNull());
        assertThat(sink.chunks.get(2).choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(sink.chunks.get(3).isUsageOnly()).isTrue();
    }

    @Test
    void guardrailStopIsContentFilterAndUnknownEventsAreIgnored() {
        RecordingSink sink = whole(concat(
                event("messageStart", "{\"role\":\"assistant\"}"),
                event("someFutureEvent", "{\"x\":1}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"citation\":{\"title\":\"x\"}}}"),
                event("messageStop", "{\"stopReason\":\"guardrail_intervened\"}"),
                event("metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":0,\"totalTokens\":1}}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"after the end\"}}")));
        assertThat(sink.chunks).hasSize(2);
        assertThat(sink.chunks.get(0).choices().get(0).delta().role()).isEqualTo("assistant");
        assertThat(sink.chunks.get(0).choices().get(0).finishReason()).isEqualTo("content_filter");
        assertThat(sink.done).isEqualTo(1);
    }

    @Test
    void malformedEventsAre502Errors() {
        List<byte[]> bodies = List.of(
                event("contentBlockDelta", "{not json"),
                event("contentBlockDelta", "[1,2]"),
                event("contentBlockDelta", "{\"contentBlockIndex\":5,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}"));
        for (byte[] body : bodies) {
            RecordingSink sink = whole(concat(event("messageStart", "{\"role\":\"assistant\"}"), body));
            assertThat(sink.errors).singleElement().satisfies(e -> {
                GatewayException g = e;
                assertThat(g.status()).isEqualTo(502);
                assertThat(g.code()).isEqualTo("bad_upstream_response");
                assertThat(g.getMessage()).startsWith("Provider 'bedrock' ");
            });
        }
    }

    @Test
    void decoderDoesNotRetainOrReleaseTheCallersBuffer() {
        StreamDecoder decoder = ADAPTER.newStreamDecoder(STREAM_REQUEST, target());
        ByteBuf in = Unpooled.wrappedBuffer(fixture(TOOL_USE), 0, 1000);
        try {
            decoder.decode(in, new RecordingSink());
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            in.release();
        }
    }
}
