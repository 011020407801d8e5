package io.junction.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.spi.Provider;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.provider.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiStreamDecoderTest {
    private static final String TOOL_SSE = "openai/chat-completion.tool-calls.stream.sse";
    private static final String TEXT_JSONL = "openai/chat-completion.text.stream.jsonl";
    private static final String AZURE_JSONL = "azure/chat-completion.stream.content-filter.jsonl";

    private final OpenAiAdapter adapter = new OpenAiAdapter();
    private final Target target = new Target(
            new Provider("oai", new ProviderSpec("openai", null, null, null, null, null, null, null), adapter),
            "gpt-4o-mini");
    private final ChatRequest request = new ChatRequest.Builder()
            .model("gpt-4o-mini").messages(List.of(ChatMessage.of("user", "hi"))).stream(true)
                    .build();

    /** What the decoder produced, in order; raw buffers are copied out and released at once. */
    record Event(String kind, ChatChunk chunk, String raw, GatewayException error) {
        /** Comparable form: the kind, the exact raw bytes, and the parsed chunk written back as JSON. */
        String signature() {
            return kind + "|" + raw + "|" + (chunk == null ? "" : Json.string(chunk))
                    + (error == null ? "" : error.getMessage());
        }
    }

    static final class Sink implements StreamSink {
        final List<Event> events = new ArrayList<>();

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
            try {
                events.add(new Event("chunk", chunk, rawJson.toString(StandardCharsets.UTF_8), null));
            } finally {
                rawJson.release();
            }
        }

        @Override
        public void onError(GatewayException error) {
            events.add(new Event("error", null, null, error));
        }

        @Override
        public void onDone() {
            events.add(new Event("done", null, null, null));
        }

        List<ChatChunk> chunks() {
            return events.stream()
                    .filter(e -> e.kind.equals("chunk"))
                    .map(Event::chunk)
                    .toList();
        }

        List<String> raws() {
            return events.stream()
                    .filter(e -> e.kind.equals("chunk"))
                    .map(Event::raw)
                    .toList();
        }

        List<String> kinds() {
            return events.stream().map(Event::kind).toList();
        }
    }

    private Sink decode(byte[] input, List<Integer> cuts) {
        StreamDecoder decoder = adapter.newStreamDecoder(request, target);
        Sink sink = new Sink();
        int from = 0;
        List<Integer> ends = new ArrayList<>(cuts);
        ends.add(input.length);
        for (int to : ends) {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT
                    .buffer(Math.max(1, to - from))
                    .writeBytes(input, from, to - from);
            try {
                decoder.decode(buf, sink);
            } finally {
                buf.release();
            }
            from = to;
        }
        decoder.finish(sink);
        return sink;
    }

    private Sink whole(byte[] input) {
        return decode(input, List.of());
    }

    private Sink whole(String input) {
        return whole(input.getBytes(StandardCharsets.UTF_8));
    }

    private Sink byteByByte(byte[] input) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < input.length; i++) {
            cuts.add(i);
        }
        return decode(input, cuts);
    }

    private Sink randomSplits(byte[] input, long seed) {
        Random rnd = new Random(seed);
        List<Integer> cuts = new ArrayList<>();
        for (int at = 1 + rnd.nextInt(40); at < input.length; at += 1 + rnd.nextInt(40)) {
            cuts.add(at);
        }
        return decode(input, cuts);
    }

    /** The JSON payloads of the fixture, read independently of any decoder: the bytes after "data: ". */
    private static List<String> dataPayloads(String sse) {
        List<String> out = new ArrayList<>();
        for (String event : sse.split("\n\n")) {
            if (event.isEmpty()) {
                continue;
            }
            assertThat(event).startsWith("data: ");
            String payload = event.substring("data: ".length());
            if (!payload.equals("[DONE]")) {
                out.add(payload);
            }
        }
        return out;
    }

    private static List<String> jsonlLines(String path) {
        return Fixtures.string(path).lines().filter(l -> !l.isBlank()).toList();
    }

    private static byte[] wrapAsSse(List<String> lines, boolean done) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append("data: ").append(l).append("\n\n");
        }
        if (done) {
            sb.append("data: [DONE]\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> signatures(Sink s) {
        return s.events.stream().map(Event::signature).toList();
    }

    // ---------------------------------------------------------------- recorded tool-call stream

    @Test
    void theRecordedToolCallStreamDecodesIntoItsChunksThenDone() {
        Sink s = whole(Fixtures.bytes(TOOL_SSE));

        assertThat(s.kinds())
                .containsExactly("chunk", "chunk", "chunk", "chunk", "chunk", "chunk", "chunk", "chunk", "done");
    }

    @Test
    void eachRawChunkIsExactlyTheBytesAfterDataInTheRecording() {
        String sse = Fixtures.string(TOOL_SSE);

        Sink s = whole(Fixtures.bytes(TOOL_SSE));

        assertThat(s.raws()).containsExactlyElementsOf(dataPayloads(sse));
    }

    @Test
    void toolCallDeltasCarryIndexIdNameAndArgumentPieces() {
        List<ChatChunk> chunks = whole(Fixtures.bytes(TOOL_SSE)).chunks();

        ChatChunk first = chunks.get(0);
        assertThat(first.id()).isEqualTo("chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl");
        assertThat(first.object()).isEqualTo("chat.completion.chunk");
        assertThat(first.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(first.serviceTier()).isEqualTo("default");
        assertThat(first.systemFingerprint()).isEqualTo("fp_d0469e1700");
        assertThat(first.extra()).containsEntry("obfuscation", "C63r");
        ChatChunk.Delta d0 = first.choices().get(0).delta();
        assertThat(d0.role()).isEqualTo("assistant");
        assertThat(d0.content()).isNull();
        ToolCall head = d0.toolCalls().get(0);
        assertThat(head.index()).isZero();
        assertThat(head.id()).isEqualTo("call_ZR5UUuTt3pf61kjwAJIYdVMj");
        assertThat(head.type()).isEqualTo("function");
        assertThat(head.function().name()).isEqualTo("get_capital");
        assertThat(head.function().arguments()).isEmpty();

        StringBuilder args = new StringBuilder();
        for (ChatChunk c : chunks.subList(1, 6)) {
            ToolCall piece = c.choices().get(0).delta().toolCalls().get(0);
            assertThat(piece.index()).isZero();
            assertThat(piece.id()).isNull();
            assertThat(piece.function().name()).isNull();
            args.append(piece.function().arguments());
        }
        assertThat(args.toString()).isEqualTo("{\"country\":\"UK\"}");

        assertThat(chunks.get(6).choices().get(0).finishReason()).isEqualTo("tool_calls");
        assertThat(chunks.subList(0, 6))
                .allSatisfy(c -> assertThat(c.choices().get(0).finishReason()).isNull());
    }

    @Test
    void theFinalUsageChunkIsUsageOnly() {
        List<ChatChunk> chunks = whole(Fixtures.bytes(TOOL_SSE)).chunks();

        ChatChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.isUsageOnly()).isTrue();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().promptTokens()).isEqualTo(53);
        assertThat(last.usage().completionTokens()).isEqualTo(15);
        assertThat(last.usage().totalTokens()).isEqualTo(68);
        assertThat(last.usage().completionTokensDetails().reasoningTokens()).isZero();
        assertThat(chunks.subList(0, chunks.size() - 1)).noneMatch(ChatChunk::isUsageOnly);
    }

    @Test
    void byteByByteGivesTheSameEvents() {
        byte[] input = Fixtures.bytes(TOOL_SSE);

        assertThat(signatures(byteByByte(input))).containsExactlyElementsOf(signatures(whole(input)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 99, 2024, 31337})
    void randomSplitsGiveTheSameEvents(long seed) {
        byte[] input = Fixtures.bytes(TOOL_SSE);

        assertThat(signatures(randomSplits(input, seed))).containsExactlyElementsOf(signatures(whole(input)));
    }

    @Test
    void crlfAndCrLineEndsGiveTheSameChunksAndRawBytes() {
        String sse = Fixtures.string(TOOL_SSE);
        List<String> expected = signatures(whole(sse));

        assertThat(signatures(whole(sse.replace("\n", "\r\n")))).containsExactlyElementsOf(expected);
        assertThat(signatures(byteByByte(sse.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8))))
                .containsExactlyElementsOf(expected);
        assertThat(signatures(whole(sse.replace("\n", "\r")))).containsExactlyElementsOf(expected);
    }

    // ---------------------------------------------------------------- recorded text stream (jsonl)

    @Test
    void theRecordedTextStreamWrappedAsSseDecodesLineForLine() throws IOException {
        List<String> lines = jsonlLines(TEXT_JSONL);
        assertThat(lines).hasSizeGreaterThan(100);

        Sink s = whole(wrapAsSse(lines, true));

        assertThat(s.raws()).containsExactlyElementsOf(lines);
        assertThat(s.kinds()).last().isEqualTo("done");
        // the text, assembled from the JSON trees independently of the typed records
        StringBuilder expected = new StringBuilder();
        for (String l : lines) {
            JsonNode content = Json.MAPPER.readTree(l).at("/choices/0/delta/content");
            if (content.isTextual()) {
                expected.append(content.asText());
            }
        }
        StringBuilder actual = new StringBuilder();
        for (ChatChunk c : s.chunks()) {
            for (ChatChunk.Choice ch : c.choices()) {
                if (ch.delta().content() != null) {
                    actual.append(ch.delta().content());
                }
            }
        }
        assertThat(actual.toString()).isEqualTo(expected.toString()).startsWith("**Holiday Name:**");
        ChatChunk last = s.chunks().get(s.chunks().size() - 1);
        assertThat(last.isUsageOnly()).isTrue();
        assertThat(last.usage().completionTokens()).isEqualTo(300);
        assertThat(s.chunks().get(s.chunks().size() - 2).choices().get(0).finishReason())
                .isEqualTo("stop");
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 6})
    void theRecordedTextStreamInRandomSplitsGivesTheSameEvents(long seed) {
        byte[] input = wrapAsSse(jsonlLines(TEXT_JSONL), true);

        assertThat(signatures(randomSplits(input, seed))).containsExactlyElementsOf(signatures(whole(input)));
    }

    @Test
    void withoutDoneTheStreamSimplyEndsAfterItsChunks() {
        List<String> lines = jsonlLines(TEXT_JSONL);

        Sink s = whole(wrapAsSse(lines, false));

        assertThat(s.kinds()).doesNotContain("done", "error");
        assertThat(s.raws()).hasSize(lines.size());
    }

    @Test
    void anAzureStreamWithAPromptFilterChunkDecodes() {
        List<String> lines = jsonlLines(AZURE_JSONL);

        Sink s = whole(wrapAsSse(lines, true));

        assertThat(s.raws()).containsExactlyElementsOf(lines);
        ChatChunk first = s.chunks().get(0);
        // choices [] and no usage: not the usage chunk, and kept for the client (it carries prompt_filter_results)
        assertThat(first.choices()).isEmpty();
        assertThat(first.isUsageOnly()).isFalse();
        assertThat(first.extra()).containsKey("prompt_filter_results");
        assertThat(s.chunks().get(1).choices().get(0).extra()).containsKey("content_filter_results");
        ChatChunk last = s.chunks().get(s.chunks().size() - 1);
        assertThat(last.usage().completionTokensDetails().reasoningTokens()).isEqualTo(64);
    }

    // ---------------------------------------------------------------- errors in the stream

    @Test
    void anInBandErrorObjectGoesToOnErrorWithTheUpstreamMessage() {
        Sink s = whole(
                "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
                        + "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");

        assertThat(s.kinds()).containsExactly("chunk", "error");
        GatewayException e = s.events.get(1).error();
        assertThat(e.getMessage()).isEqualTo("The server had an error while processing your request.");
        assertThat(e.type()).isEqualTo("server_error");
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("upstream_stream_error");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void anErrorEventTypeGoesToOnError() {
        Sink s = whole("event: error\ndata: {\"message\":\"overloaded\",\"code\":\"overloaded_error\"}\n\n");

        assertThat(s.kinds()).containsExactly("error");
        assertThat(s.events.get(0).error().getMessage()).isEqualTo("overloaded");
        assertThat(s.events.get(0).error().code()).isEqualTo("overloaded_error");
    }

    @Test
    void aChunkThatHappensToHaveAnErrorFieldAndChoicesIsAChunk() {
        Sink s = whole(
                "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"error\":null}\n\n");

        assertThat(s.kinds()).containsExactly("chunk");
    }

    @ParameterizedTest
    @ValueSource(strings = {"data: {not json}\n\n", "data: <html>\n\n", "data: {\"id\":\n\n"})
    void anEventThatIsNotJsonIsA502(String sse) {
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> whole(sse));

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("bad_upstream_response");
        assertThat(e.getMessage()).contains("'oai'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"data: null\n\n", "data: 42\n\n", "data: [1,2]\n\n", "data: \"text\"\n\n", "data:\n\n"})
    void anEventThatIsJsonButNotAnObjectIsA502(String sse) {
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> whole(sse));

        assertThat(e).as("no chunk may be produced from %s", sse.strip()).isNotNull();
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("bad_upstream_response");
    }

    @Test
    void doneIsRecognisedWithSurroundingWhitespaceOnly() {
        assertThat(whole("data:  [DONE] \n\n").kinds()).containsExactly("done");
        assertThat(whole("data:[DONE]\n\n").kinds()).containsExactly("done");
        assertThat(catchThrowableOfType(GatewayException.class, () -> whole("data: [DONE]x\n\n")))
                .isNotNull();
    }

    @Test
    void commentsAndKeepAlivesProduceNothing() {
        assertThat(whole(": OPENROUTER PROCESSING\n\n: ping\n\n").events).isEmpty();
    }
}
