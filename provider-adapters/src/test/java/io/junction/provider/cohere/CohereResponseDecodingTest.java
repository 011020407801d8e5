package io.junction.provider.cohere;

import static io.junction.provider.cohere.CohereTestSupport.ADAPTER;
import static io.junction.provider.cohere.CohereTestSupport.NOW;
import static io.junction.provider.cohere.CohereTestSupport.fixture;
import static io.junction.provider.cohere.CohereTestSupport.request;
import static io.junction.provider.cohere.CohereTestSupport.target;
import static io.junction.provider.cohere.CohereTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Cohere v2 chat responses in, exact OpenAI chat completions out. The {@code fixtures/cohere/*.json}
 * bodies are recordings (see SOURCES.md); bodies written inline here are constructed in the
 * documented shape and say so.
 */
class CohereResponseDecodingTest {

    private static ChatResponse decode(byte[] json) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer(json.length).writeBytes(json);
        try {
            ChatResponse r = ADAPTER.decodeResponse(
                    body, request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), target());
            assertThat(body.readerIndex()).as("the body is not consumed").isZero();
            return r;
        } finally {
            body.release();
        }
    }

    private static JsonNode openAi(String fixture) {
        return tree(Json.string(decode(fixture(fixture))));
    }

    private static String completion(String id, String message, String finish, String usage) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":" + NOW
                + ",\"model\":\"command-a-03-2025\",\"choices\":[{\"index\":0,\"message\":" + message
                + ",\"logprobs\":null,\"finish_reason\":\"" + finish + "\"}],\"usage\":" + usage + "}";
    }

    @Test
    void recordedText() {
        assertThat(openAi("chat.text.json"))
                .isEqualTo(tree(completion(
                        "e7592632-1e3d-424f-b129-bd5f9f980f7b",
                        "{\"role\":\"assistant\",\"content\":\"The capital of France is Paris.\"}",
                        "stop",
                        "{\"prompt_tokens\":507,\"completion_tokens\":10,\"total_tokens\":517,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":448}}")));
    }

    @Test
    void recordedToolCallsWithTheToolPlanAsContent() {
        assertThat(openAi("chat.tool-calls.json"))
                .isEqualTo(tree(completion(
                        "f201af17-e24a-4396-8f6a-98e8bf9c3432",
                        "{\"role\":\"assistant\",\"content\":\"I will use the weather tool to find out the weather in San"
                                + " Francisco. I will also use the cityAttractions tool to find out what attractions are"
                                + " in San Francisco.\",\"tool_calls\":["
                                + "{\"id\":\"weather_dqgshstja6p9\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
                                + "\"arguments\":\"{\\\"location\\\":\\\"San Francisco\\\"}\"}},"
                                + "{\"id\":\"cityAttractions_dcxfx4myvx68\",\"type\":\"function\",\"function\":"
                                + "{\"name\":\"cityAttractions\",\"arguments\":\"{\\\"city\\\":\\\"San Francisco\\\"}\"}}]}",
                        "tool_calls",
                        "{\"prompt_tokens\":1549,\"completion_tokens\":103,\"total_tokens\":1652,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":992}}")));
    }

    @Test
    void recordedToolWithoutArguments() {
        JsonNode r = openAi("chat.tool-call-no-args.json");
        assertThat(r.at("/choices/0/message/tool_calls/0/function/arguments").asText())
                .isEqualTo("{}");
        assertThat(r.at("/choices/0/message/tool_calls/0/function/name").asText())
                .isEqualTo("currentTime");
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    }

    @Test
    void recordedReasoning() {
        assertThat(openAi("chat.reasoning.json"))
                .isEqualTo(tree(completion(
                        "53bcb235-5179-4a91-a578-cb372b5430bc",
                        "{\"role\":\"assistant\",\"content\":\"2 + 2 = 4\",\"reasoning_content\":\"Okay, so I need to figure"
                                + " out what 2 + 2 is. Let me start by recalling what addition means.\"}",
                        "stop",
                        "{\"prompt_tokens\":1394,\"completion_tokens\":582,\"total_tokens\":1976,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":1344}}")));
    }

    @Test
    void recordedMaxTokensIsLength() {
        JsonNode r = openAi("chat.max-tokens.json");
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(r.at("/choices/0/message/content").asText()).isEqualTo("**The History of");
    }

    // ---------------------------------------------------------------- constructed bodies

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void billedUnitsAreTheFallbackAndNullArgumentsBecomeAnEmptyObject() {
        // constructed: usage with billed_units only; a tool call whose arguments are null
        ChatResponse r = decode(body("""
                {"id":"x1","message":{"role":"assistant","tool_calls":[{"id":"t1","type":"function",
                  "function":{"name":"now","arguments":null}}]},"finish_reason":"TOOL_CALL",
                 "usage":{"billed_units":{"input_tokens":5,"output_tokens":2}}}"""));
        assertThat(r.usage().promptTokens()).isEqualTo(5);
        assertThat(r.usage().completionTokens()).isEqualTo(2);
        assertThat(r.usage().promptTokensDetails()).isNull();
        assertThat(r.choices().get(0).message().toolCalls().get(0).function().arguments())
                .isEqualTo("{}");
        assertThat(r.choices().get(0).message().content())
                .as("no text, tool calls: null content")
                .isNull();
    }

    @Test
    void stopSequenceIsStopAndUnknownReasonsAreStop() {
        // constructed
        assertThat(decode(body("{\"id\":\"a\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
                                + "\"text\":\"x\"}]},\"finish_reason\":\"STOP_SEQUENCE\"}"))
                        .choices()
                        .get(0)
                        .finishReason())
                .isEqualTo("stop");
        ChatResponse empty =
                decode(body("{\"id\":\"a\",\"message\":{\"role\":\"assistant\"},\"finish_reason\":\"NEW_REASON\"}"));
        assertThat(empty.choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(empty.choices().get(0).message().text()).isEmpty();
        assertThat(empty.usage()).isNull();
    }

    @Test
    void aFailedGenerationIsARetryableError() {
        // constructed: finish_reason ERROR and TIMEOUT as Cohere's ChatFinishReason enum lists them
        assertThatThrownBy(() -> decode(body("{\"id\":\"a\",\"message\":{\"role\":\"assistant\",\"content\":[]},"
                        + "\"finish_reason\":\"ERROR\"}")))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.code()).isEqualTo("upstream_generation_error");
                    assertThat(e.retryable()).isTrue();
                });
        assertThatThrownBy(() -> decode(
                        body("{\"id\":\"a\",\"message\":{\"role\":\"assistant\"},\"finish_reason\":\"TIMEOUT\"}")))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(504);
                    assertThat(e.retryable()).isTrue();
                });
    }

    @Test
    void aBodyThatIsNotAChatResponseIsA502() {
        for (String bad : new String[] {"not json", "[1]", "{\"id\":\"a\"}", "null"}) {
            assertThatThrownBy(() -> decode(body(bad))).as(bad).isInstanceOfSatisfying(GatewayException.class, e -> {
                assertThat(e.status()).isEqualTo(502);
                assertThat(e.code()).isEqualTo("bad_upstream_response");
            });
        }
    }
}
