package io.junction.provider.gemini;

import static io.junction.provider.gemini.GeminiTestSupport.ADAPTER;
import static io.junction.provider.gemini.GeminiTestSupport.encode;
import static io.junction.provider.gemini.GeminiTestSupport.fixture;
import static io.junction.provider.gemini.GeminiTestSupport.request;
import static io.junction.provider.gemini.GeminiTestSupport.target;
import static io.junction.provider.gemini.GeminiTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI request JSON in, exact Gemini request JSON out (compared as JSON trees, key order ignored). */
class GeminiRequestEncodingTest {

    private static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],
                            "additionalProperties":false},
              "strict":true}}""";

    private static final String WEATHER_DECLARATION = """
            {"name":"get_weather","description":"Weather for a city",
             "parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],
                                     "additionalProperties":false}}""";

    /** The google-genai SDK sent proto field names (snake_case); the API takes both spellings. */
    private static JsonNode camelKeys(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                StringBuilder key = new StringBuilder();
                boolean up = false;
                for (char c : e.getKey().toCharArray()) {
                    if (c == '_') {
                        up = true;
                    } else {
                        key.append(up ? Character.toUpperCase(c) : c);
                        up = false;
                    }
                }
                out.set(key.toString(), camelKeys(e.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(camelKeys(n)));
            return out;
        }
        return node;
    }

    @Test
    void reproducesTheRecordedFunctionCallStreamRequest() {
        // fixtures/google/stream-generate-content.function-call.request.json is a real request the
        // google-genai SDK sent (for pydantic-ai); this is the OpenAI request that means the same thing.
        // The only differences are spelling: the SDK wrote parameters_json_schema, Junction writes the
        // lowerCamelCase JSON name parametersJsonSchema, so the fixture's keys are camel-cased first.
        JsonNode out = encode("""
                {"model":"gemini-3-pro-preview","stream":true,"modalities":["text"],
                 "messages":[{"role":"user","content":"What is the capital of the user country? Call the tool"}],
                 "tools":[{"type":"function","function":{"name":"get_country","description":"",
                   "parameters":{"additionalProperties":false,"properties":{},"type":"object"}}}]}""");
        JsonNode recorded = tree(fixture("stream-generate-content.function-call.request.json"));
        assertThat(recorded.at("/tools/0/functionDeclarations/0").has("parameters_json_schema"))
                .isTrue();
        assertThat(out).isEqualTo(camelKeys(recorded));
    }

    @Test
    void systemAndDeveloperMessagesBecomeSystemInstructionAndSameRoleTurnsMerge() {
        JsonNode out = encode("""
                {"model":"gemini-2.5-flash","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."},{"type":"text","text":""}]},
                  {"role":"user","content":"Hi"},
                  {"role":"user","content":[{"type":"text","text":"Are you there?"}]},
                  {"role":"assistant","content":"Oui."},
                  {"role":"assistant","content":""},
                  {"role":"system","content":"Be kind."},
                  {"role":"user","content":"Merci"}]}""");
        assertThat(out).isEqualTo(tree("""
                        {"systemInstruction":{"parts":[{"text":"You are terse."},{"text":"Answer in French."},
                                                        {"text":"Be kind."}]},
                         "contents":[
                           {"role":"user","parts":[{"text":"Hi"},{"text":"Are you there?"}]},
                           {"role":"model","parts":[{"text":"Oui."}]},
                           {"role":"user","parts":[{"text":"Merci"}]}]}"""));
    }

    @Test
    void toolCallAndToolResultRoundTripWithNamesRecoveredFromTheCallIds() {
        JsonNode out = encode("""
                {"model":"gemini-2.5-flash","tools":[%s],"messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":"Let me check.","reasoning_content":"Two cities, two calls.","tool_calls":[
                    {"id":"call_A","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"call_B","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\": \\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_A","content":"{\\"temp_c\\": 18, \\"sky\\": \\"sunny\\"}"},
                  {"role":"tool","tool_call_id":"call_B","content":[{"type":"text","text":"22C, cloudy"}]},
                  {"role":"user","content":"Thanks! What time is it?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_C","type":"function","function":{"name":"now","arguments":""}}]},
                  {"role":"tool","tool_call_id":"call_C","content":"[\\"12:00\\"]"},
                  {"role":"tool","tool_call_id":"legacy","name":"now","content":""}]}""".formatted(WEATHER_TOOL));
        assertThat(out.get("contents")).isEqualTo(tree("""
                        [{"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
                         {"role":"model","parts":[
                           {"text":"Let me check."},
                           {"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
                           {"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}]},
                         {"role":"user","parts":[
                           {"functionResponse":{"name":"get_weather","response":{"temp_c":18,"sky":"sunny"}}},
                           {"functionResponse":{"name":"get_weather","response":{"result":"22C, cloudy"}}},
                           {"text":"Thanks! What time is it?"}]},
                         {"role":"model","parts":[{"functionCall":{"name":"now","args":{}}}]},
                         {"role":"user","parts":[
                           {"functionResponse":{"name":"now","response":{"result":"[\\"12:00\\"]"}}},
                           {"functionResponse":{"name":"now","response":{"result":""}}}]}]"""));
        assertThat(out.get("tools")).isEqualTo(tree("[{\"functionDeclarations\":[" + WEATHER_DECLARATION + "]}]"));
        assertThat(out.toString()).as("reasoning_content is not sent back").doesNotContain("Two cities");
    }

    @Test
    void toolContentIsAnObjectOnlyWhenItIsExactlyOneJsonObject() {
        JsonNode out = encode("""
                {"model":"m","messages":[
                  {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}},
                                                    {"id":"t2","type":"function","function":{"name":"g","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"t1","content":"  {\\"ok\\":true}\\n"},
                  {"role":"tool","tool_call_id":"t2","content":"{\\"ok\\":true} and more"}]}""");
        assertThat(out.at("/contents/1/parts")).isEqualTo(tree("""
                        [{"functionResponse":{"name":"f","response":{"ok":true}}},
                         {"functionResponse":{"name":"g","response":{"result":"{\\"ok\\":true} and more"}}}]"""));
    }

    @Test
    void functionResponsesComeFirstInTheirUserTurn() {
        JsonNode out = encode("""
                {"model":"m","messages":[
                  {"role":"user","content":"Go"},
                  {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  {"role":"user","content":"also this"},
                  {"role":"tool","tool_call_id":"t1","content":"done"}]}""");
        assertThat(out.at("/contents/2/parts")).isEqualTo(tree("""
                        [{"functionResponse":{"name":"f","response":{"result":"done"}}},{"text":"also this"}]"""));
    }

    @ParameterizedTest(name = "{0}: placeholder {1}")
    @CsvSource({
        "gemini-3-pro-preview, auto, true",
        "models/gemini-3.1-flash, auto, true",
        "gemini-10-ultra, auto, true",
        "gemini-2.5-pro, auto, false",
        "gemma-3-27b-it, auto, false",
        "gemini-2.5-pro, always, true",
        "gemini-3-pro-preview, never, false"
    })
    void replayedFunctionCallsGetThePlaceholderSignatureOnGemini3(String model, String mode, boolean expected) {
        String json = """
                {"model":"%s","messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","tool_calls":[
                    {"id":"a","type":"function","function":{"name":"w","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"b","type":"function","function":{"name":"w","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"a","content":"sunny"},
                  {"role":"tool","tool_call_id":"b","content":"rain"}]}""".formatted(model);
        JsonNode out = tree(ADAPTER.encode(
                        request(json),
                        target(null, "k", Map.of(), Map.of("thought_signature_placeholder", mode), model))
                .body());
        JsonNode parts = out.at("/contents/1/parts");
        if (expected) {
            assertThat(parts.get(0).get("thoughtSignature").asText()).isEqualTo("skip_thought_signature_validator");
        } else {
            assertThat(parts.get(0).has("thoughtSignature")).isFalse();
        }
        assertThat(parts.get(1).has("thoughtSignature"))
                .as("only the first call of a step carries one")
                .isFalse();
    }

    @Test
    void imagesAudioAndFilesBecomeInlineDataOrFileData() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"text","text":"Compare these."},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.webp?size=2"}},
                  {"type":"image_url","image_url":{"url":"https://example.com/photos/7"}},
                  {"type":"image_url","image_url":{"url":"HTTPS://example.com/doc.PDF"}},
                  {"type":"image_url","image_url":{"url":"gs://bucket/dog.jpeg"}},
                  {"type":"image_url","image_url":{"url":"https://www.youtube.com/watch?v=9hE5-98ZeCg"}},
                  {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
                  {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}}]}]}""");
        assertThat(out.at("/contents/0/parts")).isEqualTo(tree("""
                        [{"text":"Compare these."},
                         {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
                         {"fileData":{"mimeType":"image/webp","fileUri":"https://example.com/cat.webp?size=2"}},
                         {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/photos/7"}},
                         {"fileData":{"mimeType":"application/pdf","fileUri":"HTTPS://example.com/doc.PDF"}},
                         {"fileData":{"mimeType":"image/jpeg","fileUri":"gs://bucket/dog.jpeg"}},
                         {"fileData":{"fileUri":"https://www.youtube.com/watch?v=9hE5-98ZeCg"}},
                         {"inlineData":{"mimeType":"audio/wav","data":"UklGRg=="}},
                         {"inlineData":{"mimeType":"application/pdf","data":"JVBERi0x"}}]"""));
    }

    @ParameterizedTest(name = "tool_choice {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "                                                     | ",
                "\"auto\"                                             | {\"mode\":\"AUTO\"}",
                "\"none\"                                             | {\"mode\":\"NONE\"}",
                "\"required\"                                         | {\"mode\":\"ANY\"}",
                "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}} | {\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}",
            })
    void toolsAndEachToolChoice(String toolChoice, String expected) {
        String extra = toolChoice == null ? "" : ",\"tool_choice\":" + toolChoice;
        JsonNode out = encode("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"tools\":["
                + WEATHER_TOOL + ",{\"type\":\"function\",\"function\":{\"name\":\"now\"}}],"
                + "\"parallel_tool_calls\":false" + extra + "}");
        assertThat(out.get("tools"))
                .isEqualTo(tree("[{\"functionDeclarations\":[" + WEATHER_DECLARATION + ",{\"name\":\"now\"}]}]"));
        if (expected == null) {
            assertThat(out.has("toolConfig")).isFalse();
        } else {
            assertThat(out.get("toolConfig")).isEqualTo(tree("{\"functionCallingConfig\":" + expected + "}"));
        }
    }

    @Test
    void toolChoiceWithoutToolsSendsNothing() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"tool_choice":"none"}""");
        assertThat(out.has("tools")).isFalse();
        assertThat(out.has("toolConfig")).isFalse();
    }

    @Test
    void openApiSchemaModeConvertsToolParameters() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[%s,
                  {"type":"function","function":{"name":"now","parameters":{"type":"object","properties":{},"additionalProperties":false}}},
                  {"type":"function","function":{"name":"find","parameters":{
                    "$schema":"http://json-schema.org/draft-07/schema#","type":"object",
                    "properties":{"q":{"type":["string","null"],"format":"email"},"k":{"type":"integer","format":"int32","exclusiveMinimum":0}},
                    "required":["q","missing"]}}}]}""".formatted(WEATHER_TOOL), target(Map.of("schema_mode", "openapi")));
        assertThat(out.get("tools")).isEqualTo(tree("""
                        [{"functionDeclarations":[
                          {"name":"get_weather","description":"Weather for a city",
                           "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
                          {"name":"now"},
                          {"name":"find","parameters":{"type":"object",
                             "properties":{"q":{"type":"string","nullable":true},"k":{"type":"integer","format":"int32"}},
                             "required":["q"]}}]}]"""));
    }

    @Test
    void generationConfigMapsEverySamplingParameter() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"max_tokens":300,
                 "temperature":1.7,"top_p":0.9,"top_k":40,"stop":["END","\\n\\nHuman:"],"n":2,"seed":7,
                 "presence_penalty":0.5,"frequency_penalty":-0.25,"logprobs":true,"top_logprobs":3,
                 "user":"user-42","logit_bias":{"50256":-100},"store":true,"metadata":{"team":"a"},
                 "service_tier":"auto","prompt_cache_key":"k","verbosity":"low","parallel_tool_calls":true,
                 "stream":true,"stream_options":{"include_usage":true},"fallbacks":["x/y"],"session_id":"s1","tags":["t"]}""");
        assertThat(out).isEqualTo(tree("""
                        {"contents":[{"role":"user","parts":[{"text":"Hi"}]}],
                         "generationConfig":{"stopSequences":["END","\\n\\nHuman:"],"candidateCount":2,
                           "maxOutputTokens":300,"temperature":1.7,"topP":0.9,"topK":40,"seed":7,
                           "presencePenalty":0.5,"frequencyPenalty":-0.25,"responseLogprobs":true,"logprobs":3}}"""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                ",\"max_tokens\":500                                | 500",
                ",\"max_tokens\":500,\"max_completion_tokens\":700 | 700",
                ",\"stop\":\"END\"                                   | ",
            })
    void maxOutputTokensFromMaxCompletionTokensElseMaxTokens(String fields, Integer expected) {
        JsonNode out = encode("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + fields + "}");
        if (expected == null) {
            assertThat(out.at("/generationConfig/maxOutputTokens").isMissingNode())
                    .isTrue();
            assertThat(out.at("/generationConfig/stopSequences")).isEqualTo(tree("[\"END\"]"));
        } else {
            assertThat(out.at("/generationConfig/maxOutputTokens").intValue()).isEqualTo(expected);
        }
    }

    @Test
    void plainRequestHasNoGenerationConfig() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"stream":true,"response_format":{"type":"text"}}""");
        assertThat(out).isEqualTo(tree("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]}"));
    }

    @Test
    void jsonObjectAndJsonSchemaModes() {
        JsonNode object = encode("""
                {"model":"m","messages":[{"role":"user","content":"JSON please"}],"response_format":{"type":"json_object"}}""");
        assertThat(object.get("generationConfig")).isEqualTo(tree("{\"responseMimeType\":\"application/json\"}"));

        String schemaRequest = """
                {"model":"m","messages":[{"role":"user","content":"Forecast?"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,
                   "schema":{"type":"object","properties":{"temp":{"type":"number"},"city":{"type":"string"}},
                             "required":["temp","city"],"additionalProperties":false}}}}""";
        JsonNode jsonSchema = encode(schemaRequest);
        assertThat(jsonSchema.get("generationConfig")).isEqualTo(tree("""
                        {"responseMimeType":"application/json",
                         "responseJsonSchema":{"type":"object","properties":{"temp":{"type":"number"},"city":{"type":"string"}},
                                               "required":["temp","city"],"additionalProperties":false}}"""));

        JsonNode openApi = encode(schemaRequest, target(Map.of("schema_mode", "openapi")));
        assertThat(openApi.get("generationConfig")).isEqualTo(tree("""
                        {"responseMimeType":"application/json",
                         "responseSchema":{"type":"object","properties":{"temp":{"type":"number"},"city":{"type":"string"}},
                                           "required":["temp","city"],"propertyOrdering":["temp","city"]}}"""));
    }

    @ParameterizedTest(name = "reasoning_effort {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "none    | {\"thinkingBudget\":0}",
                "minimal | {\"thinkingBudget\":512,\"includeThoughts\":true}",
                "low     | {\"thinkingBudget\":1024,\"includeThoughts\":true}",
                "medium  | {\"thinkingBudget\":8192,\"includeThoughts\":true}",
                "high    | {\"thinkingBudget\":24576,\"includeThoughts\":true}",
                "xhigh   | {\"thinkingBudget\":24576,\"includeThoughts\":true}",
                "max     | {\"thinkingBudget\":24576,\"includeThoughts\":true}",
            })
    void reasoningEffortBecomesThinkingConfig(String effort, String expected) {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"%s","temperature":0.2}""".formatted(effort));
        assertThat(out.get("generationConfig"))
                .isEqualTo(tree("{\"temperature\":0.2,\"thinkingConfig\":" + expected + "}"));
    }

    @Test
    void thinkingBudgetsOptionTakesBudgetsAndGemini3Levels() {
        Map<String, Object> options =
                Map.of("thinking_budgets", Map.of("none", "minimal", "high", "high", "low", -1, "medium", 3000));
        String base =
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"reasoning_effort\":\"%s\"}";
        assertThat(encode(base.formatted("high"), target(options)).at("/generationConfig/thinkingConfig"))
                .isEqualTo(tree("{\"thinkingLevel\":\"high\",\"includeThoughts\":true}"));
        assertThat(encode(base.formatted("none"), target(options)).at("/generationConfig/thinkingConfig"))
                .isEqualTo(tree("{\"thinkingLevel\":\"minimal\",\"includeThoughts\":true}"));
        assertThat(encode(base.formatted("low"), target(options)).at("/generationConfig/thinkingConfig"))
                .isEqualTo(tree("{\"thinkingBudget\":-1,\"includeThoughts\":true}"));
        assertThat(encode(base.formatted("medium"), target(options)).at("/generationConfig/thinkingConfig"))
                .isEqualTo(tree("{\"thinkingBudget\":3000,\"includeThoughts\":true}"));
        assertThat(encode(base.formatted("minimal"), target(options)).at("/generationConfig/thinkingConfig"))
                .as("efforts not configured keep their default")
                .isEqualTo(tree("{\"thinkingBudget\":512,\"includeThoughts\":true}"));
    }

    @Test
    void cachedContentExtensionFieldNamesAnExplicitCache() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Hi"}],"cached_content":"cachedContents/abc123"}""");
        assertThat(out.get("cachedContent").asText()).isEqualTo("cachedContents/abc123");
    }

    @Test
    void safetySettingsAreSentAsConfigured() {
        JsonNode out = encode(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                target(Map.of(
                        "safety_settings",
                        List.of(
                                Map.of("category", "HARM_CATEGORY_HARASSMENT", "threshold", "BLOCK_ONLY_HIGH"),
                                Map.of("category", "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold", "OFF")))));
        assertThat(out.get("safetySettings")).isEqualTo(tree("""
                        [{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"},
                         {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","threshold":"OFF"}]"""));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{nope\"}}]}"
                        + " | messages[1].tool_calls[0].function.arguments",
                "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}"
                        + " | messages[1].tool_calls[0].function.arguments",
                "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{} {}\"}}]}"
                        + " | messages[1].tool_calls[0].function.arguments",
                "{\"role\":\"tool\",\"tool_call_id\":\"unknown\",\"content\":\"x\"}" + " | messages[1].tool_call_id",
                "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://x/y.png\"}}]}"
                        + " | messages[1].content[0].image_url.url",
                "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,abc\"}}]}"
                        + " | messages[1].content[0].image_url.url",
                "{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"format\":\"wav\"}}]}"
                        + " | messages[1].content[0].input_audio",
                "{\"role\":\"user\",\"content\":[{\"type\":\"refusal\",\"refusal\":\"no\"}]}"
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
                    assertThat(e.type()).isEqualTo("invalid_request_error");
                    assertThat(e.param()).isEqualTo(param);
                });
    }

    @Test
    void untranslatableToolsModalitiesAndToolChoicesAreRejected() {
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"}],
                         "tools":[{"type":"custom","custom":{"name":"x"}}]}""")).isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param())
                .isEqualTo("tools[0].type"));
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[%s],
                         "tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}}}""".formatted(WEATHER_TOOL)))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"}],"modalities":["text","audio"]}""")).isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.param())
                .isEqualTo("modalities"));
    }

    @Test
    void requestRecordIsNotModified() {
        var r = request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");
        ADAPTER.encode(r, target());
        assertThat(r.streamOptions()).isNull();
        assertThat(r.extra()).isEmpty();
    }
}
