package io.junction.provider.gemini;

import static io.junction.provider.gemini.GeminiTestSupport.ADAPTER;
import static io.junction.provider.gemini.GeminiTestSupport.NOW;
import static io.junction.provider.gemini.GeminiTestSupport.fixture;
import static io.junction.provider.gemini.GeminiTestSupport.fixtureText;
import static io.junction.provider.gemini.GeminiTestSupport.request;
import static io.junction.provider.gemini.GeminiTestSupport.rewrapJsonl;
import static io.junction.provider.gemini.GeminiTestSupport.target;
import static io.junction.provider.gemini.GeminiTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Usage;
import io.junction.core.spi.StreamDecoder;
import io.junction.provider.gemini.GeminiTestSupport.RecordingSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gemini SSE streams to OpenAI chunks, on the recorded streams in {@code fixtures/google/}. Streams
 * marked "constructed" are written here in the documented shape, because no recording of them exists
 * (tool-call failures, blocked prompts, several candidates, in-stream errors).
 */
class GeminiStreamDecoderTest {
    private static final ChatRequest STREAM_REQUEST =
            request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");

    // ------------------------------------------------------------------ feeding helpers

    private static RecordingSink feed(ChatRequest request, byte[] body, IntSupplier nextSize, boolean pooled) {
        StreamDecoder decoder = ADAPTER.newStreamDecoder(request, target());
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

    private static RecordingSink feed(byte[] body, IntSupplier nextSize) {
        return feed(STREAM_REQUEST, body, nextSize, false);
    }

    private static RecordingSink whole(byte[] body) {
        return feed(body, () -> Integer.MAX_VALUE);
    }

    private static RecordingSink whole(String body) {
        return whole(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String data(String json) {
        return "data: " + json + "\r\n\r\n";
    }

    /** One expected chunk with a single choice, as OpenAI JSON. */
    private static String chunk(String id, String model, String delta, String finish) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW + ",\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String usageChunk(String id, String model, int prompt, int completion, int cached, int reasoning) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW + ",\"model\":\""
                + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completion + ",\"total_tokens\":" + (prompt + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached
                + "},\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoning + "}}}";
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
    void recordedTextStreamGivesExactChunks() {
        RecordingSink sink = whole(rewrapJsonl(fixtureText("stream-generate-content.text.jsonl")));
        String id = "bH6LaZW8Fp_3nsEPqtaSwQ4";
        String model = "gemini-3-pro-preview";
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk(id, model, "{\"role\":\"assistant\",\"content\":\"There are **3**\"}", null),
                                chunk(
                                        id,
                                        model,
                                        "{\"content\":\" \\\"r\\\"s in strawberry.\\n\\nst**r**awbe**rr**y\"}",
                                        null),
                                // the last event's only part is empty text carrying a thoughtSignature
                                chunk(id, model, "{}", "stop"),
                                // 9 prompt; 23 candidates + 185 thoughts = 208; 217 = totalTokenCount
                                usageChunk(id, model, 9, 208, 0, 185))
                        + "]"));
        assertThat(sink.events).endsWith("chunk", "chunk", "done");
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.errors).isEmpty();
        assertThat(sink.chunks.get(3).usage().totalTokens()).isEqualTo(217);
    }

    @Test
    void recordedFunctionCallStreamGivesOneWholeToolCallDelta() {
        RecordingSink sink = whole(fixture("stream-generate-content.function-call.sse"));
        String id = "QUVVadTSNJ6_qtsPvN7J8Q0";
        String model = "gemini-3-pro-preview";
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk(
                                        id,
                                        model,
                                        "{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,"
                                                + "\"id\":\"call_QUVVadTSNJ6_qtsPvN7J8Q0_0\",\"type\":\"function\","
                                                + "\"function\":{\"name\":\"get_country\",\"arguments\":\"{}\"}}]}",
                                        null),
                                chunk(id, model, "{}", "tool_calls"),
                                // 29 prompt; 10 candidates + 202 thoughts = 212; 241 = totalTokenCount
                                usageChunk(id, model, 29, 212, 0, 202))
                        + "]"));
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.json().toString()).doesNotContain("EpwICpkI"); // the signature never leaks
    }

    @Test
    void recordedThinkingStreamGivesReasoningThenContent() {
        RecordingSink sink = whole(fixture("stream-generate-content.thinking.sse"));
        List<ChatChunk> chunks = sink.chunks;
        // 23 events: 4 thought parts, 19 non-empty text parts; then the finish chunk and the usage chunk
        assertThat(chunks).hasSize(4 + 19 + 2);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.id()).isEqualTo("beHBaJfEMIi-qtsP3769-Q8");
            assertThat(c.model()).isEqualTo("gemini-2.5-pro");
            assertThat(c.created()).isEqualTo(NOW);
            assertThat(c.object()).isEqualTo("chat.completion.chunk");
        });
        ChatChunk.Delta first = chunks.get(0).choices().get(0).delta();
        assertThat(first.role()).isEqualTo("assistant");
        assertThat(first.reasoningContent()).startsWith("**Clarifying User Goals**\n\nI'm currently focused");
        assertThat(first.content()).isNull();
        assertThat(chunks.subList(1, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.choices().get(0).delta().role()).isNull());
        assertThat(chunks.subList(0, 4)).allSatisfy(c -> {
            assertThat(c.choices().get(0).delta().content()).isNull();
            assertThat(c.choices().get(0).delta().reasoningContent()).isNotEmpty();
        });
        assertThat(joined(sink, ChatChunk.Delta::reasoningContent))
                .startsWith("**Clarifying User Goals**")
                .contains("**Developing a Safety Protocol**", "**Prioritizing Safe Crossing**")
                .endsWith("regardless of specific circumstances or locations.\n\n\n");
        String content = joined(sink, ChatChunk.Delta::content);
        assertThat(content)
                .startsWith("This is a great question! Safely crossing the street is all about being aware")
                .endsWith("Always assume a driver might not see you.");
        assertThat(content).doesNotContain("CiIB0e2Kb6"); // the signature never leaks

        ChatChunk finish = chunks.get(chunks.size() - 2);
        assertThat(finish.choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(finish.usage()).isNull();
        ChatChunk usage = chunks.get(chunks.size() - 1);
        assertThat(usage.isUsageOnly()).isTrue();
        Usage u = usage.usage();
        // the last usageMetadata: 34 prompt; 469 candidates + 787 thoughts = 1256; total 1290
        assertThat(u.promptTokens()).isEqualTo(34);
        assertThat(u.completionTokens()).isEqualTo(1256);
        assertThat(u.totalTokens()).isEqualTo(1290).isEqualTo(34 + 1256);
        assertThat(u.completionTokensDetails().reasoningTokens()).isEqualTo(787);
        assertThat(u.promptTokensDetails().cachedTokens()).isZero();
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.errors).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "stream-generate-content.text.jsonl",
                "stream-generate-content.function-call.sse",
                "stream-generate-content.thinking.sse"
            })
    void anySplitOfTheBodyGivesTheSameChunks(String name) {
        byte[] body = name.endsWith(".jsonl") ? rewrapJsonl(fixtureText(name)) : fixture(name);
        RecordingSink reference = whole(body);
        assertThat(reference.chunks).isNotEmpty();
        assertThat(reference.done).isEqualTo(1);

        RecordingSink byteByByte = feed(body, () -> 1);
        assertThat(byteByByte.json()).isEqualTo(reference.json());
        assertThat(byteByByte.events).isEqualTo(reference.events);

        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            RecordingSink split = feed(body, () -> 1 + random.nextInt(97));
            assertThat(split.json()).as("seed %d", seed).isEqualTo(reference.json());
            assertThat(split.events).as("seed %d", seed).isEqualTo(reference.events);
        }

        Random pooledSizes = new Random(42);
        assertThat(feed(STREAM_REQUEST, body, () -> 1 + pooledSizes.nextInt(512), true)
                        .json())
                .isEqualTo(reference.json());

        // LF line endings are the same stream
        byte[] lf =
                new String(body, StandardCharsets.UTF_8).replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
        Random random = new Random(99);
        assertThat(feed(lf, () -> 1 + random.nextInt(7)).json()).isEqualTo(reference.json());
    }

    @Test
    void streamedAndNonStreamedAnswersGetTheSameToolCallIds() {
        // the recorded non-streamed function call, replayed as a one-event stream
        String json = new String(fixture("generate-content.function-call.json"), StandardCharsets.UTF_8)
                .replaceAll("\\s*\\n\\s*", "");
        RecordingSink sink = whole(data(json));
        assertThat(sink.chunks
                        .get(0)
                        .choices()
                        .get(0)
                        .delta()
                        .toolCalls()
                        .get(0)
                        .id())
                .isEqualTo("call_m36LaZGyCLz1xs0PtNSB-QU_0");
        assertThat(sink.chunks
                        .get(0)
                        .choices()
                        .get(0)
                        .delta()
                        .toolCalls()
                        .get(0)
                        .function()
                        .arguments())
                .isEqualTo("{\"location\":\"San Francisco\"}");
    }

    // ------------------------------------------------------------------ constructed streams

    private static final String HEAD = "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r-1\"";

    @ParameterizedTest
    @ValueSource(strings = {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"})
    void toolCallFailureMidStreamIsARetryable502NotAStop(String reason) {
        String body = data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Let me\"}]},"
                        + "\"index\":0}]," + HEAD + "}")
                + data("{\"candidates\":[{\"content\":{},\"finishReason\":\"" + reason + "\",\"index\":0}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":5,\"totalTokenCount\":5}," + HEAD + "}")
                + data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"ignored\"}]},"
                        + "\"index\":0}]," + HEAD + "}");
        for (IntSupplier sizes : List.<IntSupplier>of(() -> Integer.MAX_VALUE, () -> 1)) {
            RecordingSink sink = feed(body.getBytes(StandardCharsets.UTF_8), sizes);
            assertThat(sink.events).containsExactly("chunk", "error");
            assertThat(sink.chunks.get(0).choices().get(0).delta().content()).isEqualTo("Let me");
            GatewayException e = sink.errors.get(0);
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.retryable()).isTrue();
            assertThat(e.code()).isEqualTo(reason.toLowerCase(java.util.Locale.ROOT));
            assertThat(sink.chunks)
                    .allSatisfy(
                            c -> assertThat(c.choices().get(0).finishReason()).isNull());
        }
    }

    @Test
    void toolCallFailureBeforeAnyContentSendsNoChunkSoTheRouterCanFailOver() {
        RecordingSink sink = whole(
                data("{\"candidates\":[{\"finishReason\":\"MALFORMED_FUNCTION_CALL\",\"index\":0}]," + HEAD + "}"));
        assertThat(sink.chunks).isEmpty();
        assertThat(sink.events).containsExactly("error");
        assertThat(sink.errors.get(0).retryable()).isTrue();
    }

    @Test
    void anErrorEventEndsTheStreamWithTheMappedError() {
        // constructed: Google documents no in-stream error; an {"error":{...}} event is mapped like an error body
        String body = data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]},"
                        + "\"index\":0}]," + HEAD + "}")
                + data("{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}")
                + data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},"
                        + "\"finishReason\":\"STOP\",\"index\":0}]," + HEAD + "}");
        RecordingSink sink = whole(body);
        assertThat(sink.events).containsExactly("chunk", "error");
        GatewayException e = sink.errors.get(0);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.code()).isEqualTo("unavailable");
        assertThat(e.getMessage()).isEqualTo("The model is overloaded.");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void aBlockedPromptIsAContentFilterFinishWithARefusal() {
        RecordingSink sink = whole(data("{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},"
                + "\"usageMetadata\":{\"promptTokenCount\":7,\"totalTokenCount\":7}," + HEAD + "}"));
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + chunk(
                                "r-1",
                                "gemini-2.5-flash",
                                "{\"role\":\"assistant\",\"refusal\":\"The prompt was blocked (PROHIBITED_CONTENT).\"}",
                                "content_filter")
                        + "," + usageChunk("r-1", "gemini-2.5-flash", 7, 0, 0, 0) + "]"));
        assertThat(sink.done).isEqualTo(1);
    }

    @Test
    void safetyFinishMapsToContentFilterAndLengthToLength() {
        RecordingSink safety =
                whole(data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Sure\"}]},"
                        + "\"finishReason\":\"SAFETY\",\"index\":0}]," + HEAD + "}"));
        assertThat(safety.chunks).hasSize(2);
        assertThat(safety.chunks.get(1).choices().get(0).finishReason()).isEqualTo("content_filter");
        assertThat(safety.events).as("no usageMetadata: no usage chunk").containsExactly("chunk", "chunk", "done");

        RecordingSink length = whole(data("{\"candidates\":[{\"content\":{\"role\":\"model\"},"
                + "\"finishReason\":\"MAX_TOKENS\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":3,\"totalTokenCount\":53,\"thoughtsTokenCount\":50}," + HEAD
                + "}"));
        assertThat(length.json())
                .isEqualTo(tree("[" + chunk("r-1", "gemini-2.5-flash", "{\"role\":\"assistant\"}", "length") + ","
                        + usageChunk("r-1", "gemini-2.5-flash", 3, 50, 0, 50) + "]"));
    }

    @Test
    void severalCallsInOneEventGetOrdinalIndexes() {
        String body = data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
                        + "{\"text\":\"Checking.\"},"
                        + "{\"functionCall\":{\"name\":\"w\",\"args\":{\"city\":\"Paris\"}},\"thoughtSignature\":\"c2ln\"},"
                        + "{\"functionCall\":{\"name\":\"w\",\"args\":{\"city\":\"Rome\"}}}]},\"index\":0}]," + HEAD
                        + "}")
                + data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
                        + "{\"functionCall\":{\"name\":\"now\"}}]},\"finishReason\":\"STOP\",\"index\":0}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":6,\"totalTokenCount\":10},"
                        + HEAD + "}");
        RecordingSink sink = whole(body);
        String model = "gemini-2.5-flash";
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk("r-1", model, "{\"role\":\"assistant\",\"content\":\"Checking.\"}", null),
                                chunk(
                                        "r-1",
                                        model,
                                        "{\"tool_calls\":[{\"index\":0,\"id\":\"call_r-1_0\",\"type\":\"function\","
                                                + "\"function\":{\"name\":\"w\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}",
                                        null),
                                chunk(
                                        "r-1",
                                        model,
                                        "{\"tool_calls\":[{\"index\":1,\"id\":\"call_r-1_1\",\"type\":\"function\","
                                                + "\"function\":{\"name\":\"w\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]}",
                                        null),
                                chunk(
                                        "r-1",
                                        model,
                                        "{\"tool_calls\":[{\"index\":2,\"id\":\"call_r-1_2\",\"type\":\"function\","
                                                + "\"function\":{\"name\":\"now\",\"arguments\":\"{}\"}}]}",
                                        null),
                                chunk("r-1", model, "{}", "tool_calls"),
                                usageChunk("r-1", model, 4, 6, 0, 0))
                        + "]"));
    }

    @Test
    void severalCandidatesAreSeveralChoicesAndTheStreamEndsWhenAllFinished() {
        ChatRequest n2 = request(
                "{\"model\":\"m\",\"n\":2,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        String body =
                data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"A\"}]},\"index\":0},"
                                + "{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"B\"}]},\"index\":1}]," + HEAD
                                + "}")
                        + data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"!\"}]},"
                                + "\"finishReason\":\"STOP\",\"index\":0}],"
                                + "\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":2,\"totalTokenCount\":4},"
                                + HEAD + "}")
                        + data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"?\"}]},"
                                + "\"finishReason\":\"MAX_TOKENS\",\"index\":1}],"
                                + "\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":4,\"totalTokenCount\":6},"
                                + HEAD + "}");
        RecordingSink sink = feed(n2, body.getBytes(StandardCharsets.UTF_8), () -> 13, false);
        assertThat(sink.chunks).hasSize(7);
        assertThat(sink.chunks.get(0).choices().get(0).index()).isZero();
        assertThat(sink.chunks.get(0).choices().get(0).delta().role()).isEqualTo("assistant");
        assertThat(sink.chunks.get(1).choices().get(0).index()).isEqualTo(1);
        assertThat(sink.chunks.get(1).choices().get(0).delta().role())
                .as("each choice's first chunk has the role")
                .isEqualTo("assistant");
        assertThat(sink.chunks.get(3).choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(sink.chunks.get(5).choices().get(0).finishReason()).isEqualTo("length");
        assertThat(sink.chunks.get(6).usage().totalTokens())
                .as("the last usageMetadata")
                .isEqualTo(6);
        assertThat(sink.events).endsWith("chunk", "done");

        // n=2 but only one candidate ever came: the end of the body ends the stream
        String one = data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"A\"}]},"
                + "\"finishReason\":\"STOP\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":1,\"totalTokenCount\":3}," + HEAD
                + "}");
        RecordingSink partial = feed(n2, one.getBytes(StandardCharsets.UTF_8), () -> Integer.MAX_VALUE, false);
        assertThat(partial.events).containsExactly("chunk", "chunk", "chunk", "done");
    }

    @Test
    void streamCutBeforeTheFinishReasonEndsWithoutDone() {
        String body = new String(fixture("stream-generate-content.thinking.sse"), StandardCharsets.UTF_8);
        String cut = body.substring(0, body.lastIndexOf("data: "));
        RecordingSink sink = whole(cut);
        assertThat(sink.done).isZero();
        assertThat(sink.chunks).isNotEmpty();
        assertThat(sink.chunks).noneMatch(c -> c.usage() != null);
        assertThat(sink.chunks)
                .allSatisfy(c -> assertThat(c.choices().get(0).finishReason()).isNull());

        // a last event without its blank line is still read (the body just ended)
        String noTrailer = body.stripTrailing();
        RecordingSink complete = whole(noTrailer);
        assertThat(complete.done).isEqualTo(1);
        assertThat(complete.json())
                .isEqualTo(whole(body.getBytes(StandardCharsets.UTF_8)).json());
    }

    @Test
    void eventsAfterTheEndAreIgnoredAndUsageOnlyEventsAreQuiet() {
        String body = data("{\"usageMetadata\":{\"promptTokenCount\":1,\"totalTokenCount\":1}," + HEAD + "}")
                + new String(fixture("stream-generate-content.function-call.sse"), StandardCharsets.UTF_8)
                + data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"late\"}]},"
                        + "\"index\":0}]," + HEAD + "}");
        RecordingSink sink = whole(body);
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.chunks).hasSize(3);
        assertThat(sink.chunks.get(0).id())
                .as("the first event fixes the id and model")
                .isEqualTo("r-1");
        assertThat(sink.json().toString()).doesNotContain("late");
    }

    @Test
    void logprobsGoWithTheFirstChunkOfTheirEvent() {
        RecordingSink sink =
                whole(data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi\"}]},"
                        + "\"logprobsResult\":{\"topCandidates\":[{\"candidates\":[{\"token\":\"Hi\",\"logProbability\":-0.5}]}],"
                        + "\"chosenCandidates\":[{\"token\":\"Hi\",\"logProbability\":-0.5}]},"
                        + "\"finishReason\":\"STOP\",\"index\":0}]," + HEAD + "}"));
        assertThat(sink.chunks.get(0).choices().get(0).logprobs()).isEqualTo(tree("""
                        {"content":[{"token":"Hi","logprob":-0.5,"bytes":[72,105],
                                     "top_logprobs":[{"token":"Hi","logprob":-0.5,"bytes":[72,105]}]}],"refusal":null}"""));
        assertThat(sink.chunks.get(1).choices().get(0).logprobs()).isNull();
    }

    @Test
    void withoutResponseIdTheAdaptersIdIsUsed() {
        RecordingSink sink = whole(data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":"
                + "[{\"functionCall\":{\"name\":\"f\",\"args\":{}}}]},\"finishReason\":\"STOP\"}]}"));
        assertThat(sink.chunks).allSatisfy(c -> {
            assertThat(c.id()).isEqualTo("chatcmpl-" + GeminiTestSupport.FALLBACK_ID);
            assertThat(c.model()).isEqualTo(GeminiTestSupport.MODEL);
        });
        assertThat(sink.chunks
                        .get(0)
                        .choices()
                        .get(0)
                        .delta()
                        .toolCalls()
                        .get(0)
                        .id())
                .isEqualTo("call_" + GeminiTestSupport.FALLBACK_ID + "_0");
        assertThat(sink.chunks.get(1).choices().get(0).finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void malformedEventsAre502s() {
        for (String body : List.of("data: {not json\r\n\r\n", "data: [1,2]\r\n\r\n", "data: \"x\"\r\n\r\n")) {
            assertThatThrownBy(() -> whole(body)).isInstanceOfSatisfying(GatewayException.class, e -> {
                assertThat(e.status()).isEqualTo(502);
                assertThat(e.code()).isEqualTo("bad_upstream_response");
                assertThat(e.getMessage()).startsWith("Provider 'gemini' sent a stream event");
            });
        }
    }

    @Test
    void decoderDoesNotRetainOrReleaseTheCallersBuffer() {
        StreamDecoder decoder = ADAPTER.newStreamDecoder(STREAM_REQUEST, target());
        ByteBuf in = Unpooled.wrappedBuffer(fixture("stream-generate-content.function-call.sse"));
        try {
            decoder.decode(in, new RecordingSink());
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            in.release();
        }
    }
}
