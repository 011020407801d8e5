package io.junction.provider.anthropic;

import static io.junction.provider.anthropic.AnthropicTestSupport.ADAPTER;
import static io.junction.provider.anthropic.AnthropicTestSupport.NOW;
import static io.junction.provider.anthropic.AnthropicTestSupport.fixture;
import static io.junction.provider.anthropic.AnthropicTestSupport.fixtureText;
import static io.junction.provider.anthropic.AnthropicTestSupport.request;
import static io.junction.provider.anthropic.AnthropicTestSupport.target;
import static io.junction.provider.anthropic.AnthropicTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Usage;
import io.junction.core.spi.StreamDecoder;
import io.junction.provider.anthropic.AnthropicTestSupport.RecordingSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Anthropic event streams to OpenAI chunks, on the recorded streams in {@code fixtures/anthropic/}.
 * Streams marked "constructed" are written here in the documented shape, because no recording of
 * them exists (mid-stream errors, several tool calls, JSON mode).
 */
class AnthropicStreamDecoderTest {
    private static final ChatRequest STREAM_REQUEST =
            request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");

    // ------------------------------------------------------------------ feeding helpers

    /** Feeds {@code body} in pieces whose sizes {@code nextSize} gives, then finishes. */
    private static RecordingSink feed(byte[] body, IntSupplier nextSize) {
        return feed(body, nextSize, false);
    }

    /**
     * Feeds {@code body} in pieces, then finishes. With {@code pooled} each piece is a pooled direct
     * buffer, as the transport hands them over (slow under paranoid leak detection, so used sparingly).
     */
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
        return feed(body, () -> Integer.MAX_VALUE);
    }

    private static RecordingSink whole(String body) {
        return whole(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The vercel recorder keeps one data payload per line; re-wraps it as {@code event: <type>} SSE. */
    private static byte[] rewrapJsonl(String jsonl) {
        StringBuilder sb = new StringBuilder();
        for (String line : jsonl.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            sb.append("event: ")
                    .append(tree(line).get("type").asText())
                    .append("\ndata: ")
                    .append(line)
                    .append("\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One expected chunk with a single choice, as OpenAI JSON. */
    private static String chunk(String id, String model, String delta, String finish) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW + ",\"model\":\""
                + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String usageChunk(String id, String model, int prompt, int completion, int cached, int written) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW + ",\"model\":\""
                + model
                + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":"
                + cached
                + ",\"cache_write_tokens\":" + written + "}}}";
    }

    private static String joined(RecordingSink sink, java.util.function.Function<ChatChunk.Delta, String> field) {
        return sink.chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(ch -> field.apply(ch.delta()))
                .filter(Objects::nonNull)
                .collect(Collectors.joining());
    }

    // ------------------------------------------------------------------ recorded streams

    @Test
    void recordedToolUseStreamGivesTextThenOneIndexedToolCall() {
        RecordingSink sink = whole(fixture("message.tool-use.stream.sse"));
        String id = "msg_019Q1hrJbZG26Fb9BQhrkHEr";
        String model = "claude-opus-4-8";
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk(id, model, "{\"role\":\"assistant\",\"content\":\"I\"}", null),
                                chunk(
                                        id,
                                        model,
                                        "{\"content\":\"'ll check the current weather in Paris for you.\"}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01NRLabsLyVHZPKxbKvkfSMn\","
                                                + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"locati\"}}]}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"on\\\": \\\"P\"}}]}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ar\"}}]}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"is\\\"}\"}}]}",
                                        null),
                                chunk(id, model, "{}", "tool_calls"),
                                usageChunk(id, model, 377, 65, 0, 0))
                        + "]"));
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.errors).isEmpty();
        // the pieces of the arguments join to the tool input JSON
        String args = sink.chunks.stream()
                .flatMap(c -> c.choices().stream())
                .filter(ch -> ch.delta().toolCalls() != null)
                .map(ch -> ch.delta().toolCalls().get(0).function().arguments())
                .collect(Collectors.joining());
        assertThat(tree(args)).isEqualTo(tree("{\"location\":\"Paris\"}"));
    }

    @Test
    void recordedTextStreamFromJsonlGivesExactChunks() {
        RecordingSink sink = whole(rewrapJsonl(fixtureText("message.text.stream.jsonl")));
        String id = "msg_01QC4g3HwBThD4BaNtBckFDJ";
        String model = "claude-sonnet-4-5-20250929";
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk(id, model, "{\"role\":\"assistant\",\"content\":\"Hello\"}", null),
                                chunk(id, model, "{\"content\":\"! I\"}", null),
                                chunk(id, model, "{\"content\":\"'m doing well, thank you for asking\"}", null),
                                chunk(id, model, "{\"content\":\". How are you doing today?\"}", null),
                                chunk(id, model, "{\"content\":\" Is\"}", null),
                                chunk(id, model, "{\"content\":\" there anything I can help you with?\"}", null),
                                chunk(id, model, "{}", "stop"),
                                usageChunk(id, model, 12, 30, 0, 0))
                        + "]"));
        assertThat(sink.done).isEqualTo(1);
    }

    @Test
    void recordedThinkingStreamGivesReasoningThenContent() {
        RecordingSink sink = whole(fixture("message.thinking.stream.sse"));
        List<ChatChunk> chunks = sink.chunks;
        // 13 non-empty thinking deltas, 95 text deltas, the finish chunk, the usage chunk; ping,
        // the empty thinking delta and the signature delta produce nothing
        assertThat(chunks).hasSize(13 + 95 + 2);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.id()).isEqualTo("msg_01ALwQ87pTS7hH1PjSdC9wJD");
            assertThat(c.model()).isEqualTo("claude-sonnet-4-20250514");
            assertThat(c.created()).isEqualTo(NOW);
            assertThat(c.object()).isEqualTo("chat.completion.chunk");
        });
        ChatChunk.Delta first = chunks.get(0).choices().get(0).delta();
        assertThat(first.role()).isEqualTo("assistant");
        assertThat(first.reasoningContent()).isEqualTo("This");
        assertThat(first.content()).isNull();
        assertThat(chunks.subList(1, chunks.size())).allSatisfy(c -> assertThat(
                        c.choices().isEmpty()
                                ? null
                                : c.choices().get(0).delta().role())
                .isNull());
        assertThat(joined(sink, ChatChunk.Delta::reasoningContent))
                .isEqualTo("This is a straightforward question about pedestrian safety. I should provide clear,"
                        + " helpful advice about how to safely cross a street. This is basic safety information that"
                        + " could help prevent accidents.");
        assertThat(chunks.subList(0, 13))
                .allSatisfy(
                        c -> assertThat(c.choices().get(0).delta().content()).isNull());
        String content = joined(sink, ChatChunk.Delta::content);
        assertThat(content)
                .startsWith("Here are the basic steps for safely crossing the street:\n\n**At intersections with"
                        + " traffic lights:**\n- Wait for the pedestrian \"Walk\" signal")
                .endsWith("Always prioritize safety over speed when crossing streets.");
        assertThat(content).doesNotContain("EvMCCkYICxgCKk"); // the signature never leaks

        ChatChunk finish = chunks.get(chunks.size() - 2);
        assertThat(finish.choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(finish.usage()).isNull();
        ChatChunk usage = chunks.get(chunks.size() - 1);
        assertThat(usage.isUsageOnly()).isTrue();
        Usage u = usage.usage();
        assertThat(u.promptTokens()).isEqualTo(43);
        assertThat(u.completionTokens()).isEqualTo(282);
        assertThat(u.totalTokens()).isEqualTo(325);
        assertThat(u.promptTokensDetails().cachedTokens()).isZero();
        assertThat(u.promptTokensDetails().cacheWriteTokens()).isZero();
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.errors).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"message.tool-use.stream.sse", "message.thinking.stream.sse", "message.text.stream.jsonl"})
    void anySplitOfTheBodyGivesTheSameChunks(String name) {
        byte[] body = name.endsWith(".jsonl") ? rewrapJsonl(fixtureText(name)) : fixture(name);
        RecordingSink reference = whole(body);
        assertThat(reference.chunks).isNotEmpty();

        RecordingSink byteByByte = feed(body, () -> 1);
        assertThat(byteByByte.json()).isEqualTo(reference.json());
        assertThat(byteByByte.done).isEqualTo(1);

        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            RecordingSink split = feed(body, () -> 1 + random.nextInt(97));
            assertThat(split.json()).as("seed %d", seed).isEqualTo(reference.json());
            assertThat(split.done).isEqualTo(1);
        }

        Random pooledSizes = new Random(42);
        assertThat(feed(body, () -> 1 + pooledSizes.nextInt(512), true).json()).isEqualTo(reference.json());

        // CRLF line endings are the same stream
        byte[] crlf =
                new String(body, StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        Random random = new Random(99);
        assertThat(feed(crlf, () -> 1 + random.nextInt(7)).json()).isEqualTo(reference.json());
    }

    // ------------------------------------------------------------------ constructed streams

    private static final String START = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_x","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":10,"cache_read_input_tokens":55096,"output_tokens":1}}}

            """;

    private static String event(String json) {
        return "event: " + tree(json).get("type").asText() + "\ndata: " + json + "\n\n";
    }

    @Test
    void severalToolCallsAreNumberedByOrdinalNotByBlockIndex() {
        // constructed: thinking at block 0, text at 1, two tool_use blocks at 2 and 3
        String body = START
                + event(
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Two cities.\"}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig\"}}")
                + event("{\"type\":\"content_block_stop\",\"index\":0}")
                + event(
                        "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking.\"}}")
                + event("{\"type\":\"content_block_stop\",\"index\":1}")
                + event(
                        "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_A\",\"name\":\"get_weather\",\"input\":{}}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}")
                + event("{\"type\":\"content_block_stop\",\"index\":2}")
                + event(
                        "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_B\",\"name\":\"get_weather\",\"input\":{}}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}")
                + event("{\"type\":\"content_block_stop\",\"index\":3}")
                + event(
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":50}}")
                + event("{\"type\":\"message_stop\"}");
        RecordingSink sink = whole(body);
        String id = "msg_x";
        String model = "claude-x";
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk(
                                        id,
                                        model,
                                        "{\"role\":\"assistant\",\"reasoning_content\":\"Two cities.\"}",
                                        null),
                                chunk(id, model, "{\"content\":\"Checking.\"}", null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_A\",\"type\":\"function\","
                                                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_B\",\"type\":\"function\","
                                                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
                                        null),
                                chunk(
                                        id,
                                        model,
                                        "{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]}",
                                        null),
                                chunk(id, model, "{}", "tool_calls"),
                                // prompt = input + cache read + cache write; message_delta overwrote output only
                                usageChunk(id, model, 100 + 55096 + 10, 50, 55096, 10))
                        + "]"));
        assertThat(sink.done).isEqualTo(1);
    }

    @Test
    void jsonModeToolInputStreamsAsContentAndFinishesWithStop() {
        // constructed: the forced response_format tool, as Anthropic streams a tool_use block
        String body = START
                + event(
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_J\",\"name\":\"junction_json_response\",\"input\":{}}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"temp\\\": \"}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"21.5}\"}}")
                + event("{\"type\":\"content_block_stop\",\"index\":0}")
                + event(
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":12}}")
                + event("{\"type\":\"message_stop\"}");
        RecordingSink sink = whole(body);
        assertThat(sink.chunks).hasSize(4);
        assertThat(sink.chunks.get(0).choices().get(0).delta().role()).isEqualTo("assistant");
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
    void midStreamOverloadedErrorIsA503AfterTheChunksSoFar() {
        // constructed: no recording of an in-stream error exists; this is the documented shape
        String body = START
                + event(
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}")
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}");
        for (IntSupplier sizes : List.<IntSupplier>of(() -> Integer.MAX_VALUE, () -> 1)) {
            RecordingSink sink = feed(body.getBytes(StandardCharsets.UTF_8), sizes);
            assertThat(sink.chunks).hasSize(1);
            assertThat(sink.chunks.get(0).choices().get(0).delta().content()).isEqualTo("Hel");
            assertThat(sink.errors).hasSize(1);
            GatewayException e = sink.errors.get(0);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryable()).isTrue();
            assertThat(e.type()).isEqualTo("api_error");
            assertThat(e.code()).isEqualTo("overloaded_error");
            assertThat(e.getMessage()).isEqualTo("Overloaded");
            assertThat(sink.done).isZero();
        }
    }

    @Test
    void errorBeforeAnyContentSendsNoChunkSoTheRouterCanFailOver() {
        RecordingSink sink = whole(
                START
                        + event("{\"type\":\"ping\"}")
                        + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Slow down\"}}\n\n");
        assertThat(sink.chunks).isEmpty();
        assertThat(sink.errors).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.retryable()).isTrue();
            assertThat(e.type()).isEqualTo("rate_limit_error");
        });
    }

    @Test
    void finishChunkCarriesTheRoleWhenNoContentCameFirst() {
        RecordingSink sink = whole(START
                + event(
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}")
                + event("{\"type\":\"message_stop\"}"));
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + chunk("msg_x", "claude-x", "{\"role\":\"assistant\"}", "length") + ","
                        + usageChunk("msg_x", "claude-x", 55206, 3, 55096, 10) + "]"));
    }

    @Test
    void refusalMapsToContentFilterAndUnknownEventsAreIgnored() {
        RecordingSink sink = whole(START
                + event("{\"type\":\"some_future_event\",\"x\":1}")
                + event(
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"s\",\"name\":\"web_search\",\"input\":{}}}")
                + event(
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{}}}")
                + event(
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}")
                + event("{\"type\":\"message_stop\"}"));
        assertThat(sink.chunks).hasSize(2);
        assertThat(sink.chunks.get(0).choices().get(0).finishReason()).isEqualTo("content_filter");
    }

    @Test
    void streamCutBeforeMessageStopEndsWithoutDone() {
        String body = new String(fixture("message.tool-use.stream.sse"), StandardCharsets.UTF_8);
        String cut = body.substring(0, body.indexOf("event: message_delta"));
        RecordingSink sink = whole(cut);
        assertThat(sink.done).isZero();
        assertThat(sink.chunks).noneMatch(c -> c.usage() != null);
        assertThat(sink.chunks)
                .allSatisfy(c -> assertThat(c.choices().get(0).finishReason()).isNull());
    }

    @Test
    void eventsAfterMessageStopAreIgnored() {
        RecordingSink sink = whole(new String(fixture("message.tool-use.stream.sse"), StandardCharsets.UTF_8)
                + event("{\"type\":\"message_stop\"}"));
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.chunks).hasSize(9);
    }

    @Test
    void malformedEventsAre502s() {
        List<String> bodies = new ArrayList<>(
                List.of(
                        START + "event: content_block_delta\ndata: {not json\n\n",
                        START + "data: [1,2]\n\n",
                        event(
                                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"hi\"}}"),
                        START
                                + event(
                                        "{\"type\":\"content_block_delta\",\"index\":5,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}")));
        for (String body : bodies) {
            assertThatThrownBy(() -> whole(body)).isInstanceOfSatisfying(GatewayException.class, e -> {
                assertThat(e.status()).isEqualTo(502);
                assertThat(e.code()).isEqualTo("bad_upstream_response");
                assertThat(e.getMessage()).startsWith("Provider 'anthropic' ");
            });
        }
    }

    @Test
    void decoderDoesNotRetainOrReleaseTheCallersBuffer() {
        StreamDecoder decoder = ADAPTER.newStreamDecoder(STREAM_REQUEST, target());
        ByteBuf in = Unpooled.wrappedBuffer(fixture("message.tool-use.stream.sse"));
        try {
            decoder.decode(in, new RecordingSink());
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            in.release();
        }
    }
}
