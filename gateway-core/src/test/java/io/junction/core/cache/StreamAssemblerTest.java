package io.junction.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamAssemblerTest {
    private static ChatChunk chunk(ChatChunk.Delta d, String finish) {
        return new ChatChunk(
                "chatcmpl-9",
                ChatChunk.OBJECT,
                5L,
                "gpt-4o-mini-2024",
                "fp_1",
                null,
                List.of(new ChatChunk.Choice(0, d, finish)),
                null,
                null,
                null);
    }

    private static ChatChunk.Delta delta(String role, String content, List<ToolCall> calls) {
        return new ChatChunk.Delta(role, content, null, calls, null, null);
    }

    @Test
    void rebuildsContentToolCallsFinishReasonAndUsage() {
        StreamAssembler a = new StreamAssembler();
        a.add(chunk(delta("assistant", "", null), null));
        a.add(chunk(delta(null, "Hello", null), null));
        a.add(chunk(delta(null, ", world", null), null));
        a.add(chunk(
                delta(
                        null,
                        null,
                        List.of(new ToolCall(0, "call_1", "function", new ToolCall.FunctionCall("f", "{\"a\"")))),
                null));
        a.add(chunk(
                delta(null, null, List.of(new ToolCall(0, null, null, new ToolCall.FunctionCall(null, ":1}")))), null));
        a.add(chunk(ChatChunk.Delta.EMPTY, "tool_calls"));
        a.add(new ChatChunk(
                "chatcmpl-9",
                ChatChunk.OBJECT,
                5L,
                "gpt-4o-mini-2024",
                null,
                null,
                List.of(),
                Usage.of(10, 5),
                null,
                null));
        ChatResponse r = a.build(null);
        assertThat(r).isNotNull();
        assertThat(r.model()).isEqualTo("gpt-4o-mini-2024");
        assertThat(r.systemFingerprint()).isEqualTo("fp_1");
        assertThat(r.usage().prompt()).isEqualTo(10);
        ChatResponse.Choice c = r.choices().get(0);
        assertThat(c.finishReason()).isEqualTo("tool_calls");
        assertThat(c.message().role()).isEqualTo("assistant");
        assertThat(c.message().text()).isEqualTo("Hello, world");
        assertThat(c.message().toolCalls()).containsExactly(ToolCall.function("call_1", "f", "{\"a\":1}"));
    }

    @Test
    void aStreamWithoutFinishReasonIsNotCacheable() {
        StreamAssembler a = new StreamAssembler();
        a.add(chunk(delta("assistant", "cut", null), null));
        assertThat(a.build(Usage.of(1, 1))).isNull();
        assertThat(new StreamAssembler().build(null)).as("nothing received").isNull();
    }

    @Test
    void logprobsAndHugeAnswersAreNotCacheable() {
        StreamAssembler a = new StreamAssembler();
        a.add(new ChatChunk(
                "x",
                ChatChunk.OBJECT,
                1L,
                "m",
                null,
                null,
                List.of(new ChatChunk.Choice(
                        0,
                        ChatChunk.Delta.content("a"),
                        Json.MAPPER.createObjectNode().putArray("content"),
                        "stop",
                        null)),
                null,
                null,
                null));
        assertThat(a.build(null)).isNull();
        StreamAssembler big = new StreamAssembler();
        big.add(chunk(delta("assistant", "x".repeat(StreamAssembler.MAX_CHARS + 1), null), "stop"));
        assertThat(big.build(null)).isNull();
    }

    @Test
    void fallbackUsageWhenTheStreamCarriedNone() {
        StreamAssembler a = new StreamAssembler();
        a.add(chunk(delta("assistant", "hi", null), "stop"));
        assertThat(a.build(Usage.of(2, 1)).usage().completion()).isEqualTo(1);
    }

    @Test
    void replayedChunksAssembleToTheSameAnswer() {
        StreamAssembler a = new StreamAssembler();
        a.add(chunk(delta("assistant", "Hello", null), null));
        a.add(chunk(
                delta(
                        null,
                        " there",
                        List.of(new ToolCall(0, "call_1", "function", new ToolCall.FunctionCall("f", "{}")))),
                null));
        a.add(chunk(ChatChunk.Delta.EMPTY, "stop"));
        ChatResponse stored = a.build(Usage.of(4, 2));

        List<ChatChunk> replay = Replay.chunks(stored, "chatcmpl-new", 99L, true, null);
        ChatChunk last = replay.get(replay.size() - 1);
        assertThat(last.isUsageOnly()).isTrue();
        assertThat(last.usage().completion()).isEqualTo(2);
        assertThat(replay).allSatisfy(c -> {
            assertThat(c.id()).isEqualTo("chatcmpl-new");
            assertThat(c.created()).isEqualTo(99L);
            assertThat(c.object()).isEqualTo("chat.completion.chunk");
        });
        StreamAssembler again = new StreamAssembler();
        replay.forEach(again::add);
        ChatResponse back = again.build(null);
        assertThat(Json.string(back.choices())).isEqualTo(Json.string(stored.choices()));
        assertThat(Replay.chunks(stored, "x", 1L, false, null)).noneMatch(ChatChunk::isUsageOnly);

        ChatResponse json = Replay.response(stored, "chatcmpl-json", 7L, null);
        assertThat(json.id()).isEqualTo("chatcmpl-json");
        assertThat(json.created()).isEqualTo(7L);
        assertThat(json.choices()).isEqualTo(stored.choices());
    }
}
