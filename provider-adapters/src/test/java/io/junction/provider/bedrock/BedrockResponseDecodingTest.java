package io.junction.provider.bedrock;

import static io.junction.provider.bedrock.BedrockTestSupport.ADAPTER;
import static io.junction.provider.bedrock.BedrockTestSupport.ID;
import static io.junction.provider.bedrock.BedrockTestSupport.NOVA;
import static io.junction.provider.bedrock.BedrockTestSupport.NOW;
import static io.junction.provider.bedrock.BedrockTestSupport.fixture;
import static io.junction.provider.bedrock.BedrockTestSupport.request;
import static io.junction.provider.bedrock.BedrockTestSupport.target;
import static io.junction.provider.bedrock.BedrockTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Converse responses (recorded ones from {@code fixtures/bedrock/}) to OpenAI chat completions. */
class BedrockResponseDecodingTest {

    private static ChatResponse decode(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            return ADAPTER.decodeResponse(
                    buf, request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), target());
        } finally {
            buf.release();
        }
    }

    private static ChatResponse decode(String body) {
        return decode(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordedTextResponseIsAnExactChatCompletion() {
        ChatResponse r = decode(fixture("converse.text.json"));
        assertThat(tree(Json.string(r)))
                .isEqualTo(tree("{\"id\":\"" + ID + "\",\"object\":\"chat.completion\","
                        + "\"created\":" + NOW.getEpochSecond() + ",\"model\":\"" + NOVA
                        + "\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":"
                        + Json.string(
                                "Let me count the \"r\"s in \"strawberry\":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\n"
                                        + "There are **3** \"r\"s in \"strawberry.\"")
                        + "},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":22,\"completion_tokens\":57,\"total_tokens\":79,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":0}}}"));
    }

    @Test
    void recordedReasoningResponseGivesReasoningContentWithoutTheSignature() {
        ChatResponse r = decode(fixture("converse.reasoning.json"));
        var message = r.choices().get(0).message();
        assertThat(message.reasoningContent())
                .isEqualTo("Let me count the r's in \"strawberry\":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r's.");
        assertThat(message.text()).isEqualTo("There are **3** r's in \"strawberry\":\n\n1. st**r**awbe**r****r**y");
        assertThat(message.toolCalls()).isNull();
        assertThat(Json.string(r)).doesNotContain("EvYBCkgICxABGAIqQA9E9VC377");
        assertThat(r.choices().get(0).finishReason()).isEqualTo("stop");
        Usage u = r.usage();
        assertThat(u.promptTokens()).isEqualTo(51);
        assertThat(u.completionTokens()).isEqualTo(78);
        assertThat(u.totalTokens()).isEqualTo(129);
    }

    @Test
    void recordedCacheReadUsageCountsCachedInputInThePrompt() {
        // inputTokens 2 excludes the 1322 tokens read from cache; Bedrock's totalTokens 1329 = 2 + 5 + 1322
        Usage u = decode(fixture("converse.cache-read.json")).usage();
        assertThat(u.promptTokens()).isEqualTo(2 + 1322 + 0);
        assertThat(u.completionTokens()).isEqualTo(5);
        assertThat(u.totalTokens()).isEqualTo(1329);
        assertThat(u.totalTokens())
                .isEqualTo(tree(fixture("converse.cache-read.json"))
                        .at("/usage/totalTokens")
                        .asInt());
        assertThat(u.promptTokensDetails().cachedTokens()).isEqualTo(1322);
        assertThat(u.promptTokensDetails().cacheWriteTokens()).isZero();
        assertThat(u.completionTokensDetails()).isNull();
    }

    @Test
    void cacheWriteTokensCountInThePromptToo() {
        // constructed: the shape of TokenUsage with a cache write
        Usage u = decode("""
                {"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn",
                 "usage":{"inputTokens":10,"outputTokens":3,"cacheReadInputTokens":100,"cacheWriteInputTokens":1000,
                          "totalTokens":1113}}""").usage();
        assertThat(u.promptTokens()).isEqualTo(1110);
        assertThat(u.totalTokens()).isEqualTo(1113);
        assertThat(u.promptTokensDetails().cachedTokens()).isEqualTo(100);
        assertThat(u.promptTokensDetails().cacheWriteTokens()).isEqualTo(1000);
    }

    @Test
    void toolUseBlocksBecomeToolCalls() {
        // constructed in the documented ConverseResponse shape (ids from the recorded stream)
        ChatResponse r = decode("""
                {"output":{"message":{"role":"assistant","content":[
                   {"toolUse":{"toolUseId":"tooluse_lAG_zP8QRHmSYOwZzzaCqA","name":"get_temperature","input":{"city":"Paris"}}},
                   {"toolUse":{"toolUseId":"tooluse_2","name":"now","input":{}}}]}},
                 "stopReason":"tool_use","usage":{"inputTokens":471,"outputTokens":91,"totalTokens":562}}""");
        assertThat(tree(Json.string(r.choices().get(0)))).isEqualTo(tree("""
                {"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                  {"id":"tooluse_lAG_zP8QRHmSYOwZzzaCqA","type":"function","function":{"name":"get_temperature","arguments":"{\\"city\\":\\"Paris\\"}"}},
                  {"id":"tooluse_2","type":"function","function":{"name":"now","arguments":"{}"}}]},
                 "logprobs":null,"finish_reason":"tool_calls"}"""));
    }

    @Test
    void jsonModeToolInputIsTheContent() {
        ChatResponse r = decode("""
                {"output":{"message":{"role":"assistant","content":[
                   {"toolUse":{"toolUseId":"t","name":"junction_json_response","input":{"temp":21.5}}}]}},
                 "stopReason":"tool_use","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""");
        assertThat(r.choices().get(0).message().text()).isEqualTo("{\"temp\":21.5}");
        assertThat(r.choices().get(0).message().toolCalls()).isNull();
        assertThat(r.choices().get(0).finishReason()).isEqualTo("stop");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "end_turn, stop",
        "stop_sequence, stop",
        "max_tokens, length",
        "model_context_window_exceeded, length",
        "tool_use, tool_calls",
        "guardrail_intervened, content_filter",
        "content_filtered, content_filter",
        "malformed_model_output, stop",
        "malformed_tool_use, stop",
        "something_new, stop",
    })
    void stopReasons(String stopReason, String finish) {
        assertThat(BedrockResponses.finishReason(stopReason, true)).isEqualTo(finish);
        ChatResponse r = decode("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"x\"}]}},"
                + "\"stopReason\":\"" + stopReason + "\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}");
        assertThat(r.choices().get(0).finishReason()).isEqualTo(finish);
    }

    @Test
    void emptyContentIsAnEmptyString() {
        ChatResponse r = decode(
                "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[]}},\"stopReason\":\"end_turn\"}");
        assertThat(r.choices().get(0).message().text()).isEmpty();
        assertThat(r.usage().totalTokens()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "{\"output\":{}}", "{\"message\":\"x\"}", ""})
    void malformedBodiesAre502s(String body) {
        assertThatThrownBy(() -> decode(body)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.code()).isEqualTo("bad_upstream_response");
            assertThat(e.retryable()).isTrue();
        });
    }
}
