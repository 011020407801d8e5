package io.junction.provider.anthropic;

import static io.junction.provider.anthropic.AnthropicTestSupport.encode;
import static io.junction.provider.anthropic.AnthropicTestSupport.fixture;
import static io.junction.provider.anthropic.AnthropicTestSupport.request;
import static io.junction.provider.anthropic.AnthropicTestSupport.target;
import static io.junction.provider.anthropic.AnthropicTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI request JSON in, exact Anthropic request JSON out (compared as JSON trees, key order ignored). */
class AnthropicRequestEncodingTest {

    private static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
              "strict":true}}""";

    private static final String WEATHER_TOOL_ANTHROPIC = """
            {"name":"get_weather","description":"Weather for a city",
             "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}""";

    @Test
    void reproducesTheRecordedThinkingStreamRequest() {
        // fixtures/anthropic/message.thinking.stream.request.json is a real request pydantic-ai sent;
        // this is the OpenAI request that means the same thing
        JsonNode out = encode("""
                {"model":"claude-sonnet-4-0","stream":true,"reasoning_effort":"minimal","max_completion_tokens":4096,
                 "messages":[{"role":"user","content":"How do I cross the street?"}]}""");
        assertThat(out).isEqualTo(tree(fixture("message.thinking.stream.request.json")));
    }

    @Test
    void systemAndDeveloperMessagesBecomeTopLevelSystemAndSameRoleTurnsMerge() {
        JsonNode out = encode("""
                {"model":"claude-sonnet-4-5","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."},
                                                 {"type":"text","text":"Cite sources.","cache_control":{"type":"ephemeral"}}]},
                  {"role":"user","content":"Hi"},
                  {"role":"user","content":[{"type":"text","text":"Are you there?"}]},
                  {"role":"assistant","content":"Oui."},
                  {"role":"system","content":"Be kind."},
                  {"role":"user","content":"Merci"}]}""");
        assertThat(out).isEqualTo(tree("""
                        {"model":"claude-sonnet-4-5","max_tokens":4096,
                         "system":[{"type":"text","text":"You are terse."},
                                   {"type":"text","text":"Answer in French."},
                                   {"type":"text","text":"Cite sources.","cache_control":{"type":"ephemeral"}},
                                   {"type":"text","text":"Be kind."}],
                         "messages":[
                           {"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"Are you there?"}]},
                           {"role":"assistant","content":[{"type":"text","text":"Oui."}]},
                           {"role":"user","content":[{"type":"text","text":"Merci"}]}]}"""));
    }

    @Test
    void imagePartsBecomeBase64AndUrlImageBlocks() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"text","text":"Compare these."},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}""");
        assertThat(out.get("messages")).isEqualTo(tree("""
                        [{"role":"user","content":[
                          {"type":"text","text":"Compare these."},
                          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                          {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]"""));
    }

    @Test
    void cacheControlOnPartsAndToolsIsKept() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"image_url","image_url":{"url":"https://example.com/a.png"},"cache_control":{"type":"ephemeral"}},
                  {"type":"text","text":"Long document","cache_control":{"type":"ephemeral","ttl":"1h"}}]}],
                 "tools":[{"type":"function","function":{"name":"f"},"cache_control":{"type":"ephemeral"}}]}""");
        assertThat(out.at("/messages/0/content")).isEqualTo(tree("""
                        [{"type":"image","source":{"type":"url","url":"https://example.com/a.png"},"cache_control":{"type":"ephemeral"}},
                         {"type":"text","text":"Long document","cache_control":{"type":"ephemeral","ttl":"1h"}}]"""));
        assertThat(out.get("tools")).isEqualTo(tree("""
                        [{"name":"f","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}}]"""));
    }

    @Test
    void pdfFilePartBecomesADocumentBlock() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}}]}]}""");
        assertThat(out.at("/messages/0/content")).isEqualTo(tree("""
                        [{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}}]"""));
    }

    @ParameterizedTest(name = "tool_choice {0}, parallel_tool_calls {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "                                                     | | ",
                "\"auto\"                                             | | {\"type\":\"auto\"}",
                "\"none\"                                             | | {\"type\":\"none\"}",
                "\"required\"                                         | | {\"type\":\"any\"}",
                "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}} | | {\"type\":\"tool\",\"name\":\"get_weather\"}",
                "                                                     | false | {\"type\":\"auto\",\"disable_parallel_tool_use\":true}",
                "\"required\"                                         | false | {\"type\":\"any\",\"disable_parallel_tool_use\":true}",
                "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}} | false | {\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true}",
                "\"none\"                                             | false | {\"type\":\"none\"}",
                "\"auto\"                                             | true | {\"type\":\"auto\"}",
            })
    void toolsAndEachToolChoice(String toolChoice, String parallel, String expectedChoice) {
        String extra = (toolChoice == null ? "" : ",\"tool_choice\":" + toolChoice)
                + (parallel == null ? "" : ",\"parallel_tool_calls\":" + parallel);
        JsonNode out = encode("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"tools\":["
                + WEATHER_TOOL + ",{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]" + extra + "}");
        assertThat(out.get("tools"))
                .isEqualTo(tree("[" + WEATHER_TOOL_ANTHROPIC
                        + ",{\"name\":\"now\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}]"));
        if (expectedChoice == null) {
            assertThat(out.has("tool_choice")).isFalse();
        } else {
            assertThat(out.get("tool_choice")).isEqualTo(tree(expectedChoice));
        }
    }

    @Test
    void assistantToolCallsAndToolResultsRoundTrip() {
        JsonNode out = encode("""
                {"model":"m","tools":[%s],"messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":"Let me check.","reasoning_content":"Two cities, two calls.","tool_calls":[
                    {"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"toolu_01B","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\": \\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"toolu_01A","content":"18C, sunny"},
                  {"role":"tool","tool_call_id":"toolu_01B","content":[{"type":"text","text":"22C, cloudy"}]},
                  {"role":"user","content":"Thanks! Which is warmer?"},
                  {"role":"assistant","content":"","tool_calls":[
                    {"id":"toolu_01C","type":"function","function":{"name":"now","arguments":""}}]},
                  {"role":"tool","tool_call_id":"toolu_01C","content":""}]}""".formatted(WEATHER_TOOL));
        assertThat(out.get("messages")).isEqualTo(tree("""
                        [{"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
                         {"role":"assistant","content":[
                           {"type":"text","text":"Let me check."},
                           {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}},
                           {"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{"city":"Rome"}}]},
                         {"role":"user","content":[
                           {"type":"tool_result","tool_use_id":"toolu_01A","content":"18C, sunny"},
                           {"type":"tool_result","tool_use_id":"toolu_01B","content":[{"type":"text","text":"22C, cloudy"}]},
                           {"type":"text","text":"Thanks! Which is warmer?"}]},
                         {"role":"assistant","content":[{"type":"tool_use","id":"toolu_01C","name":"now","input":{}}]},
                         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01C"}]}]"""));
    }

    @Test
    void toolResultsMoveAheadOfUserTextInOneTurn() {
        JsonNode out = encode("""
                {"model":"m","messages":[
                  {"role":"user","content":"Go"},
                  {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  {"role":"user","content":"also this"},
                  {"role":"tool","tool_call_id":"t1","content":"done"}]}""");
        assertThat(out.at("/messages/2/content")).isEqualTo(tree("""
                        [{"type":"tool_result","tool_use_id":"t1","content":"done"},{"type":"text","text":"also this"}]"""));
    }

    @Test
    void samplingStopAndUserAreTranslatedAndUnsupportedParametersDropped() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"max_tokens":300,
                 "temperature":1.7,"top_p":0.9,"top_k":40,"stop":["END","\\n\\nHuman:"],"user":"user-42",
                 "seed":7,"presence_penalty":0.5,"frequency_penalty":0.5,"logit_bias":{"50256":-100},
                 "logprobs":true,"top_logprobs":3,"store":true,"metadata":{"team":"a"},"service_tier":"auto",
                 "prompt_cache_key":"k","verbosity":"low","modalities":["text"],"n":1,
                 "fallbacks":["x/y"],"session_id":"s1","tags":["t"]}""");
        assertThat(out).isEqualTo(tree("""
                        {"model":"m","max_tokens":300,
                         "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],
                         "temperature":1.0,"top_p":0.9,"top_k":40,"stop_sequences":["END","\\n\\nHuman:"],
                         "metadata":{"user_id":"user-42"}}"""));
    }

    @Test
    void singleStopStringAndSafetyIdentifierAndStream() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"stop":"END","safety_identifier":"hash-1",
                 "temperature":0.3,"stream":true,"stream_options":{"include_usage":true}}""");
        assertThat(out).isEqualTo(tree("""
                        {"model":"m","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],
                         "temperature":0.3,"stop_sequences":["END"],"metadata":{"user_id":"hash-1"},"stream":true}"""));
    }

    @ParameterizedTest(name = "{0} with options {1} -> max_tokens {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "                                                 |      | 4096",
                ",\"max_tokens\":500                                |      | 500",
                ",\"max_tokens\":500,\"max_completion_tokens\":700 |      | 700",
                "                                                 | 1000 | 1000",
                ",\"max_completion_tokens\":64                     | 1000 | 64",
            })
    void maxTokensFromRequestElseDefault(String fields, Integer defaultMax, int expected) {
        Map<String, Object> options = defaultMax == null ? Map.of() : Map.of("default_max_tokens", defaultMax);
        JsonNode out = encode(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]"
                        + (fields == null ? "" : fields) + "}",
                target(options));
        assertThat(out.get("max_tokens").intValue()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "reasoning_effort {0} -> budget {1}")
    @CsvSource({"minimal, 1024", "low, 2048", "medium, 8192", "high, 16384", "xhigh, 32768", "max, 64000"})
    void reasoningEffortBecomesThinkingWithRoomForTheAnswer(String effort, int budget) {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"%s",
                 "temperature":0.2,"top_p":0.5,"top_k":5}""".formatted(effort));
        assertThat(out.get("thinking")).isEqualTo(tree("{\"type\":\"enabled\",\"budget_tokens\":" + budget + "}"));
        // no max in the request: the default is left for the answer, on top of the budget
        assertThat(out.get("max_tokens").intValue()).isEqualTo(4096 + budget);
        // Anthropic rejects temperature, top_k and top_p < 0.95 with thinking: they are dropped
        assertThat(out.has("temperature")).isFalse();
        assertThat(out.has("top_p")).isFalse();
        assertThat(out.has("top_k")).isFalse();
    }

    @Test
    void reasoningEffortNoneSendsNoThinking() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"none","temperature":0.2}""");
        assertThat(out.has("thinking")).isFalse();
        assertThat(out.get("max_tokens").intValue()).isEqualTo(4096);
        assertThat(out.get("temperature").doubleValue()).isEqualTo(0.2);
    }

    @Test
    void thinkingBudgetStaysBelowTheClientsMaxTokens() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"high",
                 "max_completion_tokens":3000,"top_p":0.97}""");
        assertThat(out.get("max_tokens").intValue()).isEqualTo(3000);
        assertThat(out.get("thinking")).isEqualTo(tree("{\"type\":\"enabled\",\"budget_tokens\":2999}"));
        assertThat(out.get("top_p").doubleValue()).isEqualTo(0.97);

        JsonNode tooSmall = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"low","max_tokens":1024}""");
        assertThat(tooSmall.get("max_tokens").intValue()).isEqualTo(1024);
        assertThat(tooSmall.has("thinking"))
                .as("no room for the 1024-token minimum budget")
                .isFalse();
    }

    @Test
    void thinkingBudgetsOptionOverridesDefaults() {
        JsonNode out =
                encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"high"}""", target(Map.of("thinking_budgets", Map.of("high", 20000), "default_max_tokens", 2000)));
        assertThat(out.get("thinking")).isEqualTo(tree("{\"type\":\"enabled\",\"budget_tokens\":20000}"));
        assertThat(out.get("max_tokens").intValue()).isEqualTo(22000);
    }

    @Test
    void noThinkingWhenToolUseIsForcedOrATurnOfToolUseContinues() {
        JsonNode forced = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"low",
                 "tools":[%s],"tool_choice":"required"}""".formatted(WEATHER_TOOL));
        assertThat(forced.has("thinking")).isFalse();
        assertThat(forced.get("tool_choice")).isEqualTo(tree("{\"type\":\"any\"}"));

        JsonNode continuing = encode("""
                {"model":"m","reasoning_effort":"low","tools":[%s],"messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"t1","content":"sunny"}]}""".formatted(WEATHER_TOOL));
        assertThat(continuing.has("thinking")).isFalse();

        JsonNode newTurn = encode("""
                {"model":"m","reasoning_effort":"low","tools":[%s],"messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"t1","content":"sunny"},
                  {"role":"assistant","content":"Sunny."},
                  {"role":"user","content":"Thanks"}]}""".formatted(WEATHER_TOOL));
        assertThat(newTurn.get("thinking")).isEqualTo(tree("{\"type\":\"enabled\",\"budget_tokens\":2048}"));
    }

    @Test
    void jsonSchemaBecomesAForcedTool() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Forecast?"}],"reasoning_effort":"low",
                 "response_format":{"type":"json_schema","json_schema":{"name":"weather","description":"A forecast",
                   "schema":{"type":"object","properties":{"temp":{"type":"number"}},"required":["temp"],
                             "additionalProperties":false},"strict":true}}}""");
        assertThat(out).isEqualTo(tree("""
                        {"model":"m","max_tokens":4096,
                         "messages":[{"role":"user","content":[{"type":"text","text":"Forecast?"}]}],
                         "tools":[{"name":"junction_json_response",
                                   "description":"Respond to the user by calling this tool: its input is the response, a JSON object following the schema 'weather': A forecast",
                                   "input_schema":{"type":"object","properties":{"temp":{"type":"number"}},"required":["temp"],
                                                   "additionalProperties":false}}],
                         "tool_choice":{"type":"tool","name":"junction_json_response"}}"""));
    }

    @Test
    void jsonObjectBecomesAForcedToolWithAnOpenSchema() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"JSON please"}],"response_format":{"type":"json_object"}}""");
        assertThat(out.get("tools")).isEqualTo(tree("""
                        [{"name":"junction_json_response",
                          "description":"Respond to the user by calling this tool: its input is the response, a JSON object.",
                          "input_schema":{"type":"object"}}]"""));
        assertThat(out.get("tool_choice")).isEqualTo(tree("{\"type\":\"tool\",\"name\":\"junction_json_response\"}"));

        JsonNode text = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"text"}}""");
        assertThat(text.has("tools")).isFalse();
        assertThat(text.has("tool_choice")).isFalse();
    }

    @Test
    void jsonModeWithClientToolsLetsTheModelPickAnyTool() {
        String base = """
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[%s],%s
                 "response_format":{"type":"json_object"}}""";
        JsonNode auto = encode(base.formatted(WEATHER_TOOL, ""));
        assertThat(auto.get("tools")).hasSize(2);
        assertThat(auto.at("/tools/0/name").asText()).isEqualTo("get_weather");
        assertThat(auto.at("/tools/1/name").asText()).isEqualTo("junction_json_response");
        assertThat(auto.get("tool_choice")).isEqualTo(tree("{\"type\":\"any\"}"));

        JsonNode named = encode(base.formatted(
                WEATHER_TOOL, "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"));
        assertThat(named.get("tool_choice")).isEqualTo(tree("{\"type\":\"tool\",\"name\":\"get_weather\"}"));

        JsonNode none = encode(base.formatted(WEATHER_TOOL, "\"tool_choice\":\"none\","));
        assertThat(none.get("tool_choice")).isEqualTo(tree("{\"type\":\"tool\",\"name\":\"junction_json_response\"}"));
    }

    @Test
    void nAboveOneIsRejectedNamingN() {
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"}],"n":2}""")).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.type()).isEqualTo("invalid_request_error");
            assertThat(e.param()).isEqualTo("n");
        });
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{nope\"}}]}"
                        + " | messages[1].tool_calls[0].function.arguments",
                "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}"
                        + " | messages[1].tool_calls[0].function.arguments",
                "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://x/y.png\"}}]}"
                        + " | messages[1].content[0].image_url.url",
                "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,abc\"}}]}"
                        + " | messages[1].content[0].image_url.url",
                "{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"x\",\"format\":\"wav\"}}]}"
                        + " | messages[1].content[0].type",
                "{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}"
                        + " | messages[1].content[0].type",
                "{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}"
                        + " | messages[1].content[0].file",
            })
    void untranslatableMessagesAreRejectedNamingTheParam(String message, String param) {
        assertThatThrownBy(() -> encode(
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}," + message + "]}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo(param);
                });
    }

    @Test
    void untranslatableToolsAreRejected() {
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"}],
                         "tools":[{"type":"custom","custom":{"name":"x"}}]}""")).isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param())
                .isEqualTo("tools[0].type"));
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"}],
                         "tools":[{"type":"function","function":{"name":"junction_json_response"}}]}""")).isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param())
                .isEqualTo("tools[0].function.name"));
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[%s],
                         "tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}}}""".formatted(WEATHER_TOOL)))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
    }

    @Test
    void requestRecordIsNotModified() {
        var r = request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");
        AnthropicTestSupport.ADAPTER.encode(r, target());
        assertThat(r.streamOptions()).isNull();
        assertThat(r.extra()).isEmpty();
    }
}
