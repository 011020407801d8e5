package io.junction.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What clients receive when Junction writes a response or chunk itself (non-OpenAI upstreams, the
 * mock, the re-encoded usage chunk): OpenAI SDKs read some keys unconditionally, so those must be
 * present even when null.
 */
class ResponseSerializationTest {

    private static JsonNode tree(Object value) throws IOException {
        return Json.MAPPER.readTree(Json.bytes(value));
    }

    @Test
    void aChunkAlwaysHasChoicesDeltaLogprobsAndFinishReason() throws IOException {
        ChatChunk chunk = new ChatChunk(
                "c1",
                ChatChunk.OBJECT,
                1L,
                "m",
                null,
                null,
                List.of(new ChatChunk.Choice(0, ChatChunk.Delta.EMPTY, null)),
                null,
                null,
                null);

        JsonNode json = tree(chunk);

        assertThat(json.get("object").asText()).isEqualTo("chat.completion.chunk");
        JsonNode choice = json.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("delta").isObject()).isTrue();
        assertThat(choice.get("delta")).isEmpty();
        assertThat(choice.has("logprobs")).isTrue();
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.has("finish_reason")).isTrue();
        assertThat(choice.get("finish_reason").isNull()).isTrue();
        assertThat(json.has("usage")).as("null usage is omitted").isFalse();
        assertThat(json.has("system_fingerprint")).isFalse();
    }

    @Test
    void theUsageChunkHasAnEmptyChoicesArrayAndItsExtraFields() throws IOException {
        ChatChunk usage = new ChatChunk("c1", ChatChunk.OBJECT, 1L, "m", null, null, null, Usage.of(3, 4), null, null)
                .withExtraFields(new ExtraFields(
                        "openai",
                        "fast",
                        "gpt-4o-mini",
                        12L,
                        java.util.List.of(
                                new ExtraFields.AttemptInfo("oai/gpt-4o-mini", 503, "upstream_unavailable", 5),
                                new ExtraFields.AttemptInfo("openai/gpt-4o-mini", 200, null, 7))));

        JsonNode json = tree(usage);

        assertThat(usage.isUsageOnly()).isTrue();
        assertThat(json.get("choices").isArray()).isTrue();
        assertThat(json.get("choices")).isEmpty();
        assertThat(json.at("/usage/total_tokens").asInt()).isEqualTo(7);
        assertThat(json.has("usage_only")).as("derived getters are not written").isFalse();
        JsonNode extra = json.get("extra_fields");
        assertThat(extra.get("provider").asText()).isEqualTo("openai");
        assertThat(extra.get("model_requested").asText()).isEqualTo("fast");
        assertThat(extra.get("model_used").asText()).isEqualTo("gpt-4o-mini");
        assertThat(extra.get("latency_ms").asLong()).isEqualTo(12);
        assertThat(extra.get("attempts")).hasSize(2);
        assertThat(extra.at("/attempts/0/target").asText()).isEqualTo("oai/gpt-4o-mini");
        assertThat(extra.at("/attempts/0/status").asInt()).isEqualTo(503);
        assertThat(extra.at("/attempts/0/error_code").asText()).isEqualTo("upstream_unavailable");
        assertThat(extra.at("/attempts/0/latency_ms").asLong()).isEqualTo(5);
        assertThat(extra.at("/attempts/1").has("error_code"))
                .as("null code omitted")
                .isFalse();
    }

    @Test
    void aResponseMessageAlwaysHasContentEvenWhenNull() throws IOException {
        ChatMessage toolCall = new ChatMessage(
                "assistant", null, null, List.of(ToolCall.function("call_1", "f", "{}")), null, null, null, null);
        ChatResponse r = new ChatResponse(
                "r1",
                "chat.completion",
                1L,
                "m",
                List.of(new ChatResponse.Choice(0, toolCall, null, "tool_calls", null)),
                Usage.of(1, 2),
                null,
                null,
                null,
                null);

        JsonNode json = tree(r);

        JsonNode message = json.at("/choices/0/message");
        assertThat(message.has("content")).isTrue();
        assertThat(message.get("content").isNull()).isTrue();
        assertThat(message.at("/tool_calls/0/id").asText()).isEqualTo("call_1");
        assertThat(message.at("/tool_calls/0").has("index")).isFalse();
        assertThat(json.at("/choices/0/logprobs").isNull()).isTrue();
        assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(json.has("extra_fields")).isFalse();
    }

    @Test
    void usageHelpersTreatMissingDetailsAsZero() {
        Usage bare = Usage.of(10, 5);
        Usage detailed = new Usage(
                10,
                5,
                15,
                new Usage.PromptTokensDetails(4, null, 2, null),
                new Usage.CompletionTokensDetails(3, null, null, null, null),
                null);

        assertThat(bare.totalTokens()).isEqualTo(15);
        assertThat(bare.cached()).isZero();
        assertThat(bare.reasoning()).isZero();
        assertThat(detailed.cached()).isEqualTo(4);
        assertThat(detailed.reasoning()).isEqualTo(3);
        assertThat(new Usage(null, null, null, null, null, null).prompt()).isZero();
        assertThat(new Usage(null, null, null, null, null, null).completion()).isZero();
    }

    @Test
    void unknownResponseFieldsSurviveARoundTrip() throws IOException {
        String json =
                "{\"id\":\"r\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"x\",\"annotations\":[{\"type\":\"url_citation\"}]},"
                        + "\"logprobs\":null,\"finish_reason\":\"stop\",\"content_filter_results\":{}}],"
                        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"future_detail\":1}},\"prompt_filter_results\":[]}";

        ChatResponse r = Json.MAPPER.readValue(json, ChatResponse.class);

        assertThat(tree(r)).isEqualTo(Json.MAPPER.readTree(json));
    }
}
