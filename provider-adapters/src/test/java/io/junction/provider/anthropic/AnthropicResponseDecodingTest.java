package io.junction.provider.anthropic;

import static io.junction.provider.anthropic.AnthropicTestSupport.ADAPTER;
import static io.junction.provider.anthropic.AnthropicTestSupport.NOW;
import static io.junction.provider.anthropic.AnthropicTestSupport.fixture;
import static io.junction.provider.anthropic.AnthropicTestSupport.target;
import static io.junction.provider.anthropic.AnthropicTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Non-streamed Anthropic messages (recorded in {@code fixtures/anthropic/}) to OpenAI chat completions. */
class AnthropicResponseDecodingTest {

    private static ChatResponse decode(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            ChatResponse r = ADAPTER.decodeResponse(buf, target());
            assertThat(buf.refCnt())
                    .as("the caller keeps ownership of the body")
                    .isEqualTo(1);
            return r;
        } finally {
            buf.release();
        }
    }

    private static ChatResponse decode(String body) {
        return decode(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertUsage(Usage u, int prompt, int completion, int cached, int written) {
        assertThat(u.promptTokens()).isEqualTo(prompt);
        assertThat(u.completionTokens()).isEqualTo(completion);
        assertThat(u.totalTokens()).isEqualTo(prompt + completion);
        assertThat(u.promptTokensDetails().cachedTokens()).isEqualTo(cached);
        assertThat(u.promptTokensDetails().cacheWriteTokens()).isEqualTo(written);
    }

    @Test
    void recordedTextMessage() {
        ChatResponse r = decode(fixture("message.text.json"));
        assertThat(r.id()).isEqualTo("msg_01VdEjxAP5ahtHKrrRdNBteQ");
        assertThat(r.object()).isEqualTo("chat.completion");
        assertThat(r.created()).isEqualTo(NOW);
        assertThat(r.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(r.choices()).hasSize(1);
        ChatResponse.Choice c = r.choices().get(0);
        assertThat(c.index()).isZero();
        assertThat(c.finishReason()).isEqualTo("stop");
        ChatMessage m = c.message();
        assertThat(m.role()).isEqualTo("assistant");
        assertThat(m.text())
                .isEqualTo("Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I"
                        + " can help you with?");
        assertThat(m.toolCalls()).isNull();
        assertThat(m.reasoningContent()).isNull();
        assertUsage(r.usage(), 12, 29, 0, 0);

        // and the exact OpenAI JSON a client receives
        assertThat(tree(Json.string(r))).isEqualTo(tree("""
                        {"id":"msg_01VdEjxAP5ahtHKrrRdNBteQ","object":"chat.completion","created":%d,
                         "model":"claude-sonnet-4-5-20250929",
                         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?"},
                                     "logprobs":null,"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":12,"completion_tokens":29,"total_tokens":41,
                                  "prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":0}}}""".formatted(NOW)));
    }

    @Test
    void recordedTextAndToolUseMessage() {
        ChatResponse r = decode(fixture("message.text-and-tool-use.json"));
        assertThat(r.id()).isEqualTo("msg_01GCBaV8gyWAYgMVggRqZbuQ");
        assertThat(r.model()).isEqualTo("claude-3-opus-20240229");
        ChatResponse.Choice c = r.choices().get(0);
        assertThat(c.finishReason()).isEqualTo("tool_calls");
        assertThat(c.message().text())
                .startsWith("<thinking>\nThe updateIssueList tool was provided")
                .endsWith("Okay, I will update the current issue list:");
        assertThat(c.message().toolCalls())
                .containsExactly(ToolCall.function("toolu_01LRmxn9vGM1d2DZSDBowdZ1", "updateIssueList", "{}"));
        assertUsage(r.usage(), 602, 93, 0, 0);
    }

    @Test
    void recordedThinkingMessage() {
        ChatResponse r = decode(fixture("message.thinking.json"));
        assertThat(r.id()).isEqualTo("msg_01XrsJCi8CQoLcnnWdY8RsJz");
        ChatResponse.Choice c = r.choices().get(0);
        assertThat(c.finishReason()).isEqualTo("stop");
        assertThat(c.message().reasoningContent()).isEqualTo("925 divided by 5 = 185");
        assertThat(c.message().text()).isEqualTo("925 ÷ 5 = 185");
        assertThat(c.message().toolCalls()).isNull();
        assertUsage(r.usage(), 69, 33, 0, 0);
        // the beta-only context_management field and the signature are not passed on
        String json = Json.string(r);
        assertThat(json)
                .doesNotContain("context_management")
                .doesNotContain("signature")
                .doesNotContain("Er4BCkYI");
    }

    @Test
    void toolInputBecomesCompactArgumentsAndCacheUsageAddsUp() {
        ChatResponse r = decode("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city": "Paris", "days": [1, 2]}},
                            {"type":"tool_use","id":"toolu_2","name":"now","input":{}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":100,"cache_creation_input_tokens":10,"cache_read_input_tokens":55096,
                          "output_tokens":40,"output_tokens_details":{"thinking_tokens":12}}}""");
        ChatMessage m = r.choices().get(0).message();
        assertThat(m.content())
                .as("no text: content is null next to tool calls")
                .isNull();
        assertThat(m.toolCalls())
                .containsExactly(
                        ToolCall.function("toolu_1", "get_weather", "{\"city\":\"Paris\",\"days\":[1,2]}"),
                        ToolCall.function("toolu_2", "now", "{}"));
        assertThat(r.choices().get(0).finishReason()).isEqualTo("tool_calls");
        assertUsage(r.usage(), 100 + 10 + 55096, 40, 55096, 10);
        assertThat(r.usage().completionTokensDetails().reasoningTokens()).isEqualTo(12);
    }

    @Test
    void jsonModeToolInputBecomesTheContent() {
        ChatResponse r = decode("""
                {"id":"msg_2","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"tool_use","id":"toolu_J","name":"junction_json_response","input":{"temp":21.5}}],
                 "stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":7}}""");
        ChatResponse.Choice c = r.choices().get(0);
        assertThat(c.message().text()).isEqualTo("{\"temp\":21.5}");
        assertThat(c.message().toolCalls()).isNull();
        assertThat(c.finishReason()).isEqualTo("stop");
        assertUsage(r.usage(), 5, 7, 0, 0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "end_turn, stop",
        "stop_sequence, stop",
        "max_tokens, length",
        "model_context_window_exceeded, length",
        "tool_use, tool_calls",
        "pause_turn, stop",
        "refusal, content_filter",
        "something_new, stop",
        "null, stop"
    })
    void stopReasons(String stopReason, String finish) {
        String sr = "null".equals(stopReason) ? "null" : "\"" + stopReason + "\"";
        ChatResponse r = decode("""
                {"id":"msg_3","type":"message","role":"assistant","model":"claude-x",
                 "content":[{"type":"text","text":"x"}],"stop_reason":%s,"usage":{"input_tokens":1,"output_tokens":1}}""".formatted(sr));
        assertThat(r.choices().get(0).finishReason()).isEqualTo(finish);
    }

    @Test
    void emptyContentIsAnEmptyString() {
        ChatResponse r = decode("""
                {"id":"msg_4","type":"message","role":"assistant","model":"claude-x","content":[],
                 "stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":0}}""");
        assertThat(r.choices().get(0).message().text()).isEmpty();
        assertThat(r.choices().get(0).message().content()).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "{\"id\":\"msg\",\"type\":\"message\"}", "\"text\""})
    void malformedBodiesAre502s(String body) {
        assertThatThrownBy(() -> decode(body)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.code()).isEqualTo("bad_upstream_response");
            assertThat(e.getMessage()).startsWith("Provider 'anthropic' returned a body that is not a message");
            assertThat(e.getCause()).isNull();
        });
    }

    @Test
    void anErrorBodyWithStatus200IsMappedAsAnError() {
        assertThatThrownBy(() -> decode(
                        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("Overloaded");
                });
    }
}
