package io.junction.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockModelTest {

    private static ChatRequest parse(String json) {
        try {
            return Json.MAPPER.readValue(json, ChatRequest.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ChatRequest ask(String userText) {
        return new ChatRequest.Builder()
                .model("m")
                .messages(List.of(ChatMessage.of("user", userText)))
                .build();
    }

    private static final String WEATHER_TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{"
            + "\"city\":{\"type\":\"string\"},"
            + "\"days\":{\"type\":\"integer\"},"
            + "\"metric\":{\"type\":\"boolean\"},"
            + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
            + "\"where\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\"},\"name\":{\"type\":[\"string\",\"null\"]}}},"
            + "\"kind\":{\"const\":\"forecast\"},"
            + "\"nothing\":{\"type\":\"null\"}"
            + "},\"required\":[\"city\"]}}}";

    private static final String TIME_TOOL =
            "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\",\"properties\":{\"tz\":{\"type\":\"string\"}}}}}";

    // ---------------------------------------------------------------- echo

    @Test
    void echoesTheLastUserMessage() {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"first question\"},"
                + "{\"role\":\"assistant\",\"content\":\"first answer\"},"
                + "{\"role\":\"user\",\"content\":\"second question here\"},"
                + "{\"role\":\"assistant\",\"content\":\"not this\"}]}");

        MockModel.Answer a = MockModel.answer(r);

        assertThat(a.content()).isEqualTo("second question here");
        assertThat(a.toolCalls()).isNull();
        assertThat(a.finishReason()).isEqualTo("stop");
    }

    @Test
    void usageCountsWordsPlusOnePerMessage() {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"be brief\"}," // 2 words + 1
                + "{\"role\":\"user\",\"content\":\"  three  little   words \"}]}"); // 3 words + 1

        MockModel.Answer a = MockModel.answer(r);

        assertThat(a.usage().promptTokens()).isEqualTo(7);
        assertThat(a.usage().completionTokens()).isEqualTo(3);
        assertThat(a.usage().totalTokens()).isEqualTo(10);
    }

    @Test
    void textPartsAreJoinedAndOtherPartsSkipped() {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"look at \"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}},"
                + "{\"type\":\"text\",\"text\":\"this\"}]}]}");

        assertThat(MockModel.answer(r).content()).isEqualTo("look at this");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void withoutUserTextItSaysHello(String text) {
        assertThat(MockModel.answer(ask(text)).content()).isEqualTo(MockModel.EMPTY_ANSWER);
        ChatRequest onlySystem = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"}]}");
        assertThat(MockModel.answer(onlySystem).content()).isEqualTo(MockModel.EMPTY_ANSWER);
    }

    // ---------------------------------------------------------------- tools

    @Test
    void toolChoiceRequiredCallsTheFirstFunctionToolWithSchemaShapedArguments() throws IOException {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Paris please\"}],"
                + "\"tools\":[" + WEATHER_TOOL + "," + TIME_TOOL + "],\"tool_choice\":\"required\"}");

        MockModel.Answer a = MockModel.answer(r);

        assertThat(a.content()).isNull();
        assertThat(a.finishReason()).isEqualTo("tool_calls");
        assertThat(a.toolCalls()).hasSize(1);
        ToolCall call = a.toolCalls().get(0);
        assertThat(call.type()).isEqualTo("function");
        assertThat(call.id()).startsWith("call_mock_");
        assertThat(call.function().name()).isEqualTo("get_weather");

        JsonNode args = Json.MAPPER.readTree(call.function().arguments());
        assertThat(args.get("city").asText()).isEqualTo("Paris please");
        assertThat(args.get("days").isIntegralNumber()).isTrue();
        assertThat(args.get("metric").isBoolean()).isTrue();
        assertThat(args.get("unit").asText()).isEqualTo("celsius");
        assertThat(args.get("tags").isArray()).isTrue();
        assertThat(args.get("where").get("lat").isNumber()).isTrue();
        assertThat(args.get("where").get("name").isTextual())
                .as("first of a type union")
                .isTrue();
        assertThat(args.get("kind").asText()).isEqualTo("forecast");
        assertThat(args.get("nothing").isNull()).isTrue();
        assertThat(a.usage().completionTokens()).isPositive();
    }

    @Test
    void aNamedToolChoiceCallsThatTool() throws IOException {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"UTC\"}],"
                + "\"tools\":[" + WEATHER_TOOL + "," + TIME_TOOL + "],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}}");

        ToolCall call = MockModel.answer(r).toolCalls().get(0);

        assertThat(call.function().name()).isEqualTo("get_time");
        assertThat(Json.MAPPER.readTree(call.function().arguments()).get("tz").asText())
                .isEqualTo("UTC");
    }

    @Test
    void theCallIdIsStableForTheSameTool() {
        String req = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + "\"tools\":["
                + TIME_TOOL + "],\"tool_choice\":\"required\"}";
        String req2 = req.replace("\"x\"", "\"something else\"");

        assertThat(MockModel.answer(parse(req)).toolCalls().get(0).id())
                .isEqualTo(MockModel.answer(parse(req2)).toolCalls().get(0).id());
    }

    @ParameterizedTest
    @ValueSource(strings = {",\"tool_choice\":\"auto\"", ",\"tool_choice\":\"none\"", ""})
    void withoutRequiredOrNamedChoiceItEchoes(String choice) {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}],"
                + "\"tools\":[" + TIME_TOOL + "]" + choice + "}");

        MockModel.Answer a = MockModel.answer(r);

        assertThat(a.toolCalls()).isNull();
        assertThat(a.content()).isEqualTo("hi there");
    }

    @Test
    void requiredWithoutToolsEchoes() {
        ChatRequest r = parse(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":\"required\"}");

        assertThat(MockModel.answer(r).content()).isEqualTo("hi");
    }

    // ---------------------------------------------------------------- JSON modes

    @Test
    void jsonObjectModeAnswersAnObjectEchoingTheText() throws IOException {
        ChatRequest r = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"hi\\\"\"}],"
                + "\"response_format\":{\"type\":\"json_object\"}}");

        MockModel.Answer a = MockModel.answer(r);

        JsonNode json = Json.MAPPER.readTree(a.content());
        assertThat(json.isObject()).isTrue();
        assertThat(json.get("echo").asText()).isEqualTo("say \"hi\"");
        assertThat(json).hasSize(1);
    }

    @Test
    void jsonSchemaModeAnswersAnInstanceOfTheSchema() throws IOException {
        ChatRequest r = parse(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Ada\"}],"
                        + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"strict\":true,"
                        + "\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"},"
                        + "\"langs\":{\"type\":\"array\"},\"role\":{\"enum\":[\"admin\",\"user\"]}},\"required\":[\"name\",\"age\"]}}}}");

        JsonNode json = Json.MAPPER.readTree(MockModel.answer(r).content());

        assertThat(json.get("name").asText()).isEqualTo("Ada");
        assertThat(json.get("age").isIntegralNumber()).isTrue();
        assertThat(json.get("langs").isArray()).isTrue();
        assertThat(json.get("role").asText()).isEqualTo("admin");
    }

    @Test
    void aSchemaThatIsNotAnObjectGivesAnEmptyObject() {
        assertThat(MockModel.sample(null, "t").isObject()).isTrue();
        assertThat(MockModel.sample(null, "t")).isEmpty();
        assertThat(MockModel.sample(Json.MAPPER.getNodeFactory().textNode("x"), "t"))
                .isEmpty();
    }

    @Test
    void aSchemaWithoutTypeIsAnObjectWhenItHasPropertiesElseAString() {
        JsonNode withProps = Json.MAPPER
                .createObjectNode()
                .set(
                        "properties",
                        Json.MAPPER
                                .createObjectNode()
                                .set("a", Json.MAPPER.createObjectNode().put("type", "boolean")));

        assertThat(MockModel.sample(withProps, "t").get("a").isBoolean()).isTrue();
        assertThat(MockModel.sample(Json.MAPPER.createObjectNode(), "t").asText())
                .isEqualTo("t");
    }

    // ---------------------------------------------------------------- limits and stops

    @Test
    void maxTokensTruncatesToThatManyWordsWithFinishLength() {
        ChatRequest r = ask("one two three four five").toBuilder().maxTokens(2).build();

        MockModel.Answer a = MockModel.answer(r);

        assertThat(a.content()).isEqualTo("one two");
        assertThat(a.finishReason()).isEqualTo("length");
        assertThat(a.usage().completionTokens()).isEqualTo(2);
    }

    @Test
    void trailingWhitespaceIsNotAWordThatHitsTheLimit() {
        MockModel.Answer a =
                MockModel.answer(ask("one two ").toBuilder().maxTokens(2).build());

        assertThat(a.finishReason()).isEqualTo("stop");
        assertThat(a.content()).isEqualTo("one two ");
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        ChatRequest r = ask("one two three four five").toBuilder()
                .maxTokens(4)
                .maxCompletionTokens(1)
                .build();

        assertThat(MockModel.answer(r).content()).isEqualTo("one");
    }

    @Test
    void aLimitAtOrAboveTheWordCountChangesNothing() {
        MockModel.Answer exact =
                MockModel.answer(ask("one two three").toBuilder().maxTokens(3).build());

        assertThat(exact.content()).isEqualTo("one two three");
        assertThat(exact.finishReason()).isEqualTo("stop");
    }

    @Test
    void aStopSequenceCutsTheAnswerBeforeIt() {
        MockModel.Answer a = MockModel.answer(
                ask("hello world END and more").toBuilder().stop(List.of("END")).build());

        assertThat(a.content()).isEqualTo("hello world ");
        assertThat(a.finishReason()).isEqualTo("stop");
        assertThat(a.usage().completionTokens()).isEqualTo(2);
    }

    @Test
    void theEarliestOfSeveralStopSequencesWinsWhateverTheirOrder() {
        ChatRequest base = ask("alpha beta gamma delta");

        assertThat(MockModel.answer(
                                base.toBuilder().stop(List.of("delta", "beta")).build())
                        .content())
                .isEqualTo("alpha ");
        assertThat(MockModel.answer(
                                base.toBuilder().stop(List.of("beta", "delta")).build())
                        .content())
                .isEqualTo("alpha ");
        assertThat(MockModel.answer(base.toBuilder().stop(List.of("zeta", "")).build())
                        .content())
                .as("absent and empty stop strings change nothing")
                .isEqualTo("alpha beta gamma delta");
    }

    // ---------------------------------------------------------------- word helpers

    @Test
    void splitWordsKeepsLeadingWhitespaceSoJoiningGivesTheText() {
        String text = "  Hello,\tworld!\n new  line ";

        List<String> parts = MockModel.splitWords(text);

        assertThat(String.join("", parts)).isEqualTo(text);
        assertThat(parts.get(0)).isEqualTo("  Hello,");
        assertThat(parts.get(1)).isEqualTo("\tworld!");
        assertThat(MockModel.splitWords("")).isEmpty();
        assertThat(MockModel.splitWords("one")).containsExactly("one");
    }

    @Test
    void wordsCountsWhitespaceSeparatedRuns() {
        assertThat(MockModel.words(null)).isZero();
        assertThat(MockModel.words(" \n ")).isZero();
        assertThat(MockModel.words("a")).isEqualTo(1);
        assertThat(MockModel.words("  a  b\tc\n")).isEqualTo(3);
    }
}
