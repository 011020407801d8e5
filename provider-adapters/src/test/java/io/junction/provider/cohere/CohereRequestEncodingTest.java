package io.junction.provider.cohere;

import static io.junction.provider.cohere.CohereTestSupport.ADAPTER;
import static io.junction.provider.cohere.CohereTestSupport.encode;
import static io.junction.provider.cohere.CohereTestSupport.request;
import static io.junction.provider.cohere.CohereTestSupport.target;
import static io.junction.provider.cohere.CohereTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.transport.UpstreamRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OpenAI requests in, exact Cohere v2 chat requests (URL, headers, JSON) out. Request shapes follow
 * Cohere's v2 Chat API reference (docs.cohere.com/reference/chat) and the field list of Cohere's SDK
 * ({@code cohere-python} {@code v2/raw_client.py}); they are written here, not recorded.
 */
class CohereRequestEncodingTest {

    @Test
    void theTypeIsDiscoveredWithItsOption() {
        assertThat(ProviderRegistry.load().get("cohere")).isInstanceOf(CohereAdapter.class);
        assertThat(ADAPTER.type()).isEqualTo("cohere");
        assertThat(ADAPTER.optionKeys()).containsExactly("client_name");
        ADAPTER.validate(spec(Map.of("client_name", "junction")));
        assertThatThrownBy(() -> ADAPTER.validate(spec(Map.of("client_name", 3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client_name");
    }

    private static ProviderSpec spec(Map<String, Object> options) {
        return new ProviderSpec("cohere", null, "k", null, null, null, null, new LinkedHashMap<>(options));
    }

    // ---------------------------------------------------------------- URL and headers

    private static final String HI =
            "{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @ParameterizedTest
    @ValueSource(strings = {"", "https://api.cohere.com", "https://api.cohere.com/", "https://api.cohere.com/v2/"})
    void theUrlIsV2Chat(String base) {
        UpstreamRequest r = ADAPTER.encode(request(HI), target(base.isEmpty() ? null : base, "k", Map.of(), Map.of()));
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.uri().toString()).isEqualTo("https://api.cohere.com/v2/chat");
    }

    @Test
    void headersCarryBearerAuthTheClientNameAndConfiguredExtras() {
        UpstreamRequest r = ADAPTER.encode(
                request(HI.replace("]}", "],\"stream\":true}")),
                target(
                        "https://proxy.example/cohere",
                        "co-key-9",
                        Map.of("x-trace", "t1"),
                        Map.of("client_name", "junction")));
        assertThat(r.uri().toString()).isEqualTo("https://proxy.example/cohere/v2/chat");
        assertThat(r.headers())
                .containsExactly(
                        Map.entry("content-type", "application/json"),
                        Map.entry("accept", "text/event-stream"),
                        Map.entry("authorization", "Bearer co-key-9"),
                        Map.entry("x-client-name", "junction"),
                        Map.entry("x-trace", "t1"));
        assertThat(r.stream()).isTrue();
        assertThat(r.readTimeout()).isEqualTo(Duration.ofMillis(600_000));
        assertThat(r.toString()).doesNotContain("co-key-9");
        assertThat(ADAPTER.encode(request(HI), target(null, null, Map.of(), Map.of()))
                        .headers())
                .doesNotContainKey("authorization")
                .containsEntry("accept", "application/json");
    }

    // ---------------------------------------------------------------- bodies

    @Test
    void aMinimalRequest() {
        assertThat(encode(HI))
                .isEqualTo(
                        tree("{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                                + "\"stream\":false}"));
    }

    @Test
    void aFullConversationWithToolsTranslatesFieldByField() {
        String openai = """
                {"model":"command-a-03-2025","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"user","content":"Weather in Paris, and show this?"},
                  {"role":"developer","content":[{"type":"text","text":"Use metric units."}]},
                  {"role":"assistant","content":"Checking.","tool_calls":[
                     {"id":"get_weather_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                     {"id":"now_2","type":"function","function":{"name":"now","arguments":""}}]},
                  {"role":"tool","tool_call_id":"get_weather_1","content":"18C, sunny"},
                  {"role":"tool","tool_call_id":"now_2","content":[{"type":"text","text":"12:00"}]},
                  {"role":"assistant","content":"It is 18C.","reasoning_content":"easy"},
                  {"role":"user","name":"ann","content":[{"type":"text","text":"And this?"},
                     {"type":"image_url","image_url":{"url":"https://img.example/a.png","detail":"low"}}]}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city",
                    "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
                   {"type":"function","function":{"name":"now"}}],
                 "tool_choice":"required","parallel_tool_calls":false,
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"}}},
                 "max_completion_tokens":300,"max_tokens":999,"stop":["END"],"temperature":0.4,"seed":11,
                 "frequency_penalty":-0.5,"presence_penalty":1.5,"top_p":1.0,"top_k":40,"reasoning_effort":"low",
                 "stream":true,"stream_options":{"include_usage":true},"user":"u1","logit_bias":{"1":2},"logprobs":true,
                 "metadata":{"a":"b"},"fallbacks":["x/y"],"safety_mode":"STRICT",
                 "documents":[{"id":"d1","data":{"text":"Paris is in France."}}]}""";
        assertThat(encode(openai)).isEqualTo(tree("""
                        {"model":"command-a-03-2025","messages":[
                          {"role":"system","content":[{"type":"text","text":"You are terse."},
                                                      {"type":"text","text":"Use metric units."}]},
                          {"role":"user","content":"Weather in Paris, and show this?"},
                          {"role":"assistant","tool_plan":"Checking.","tool_calls":[
                             {"id":"get_weather_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                             {"id":"now_2","type":"function","function":{"name":"now","arguments":"{}"}}]},
                          {"role":"tool","tool_call_id":"get_weather_1","content":"18C, sunny"},
                          {"role":"tool","tool_call_id":"now_2","content":[{"type":"text","text":"12:00"}]},
                          {"role":"assistant","content":"It is 18C."},
                          {"role":"user","content":[{"type":"text","text":"And this?"},
                             {"type":"image_url","image_url":{"url":"https://img.example/a.png","detail":"low"}}]}],
                         "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city",
                            "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
                           {"type":"function","function":{"name":"now","parameters":{"type":"object","properties":{}}}}],
                         "tool_choice":"REQUIRED",
                         "response_format":{"type":"json_object","json_schema":{"type":"object"}},
                         "max_tokens":300,"stop_sequences":["END"],"temperature":0.4,"seed":11,
                         "frequency_penalty":0.0,"presence_penalty":1.0,"k":40,"p":0.99,
                         "thinking":{"type":"enabled"},"documents":[{"id":"d1","data":{"text":"Paris is in France."}}],
                         "safety_mode":"STRICT","stream":true}"""));
    }

    @Test
    void systemMessagesAnywhereBecomeOneLeadingSystemMessage() {
        assertThat(encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"system","content":"Be kind."}]}""").get("messages"))
                .isEqualTo(tree(
                        "[{\"role\":\"system\",\"content\":\"Be kind.\"},{\"role\":\"user\",\"content\":\"Hi\"}]"));
    }

    @Test
    void toolChoiceModes() {
        String tools =
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"parameters\":{\"type\":\"object\"}}},"
                        + "{\"type\":\"function\",\"function\":{\"name\":\"b\",\"parameters\":{\"type\":\"object\"}}}]";
        String base = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + tools;
        assertThat(encode(base + ",\"tool_choice\":\"none\"}")
                        .get("tool_choice")
                        .asText())
                .isEqualTo("NONE");
        assertThat(encode(base + ",\"tool_choice\":\"auto\"}").has("tool_choice"))
                .isFalse();
        assertThat(encode(base + "}").has("tool_choice")).isFalse();

        var named = encode(base + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"b\"}}}");
        assertThat(named.get("tool_choice").asText()).isEqualTo("REQUIRED");
        assertThat(named.get("tools")).hasSize(1);
        assertThat(named.at("/tools/0/function/name").asText()).isEqualTo("b");

        assertThatThrownBy(() ->
                        encode(base + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"zzz\"}}}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
        assertThatThrownBy(() -> encode(base + ",\"tool_choice\":{\"type\":\"allowed_tools\",\"allowed_tools\":"
                        + "{\"mode\":\"auto\",\"tools\":[]}}}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.status()).isEqualTo(400));
        // no tools: tool_choice has nothing to apply to
        assertThat(encode(
                                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"none\"}")
                        .has("tool_choice"))
                .isFalse();
    }

    @Test
    void strictToolsOnlyWhenEveryToolIsStrict() {
        String strict =
                "{\"type\":\"function\",\"function\":{\"name\":\"a\",\"strict\":true,\"parameters\":{\"type\":\"object\"}}}";
        String loose = "{\"type\":\"function\",\"function\":{\"name\":\"b\",\"parameters\":{\"type\":\"object\"}}}";
        String head = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[";
        assertThat(encode(head + strict + "]}").get("strict_tools").asBoolean()).isTrue();
        assertThat(encode(head + strict + "," + loose + "]}").has("strict_tools"))
                .isFalse();
        assertThat(encode(head + strict + "]}").at("/tools/0/function").has("strict"))
                .isFalse();
    }

    @Test
    void responseFormatsAndReasoning() {
        String head = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],";
        assertThat(encode(head + "\"response_format\":{\"type\":\"json_object\"}}")
                        .get("response_format"))
                .isEqualTo(tree("{\"type\":\"json_object\"}"));
        assertThat(encode(head + "\"response_format\":{\"type\":\"text\"}}").has("response_format"))
                .isFalse();
        assertThat(encode(head + "\"reasoning_effort\":\"none\"}").get("thinking"))
                .isEqualTo(tree("{\"type\":\"disabled\"}"));
        assertThat(encode(
                                head
                                        + "\"reasoning_effort\":\"high\",\"thinking\":{\"type\":\"enabled\",\"token_budget\":512}}")
                        .get("thinking"))
                .as("Cohere's own thinking object wins")
                .isEqualTo(tree("{\"type\":\"enabled\",\"token_budget\":512}"));
        assertThat(encode(head + "\"top_p\":0.0,\"max_tokens\":20}"))
                .isEqualTo(
                        tree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":20,"
                                + "\"p\":0.01,\"stream\":false}"));
    }

    @Test
    void emptyAssistantTurnsAreSkipped() {
        assertThat(encode("""
                        {"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":""},
                         {"role":"user","content":"b"}]}""").get("messages")).hasSize(2);
    }

    @Test
    void whatCohereCannotTakeIsRefusedNamingTheParameter() {
        String user = "{\"role\":\"user\",\"content\":\"x\"}";
        assertThatThrownBy(() -> encode("{\"model\":\"m\",\"messages\":[" + user + "],\"n\":2}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("n");
                });
        assertThatThrownBy(() -> encode(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\","
                                + "\"input_audio\":{\"data\":\"AAA\",\"format\":\"wav\"}}]}]}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("messages[0].content[0].type"));
        assertThatThrownBy(() -> encode(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"https://x/y.png\"}}]}," + user + "]}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("messages[0].content[0].type"));
        assertThatThrownBy(() -> encode("{\"model\":\"m\",\"messages\":[" + user + "],\"tools\":[{\"type\":\"custom\","
                        + "\"custom\":{\"name\":\"c\"}}]}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("tools[0].type"));
        assertThatThrownBy(() -> encode("{\"model\":\"m\",\"messages\":[" + user
                        + ",{\"role\":\"function\",\"name\":\"f\"," + "\"content\":\"r\"}]}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("messages[1].role"));
    }
}
