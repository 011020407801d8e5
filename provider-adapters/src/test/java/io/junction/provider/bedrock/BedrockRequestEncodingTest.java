package io.junction.provider.bedrock;

import static io.junction.provider.bedrock.BedrockTestSupport.ADAPTER;
import static io.junction.provider.bedrock.BedrockTestSupport.CLAUDE;
import static io.junction.provider.bedrock.BedrockTestSupport.encode;
import static io.junction.provider.bedrock.BedrockTestSupport.fixture;
import static io.junction.provider.bedrock.BedrockTestSupport.request;
import static io.junction.provider.bedrock.BedrockTestSupport.target;
import static io.junction.provider.bedrock.BedrockTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.transport.UpstreamRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI request JSON in, exact Converse request JSON out (compared as JSON trees, key order ignored). */
class BedrockRequestEncodingTest {

    private static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
              "strict":true}}""";

    private static final String WEATHER_TOOL_BEDROCK = """
            {"toolSpec":{"name":"get_weather","description":"Weather for a city",
             "inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}}""";

    private static final String HI = "[{\"role\":\"user\",\"content\":\"Hi\"}]";

    @Test
    void reproducesTheRecordedConverseStreamRequest() {
        // fixtures/bedrock/converse-stream.tool-use.request.json is the real request pydantic-ai sent to
        // POST .../model/us.amazon.nova-micro-v1%3A0/converse-stream; this is the OpenAI request meaning the same
        String openAi = """
                {"model":"us.amazon.nova-micro-v1:0","stream":true,"top_p":0.5,
                 "messages":[{"role":"system","content":"You are a helpful chatbot."},
                             {"role":"user","content":"What is the temperature of the capital of France?"}],
                 "tools":[
                   {"type":"function","function":{"name":"get_capital","description":"Get the capital of a country.",
                     "parameters":{"properties":{"country":{"description":"The country name.","title":"Country","type":"string"}},
                                   "required":["country"],"type":"object","additionalProperties":false}}},
                   {"type":"function","function":{"name":"get_temperature","description":"Get the temperature in a city.",
                     "parameters":{"properties":{"city":{"description":"The city name.","title":"City","type":"string"}},
                                   "required":["city"],"type":"object","additionalProperties":false}}}]}""";
        UpstreamRequest up = ADAPTER.encode(request(openAi), target(BedrockTestSupport.NOVA));
        assertThat(tree(up.body())).isEqualTo(tree(fixture("converse-stream.tool-use.request.json")));
        assertThat(up.uri())
                .hasToString(
                        "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse-stream");
        assertThat(up.stream()).isTrue();
    }

    @Test
    void systemAndDeveloperBecomeSystemBlocksAndSameRoleTurnsMerge() {
        JsonNode out = encode("""
                {"model":"m","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."},
                                                 {"type":"text","text":"Long rules","cache_control":{"type":"ephemeral","ttl":"1h"}}]},
                  {"role":"user","content":"Hi"},
                  {"role":"user","content":[{"type":"text","text":"Are you there?"},{"type":"text","text":""}]},
                  {"role":"assistant","content":"Oui."},
                  {"role":"assistant","content":""},
                  {"role":"system","content":"Be kind."},
                  {"role":"user","content":"Merci"}]}""");
        assertThat(out).isEqualTo(tree("""
                {"system":[{"text":"You are terse."},{"text":"Answer in French."},{"text":"Long rules"},
                           {"cachePoint":{"type":"default","ttl":"1h"}},{"text":"Be kind."}],
                 "messages":[
                   {"role":"user","content":[{"text":"Hi"},{"text":"Are you there?"}]},
                   {"role":"assistant","content":[{"text":"Oui."}]},
                   {"role":"user","content":[{"text":"Merci"}]}]}"""));
    }

    @Test
    void inferenceConfigFromMaxTokensTemperatureTopPAndStop() {
        JsonNode out = encode(
                "{\"model\":\"m\",\"messages\":" + HI
                        + ",\"max_completion_tokens\":300,\"max_tokens\":999,\"temperature\":1.6,\"top_p\":0.9,"
                        + "\"stop\":[\"END\",\"\"],\"seed\":7,\"presence_penalty\":0.5,\"user\":\"u1\",\"metadata\":{\"k\":\"v\"}}");
        assertThat(out).isEqualTo(tree("""
                {"messages":[{"role":"user","content":[{"text":"Hi"}]}],
                 "inferenceConfig":{"maxTokens":300,"temperature":1.0,"topP":0.9,"stopSequences":["END"]}}"""));
        assertThat(encode("{\"model\":\"m\",\"messages\":" + HI + ",\"max_tokens\":50,\"stop\":\"###\"}")
                        .get("inferenceConfig"))
                .isEqualTo(tree("{\"maxTokens\":50,\"stopSequences\":[\"###\"]}"));
        assertThat(encode("{\"model\":\"m\",\"messages\":" + HI + "}").has("inferenceConfig"))
                .isFalse();
    }

    @Test
    void imagesAreInlineBytesAndImageUrlsAreRefusedNamingTheParam() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
                  {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"},"cache_control":{"type":"ephemeral"}}]}]}""");
        assertThat(out.get("messages")).isEqualTo(tree("""
                [{"role":"user","content":[
                  {"text":"What is this?"},
                  {"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}},
                  {"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQ"}}},
                  {"cachePoint":{"type":"default"}}]}]"""));

        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"user","content":[
                          {"type":"text","text":"x"},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}""")).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isEqualTo("messages[1].content[1].image_url.url");
            assertThat(e.getMessage()).contains("cannot fetch image URLs");
        });
        assertThatThrownBy(() -> encode("""
                        {"model":"m","messages":[{"role":"user","content":[
                          {"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}]}""")).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.param()).isEqualTo("messages[0].content[0].image_url.url");
            assertThat(e.getMessage()).contains("got 'image/bmp'");
        });
    }

    @Test
    void filePartsBecomeDocumentBlocks() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"file","file":{"filename":"Q3 report (final).v2.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}},
                  {"type":"file","file":{"file_data":"data:text/csv;base64,YSxi"}}]}]}""");
        assertThat(out.at("/messages/0/content")).isEqualTo(tree("""
                [{"document":{"format":"pdf","name":"Q3 report (final) v2","source":{"bytes":"JVBERi0x"}}},
                 {"document":{"format":"csv","name":"document-2","source":{"bytes":"YSxi"}}}]"""));
    }

    @Test
    void toolRoundTripBecomesToolUseAndMergedToolResults() {
        JsonNode out = encode("{\"model\":\"m\",\"tools\":[" + WEATHER_TOOL + "],\"messages\":[" + """
                {"role":"user","content":"Weather in Paris and Rome?"},
                {"role":"assistant","content":"","reasoning_content":"thinking...","tool_calls":[
                  {"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                  {"id":"tooluse_2","type":"function","function":{"name":"get_weather","arguments":""}}]},
                {"role":"tool","tool_call_id":"tooluse_1","content":"18C"},
                {"role":"tool","tool_call_id":"tooluse_2","content":[{"type":"text","text":"21C"}]},
                {"role":"user","content":"Thanks"}]}""");
        assertThat(out).isEqualTo(tree("""
                {"messages":[
                  {"role":"user","content":[{"text":"Weather in Paris and Rome?"}]},
                  {"role":"assistant","content":[
                    {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris"}}},
                    {"toolUse":{"toolUseId":"tooluse_2","name":"get_weather","input":{}}}]},
                  {"role":"user","content":[
                    {"toolResult":{"toolUseId":"tooluse_1","content":[{"text":"18C"}]}},
                    {"toolResult":{"toolUseId":"tooluse_2","content":[{"text":"21C"}]}},
                    {"text":"Thanks"}]}],
                 "toolConfig":{"tools":[""" + WEATHER_TOOL_BEDROCK + "]}}"));
    }

    @ParameterizedTest(name = "tool_choice {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "                                                          | {\"tools\":[T,N]}",
                "\"auto\"                                                  | {\"tools\":[T,N],\"toolChoice\":{\"auto\":{}}}",
                "\"required\"                                              | {\"tools\":[T,N],\"toolChoice\":{\"any\":{}}}",
                "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}  | {\"tools\":[T,N],\"toolChoice\":{\"tool\":{\"name\":\"now\"}}}",
                "\"none\"                                                  | ",
            })
    void eachToolChoice(String toolChoice, String expectedToolConfig) {
        JsonNode out = encode("{\"model\":\"m\",\"messages\":" + HI + ",\"parallel_tool_calls\":false,\"tools\":["
                + WEATHER_TOOL + ",{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]"
                + (toolChoice == null ? "" : ",\"tool_choice\":" + toolChoice) + "}");
        if (expectedToolConfig == null) {
            assertThat(out.has("toolConfig")).isFalse();
        } else {
            String now =
                    "{\"toolSpec\":{\"name\":\"now\",\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{}}}}}";
            assertThat(out.get("toolConfig"))
                    .isEqualTo(tree(expectedToolConfig
                            .replace("T", WEATHER_TOOL_BEDROCK)
                            .replace("N", now)));
        }
    }

    @Test
    void toolChoiceNoneKeepsTheToolsWhenTheHistoryHasToolBlocks() {
        JsonNode out = encode(
                "{\"model\":\"m\",\"tool_choice\":\"none\",\"tools\":[" + WEATHER_TOOL + "],\"messages\":[" + """
                {"role":"user","content":"Weather?"},
                {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                {"role":"tool","tool_call_id":"t1","content":"sunny"}]}""");
        assertThat(out.get("toolConfig")).isEqualTo(tree("{\"tools\":[" + WEATHER_TOOL_BEDROCK + "]}"));
    }

    @Test
    void toolCacheControlAddsACachePointAfterTheTool() {
        JsonNode out = encode("{\"model\":\"m\",\"messages\":" + HI
                + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":\"\"},"
                + "\"cache_control\":{\"type\":\"ephemeral\"}}]}");
        assertThat(out.at("/toolConfig/tools")).isEqualTo(tree("""
                [{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object","properties":{}}}}},
                 {"cachePoint":{"type":"default"}}]"""));
    }

    @Test
    void jsonSchemaBecomesAForcedToolAndJsonObjectAnOpenOne() {
        JsonNode out = encode("""
                {"model":"m","messages":[{"role":"user","content":"Weather?"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,
                   "schema":{"type":"object","properties":{"temp":{"type":"number"}},"required":["temp"]}}}}""");
        assertThat(out.get("toolConfig")).isEqualTo(tree("""
                {"tools":[{"toolSpec":{"name":"junction_json_response",
                   "description":"Respond to the user by calling this tool: its input is the response, a JSON object following the schema 'weather'.",
                   "inputSchema":{"json":{"type":"object","properties":{"temp":{"type":"number"}},"required":["temp"]}}}}],
                 "toolChoice":{"tool":{"name":"junction_json_response"}}}"""));

        JsonNode withTools = encode("{\"model\":\"m\",\"messages\":" + HI + ",\"tools\":[" + WEATHER_TOOL
                + "],\"response_format\":{\"type\":\"json_object\"}}");
        assertThat(withTools.at("/toolConfig/toolChoice")).isEqualTo(tree("{\"any\":{}}"));
        assertThat(withTools.at("/toolConfig/tools/1/toolSpec/inputSchema/json"))
                .isEqualTo(tree("{\"type\":\"object\"}"));

        assertThatThrownBy(() -> encode("{\"model\":\"m\",\"messages\":" + HI
                        + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"junction_json_response\"}}]}"))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.param()).isEqualTo("tools[0].function.name"));
    }

    @Test
    void reasoningEffortIsAnthropicThinkingForClaudeModels() {
        JsonNode out = encode(
                "{\"model\":\"m\",\"messages\":" + HI
                        + ",\"reasoning_effort\":\"low\",\"temperature\":0.2,\"top_p\":0.5,\"top_k\":5}",
                CLAUDE);
        assertThat(out).isEqualTo(tree("""
                {"messages":[{"role":"user","content":[{"text":"Hi"}]}],
                 "inferenceConfig":{"maxTokens":6144},
                 "additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":2048}}}"""));

        // the client's max counts the thinking; the budget shrinks to fit, top_p >= 0.95 stays
        JsonNode capped = encode(
                "{\"model\":\"m\",\"messages\":" + HI
                        + ",\"reasoning_effort\":\"high\",\"max_completion_tokens\":5000,\"top_p\":0.95}",
                "anthropic.claude-3-7-sonnet-20250219-v1:0");
        assertThat(capped.get("inferenceConfig")).isEqualTo(tree("{\"maxTokens\":5000,\"topP\":0.95}"));
        assertThat(capped.at("/additionalModelRequestFields/thinking/budget_tokens")
                        .asInt())
                .isEqualTo(4999);

        // no room for the minimum budget; none; forced tool: no thinking, top_k passes
        assertThat(encode(
                                "{\"model\":\"m\",\"messages\":" + HI
                                        + ",\"reasoning_effort\":\"high\",\"max_tokens\":800,\"top_k\":5}",
                                CLAUDE)
                        .get("additionalModelRequestFields"))
                .isEqualTo(tree("{\"top_k\":5}"));
        assertThat(encode("{\"model\":\"m\",\"messages\":" + HI + ",\"reasoning_effort\":\"none\"}", CLAUDE)
                        .has("additionalModelRequestFields"))
                .isFalse();
        assertThat(encode(
                                "{\"model\":\"m\",\"messages\":" + HI + ",\"reasoning_effort\":\"low\",\"tools\":["
                                        + WEATHER_TOOL + "],\"tool_choice\":\"required\"}",
                                CLAUDE)
                        .has("additionalModelRequestFields"))
                .isFalse();
    }

    @Test
    void reasoningEffortAndTopKAreDroppedForOtherModels() {
        JsonNode out = encode("{\"model\":\"m\",\"messages\":" + HI
                + ",\"reasoning_effort\":\"high\",\"top_k\":5,\"temperature\":0.3}");
        assertThat(out).isEqualTo(tree("""
                {"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"temperature":0.3}}"""));
    }

    @Test
    void thinkingIsNotEnabledWhenContinuingAToolTurn() {
        JsonNode out = encode(
                "{\"model\":\"m\",\"reasoning_effort\":\"low\",\"tools\":[" + WEATHER_TOOL + "],\"messages\":[" + """
                {"role":"user","content":"Weather?"},
                {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                {"role":"tool","tool_call_id":"t1","content":"sunny"}]}""",
                CLAUDE);
        assertThat(out.has("additionalModelRequestFields")).isFalse();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]} | n",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{}}]}]} | messages[0].content[0].type",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AA==\"}}]}]} | messages[0].content[0].type",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]} | messages[0].tool_calls[0].function.arguments",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]} | messages[0].content[0].file",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"allowed_tools\",\"allowed_tools\":{}}} | tool_choice",
            })
    void unsupportedInputsAre400sNamingTheParam(String json, String param) {
        assertThatThrownBy(() -> encode(json)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.type()).isEqualTo("invalid_request_error");
            assertThat(e.param()).isEqualTo(param);
        });
    }
}
