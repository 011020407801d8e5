package io.junction.provider.cohere;

import static io.junction.provider.cohere.CohereTestSupport.NOW;
import static io.junction.provider.cohere.CohereTestSupport.feed;
import static io.junction.provider.cohere.CohereTestSupport.fixture;
import static io.junction.provider.cohere.CohereTestSupport.recordedSse;
import static io.junction.provider.cohere.CohereTestSupport.sse;
import static io.junction.provider.cohere.CohereTestSupport.tree;
import static io.junction.provider.cohere.CohereTestSupport.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.provider.cohere.CohereTestSupport.RecordingSink;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cohere v2 chat event streams to OpenAI chunks, on the recorded streams in {@code fixtures/cohere/}
 * (one data payload per line, re-wrapped as SSE here). Streams marked "constructed" are written here
 * in the documented event shapes because no recording of them exists.
 */
class CohereStreamDecoderTest {

    private static String chunk(String id, String delta, String finish) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW
                + ",\"model\":\"command-a-03-2025\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static String usageChunk(String id, int prompt, int completion, int cached) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + NOW
                + ",\"model\":\"command-a-03-2025\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt
                + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached + "}}}";
    }

    private static String joined(RecordingSink sink, Function<ChatChunk.Delta, String> field) {
        return sink.chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(ch -> field.apply(ch.delta()))
                .filter(Objects::nonNull)
                .collect(Collectors.joining());
    }

    // ---------------------------------------------------------------- recorded streams

    @Test
    void recordedTextStreamGivesExactChunks() {
        RecordingSink sink = whole(recordedSse("chat.text.stream.jsonl"));
        String id = "321d178c-2c12-44d3-ae42-2f5510f6b1cc";
        assertThat(sink.json())
                .isEqualTo(tree("["
                        + String.join(
                                ",",
                                chunk(id, "{\"role\":\"assistant\",\"content\":\"The\"}", null),
                                chunk(id, "{\"content\":\" capital\"}", null),
                                chunk(id, "{\"content\":\" of\"}", null),
                                chunk(id, "{\"content\":\" France\"}", null),
                                chunk(id, "{\"content\":\" is\"}", null),
                                chunk(id, "{\"content\":\" Paris\"}", null),
                                chunk(id, "{\"content\":\".\"}", null),
                                chunk(id, "{}", "stop"),
                                usageChunk(id, 507, 10, 448))
                        + "]"));
        assertThat(sink.done).isEqualTo(1);
        assertThat(sink.errors).isEmpty();
    }

    @Test
    void recordedToolCallStreamGivesThePlanAsContentThenTwoIndexedToolCalls() {
        RecordingSink sink = whole(recordedSse("chat.tool-calls.stream.jsonl"));
        String id = "2941521a-b87a-45f6-9b0d-235fd66c3025";
        List<ChatChunk> chunks = sink.chunks;
        assertThat(chunks).allSatisfy(c -> assertThat(c.id()).isEqualTo(id));
        assertThat(chunks.get(0).choices().get(0).delta().role()).isEqualTo("assistant");
        assertThat(chunks.get(0).choices().get(0).delta().content()).isEqualTo("I");
        assertThat(joined(sink, ChatChunk.Delta::content))
                .isEqualTo("I will use the weather tool to find the weather in San Francisco and the cityAttractions"
                        + " tool to find attractions in San Francisco.");

        // 27 plan pieces, then per call one start and seven argument pieces, then finish and usage
        assertThat(chunks).hasSize(27 + 8 + 8 + 2);
        assertThat(sink.json().get(27))
                .isEqualTo(tree(chunk(
                        id,
                        "{\"tool_calls\":[{\"index\":0,\"id\":\"weather_e8p4pn45zt0t\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}",
                        null)));
        assertThat(sink.json().get(28))
                .isEqualTo(tree(
                        chunk(id, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"\"}}]}", null)));
        assertThat(sink.json().get(35).at("/choices/0/delta/tool_calls/0"))
                .isEqualTo(tree("{\"index\":1,\"id\":\"cityAttractions_pyxssbwnq9fq\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"cityAttractions\",\"arguments\":\"\"}}"));
        for (int k = 0; k < 2; k++) {
            int index = k;
            String args = chunks.stream()
                    .flatMap(c -> c.choices().stream())
                    .filter(ch -> ch.delta().toolCalls() != null)
                    .map(ch -> ch.delta().toolCalls().get(0))
                    .filter(tc -> tc.index() == index)
                    .map(tc -> tc.function().arguments())
                    .collect(Collectors.joining());
            assertThat(tree(args))
                    .isEqualTo(tree(k == 0 ? "{\"location\":\"San Francisco\"}" : "{\"city\":\"San Francisco\"}"));
        }
        assertThat(sink.json().get(43)).isEqualTo(tree(chunk(id, "{}", "tool_calls")));
        assertThat(sink.json().get(44)).isEqualTo(tree(usageChunk(id, 1549, 95, 1504)));
        assertThat(sink.done).isEqualTo(1);
    }

    @Test
    void recordedReasoningStreamGivesReasoningThenContent() {
        RecordingSink sink = whole(recordedSse("chat.reasoning.stream.jsonl"));
        assertThat(sink.chunks).hasSize(36 + 9 + 2);
        ChatChunk.Delta first = sink.chunks.get(0).choices().get(0).delta();
        assertThat(first.role()).isEqualTo("assistant");
        assertThat(first.reasoningContent()).isEqualTo("The");
        assertThat(first.content()).isNull();
        assertThat(joined(sink, ChatChunk.Delta::reasoningContent))
                .isEqualTo("The user is asking for the sum of 2 and 2. Since this is a straightforward arithmetic"
                        + " problem, I don't need to use any tools. I can calculate the answer directly.");
        assertThat(joined(sink, ChatChunk.Delta::content)).isEqualTo("The answer to 2 + 2 is 4.");
        assertThat(sink.chunks.get(45).choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(sink.chunks.get(46).isUsageOnly()).isTrue();
        assertThat(sink.chunks.get(46).usage().cached()).isEqualTo(1360);
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat.text.stream.jsonl", "chat.tool-calls.stream.jsonl", "chat.reasoning.stream.jsonl"})
    void anySplitOfTheBodyGivesTheSameChunks(String name) {
        byte[] body = recordedSse(name);
        RecordingSink reference = whole(body);
        assertThat(reference.chunks).isNotEmpty();

        assertThat(feed(body, () -> 1, false).json()).isEqualTo(reference.json());
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            RecordingSink split = feed(body, () -> 1 + random.nextInt(97), false);
            assertThat(split.json()).as("seed %d", seed).isEqualTo(reference.json());
            assertThat(split.done).isEqualTo(1);
        }
        Random pooled = new Random(42);
        assertThat(feed(body, () -> 1 + pooled.nextInt(512), true).json()).isEqualTo(reference.json());

        // without event: lines (type only in the JSON), and with CRLF line ends: the same stream
        byte[] dataOnly = sse(new String(fixture(name), StandardCharsets.UTF_8), false);
        assertThat(whole(dataOnly).json()).isEqualTo(reference.json());
        byte[] crlf =
                new String(body, StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        Random random = new Random(99);
        assertThat(feed(crlf, () -> 1 + random.nextInt(7), false).json()).isEqualTo(reference.json());
    }

    // ---------------------------------------------------------------- constructed streams

    private static final String START =
            "{\"id\":\"s1\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[],"
                    + "\"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}\n";

    @Test
    void aFailedGenerationBeforeAnyContentIsAnErrorAndNoChunk() {
        RecordingSink sink = whole(sse(
                START + "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"ERROR\","
                        + "\"usage\":{\"tokens\":{\"input_tokens\":3,\"output_tokens\":0}}}}",
                true));
        assertThat(sink.chunks).isEmpty();
        assertThat(sink.done).isZero();
        assertThat(sink.errors).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.retryable()).isTrue();
        });

        RecordingSink timeout = whole(sse(
                START
                        + "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hal\"}}}}\n"
                        + "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"TIMEOUT\"}}",
                false));
        assertThat(timeout.chunks).hasSize(1);
        assertThat(timeout.errors).singleElement().satisfies(e -> assertThat(e.status())
                .isEqualTo(504));
    }

    @Test
    void citationsDebugUnknownEventsAndATrailingDoneAddNothing() {
        String body = START
                + "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hi\"}}}}\n"
                + "{\"type\":\"citation-start\",\"index\":0,\"delta\":{\"message\":{\"citations\":{\"start\":0,\"end\":2,"
                + "\"text\":\"Hi\",\"sources\":[]}}}}\n"
                + "{\"type\":\"citation-end\",\"index\":0}\n"
                + "{\"type\":\"debug\",\"prompt\":\"...\"}\n"
                + "{\"type\":\"something-new\"}\n"
                + "{\"type\":\"content-end\",\"index\":0}\n"
                + "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"STOP_SEQUENCE\"}}\n";
        RecordingSink sink = whole(new String(sse(body, true), StandardCharsets.UTF_8) + "data: [DONE]\n\n");
        assertThat(sink.chunks).hasSize(2);
        assertThat(sink.chunks.get(1).choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(sink.done).as("no usage, no usage chunk; done once").isEqualTo(1);
    }

    @Test
    void contentBeforeMessageStartOrAnUnstartedToolCallIsMalformed() {
        assertThatThrownBy(() -> whole(sse(
                        "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"x\"}}}}",
                        true)))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.getMessage()).contains("before message-start");
                });
        assertThatThrownBy(() -> whole(sse(
                        START + "{\"type\":\"tool-call-delta\",\"index\":3,\"delta\":{\"message\":"
                                + "{\"tool_calls\":{\"function\":{\"arguments\":\"{\"}}}}}",
                        true)))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.getMessage()).contains("never started"));
        assertThatThrownBy(() -> whole("data: not json\n\n")).isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> whole("data: [1]\n\n")).isInstanceOf(GatewayException.class);
    }
}
