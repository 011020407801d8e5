package io.junction.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonView;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.testing.JsonDiff;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request using every typed OpenAI parameter, every gateway extension, unknown top-level fields and
 * unknown nested fields must survive parse → serialize unchanged, so an OpenAI-compatible upstream
 * sees what the client sent.
 *
 * <p>Known normalisations, both meaning-preserving for OpenAI: {@code stop} given as a single string
 * is read into a one-element list and written back as an array; an explicit {@code null} for a
 * typed optional field (e.g. {@code "refusal": null}) is omitted on output, because the mapper
 * writes NON_NULL. {@code content} is the exception: it is always written, {@code null} included.
 */
class ChatRequestRoundTripTest {

    /** Top-level keys consumed by Junction (annotated {@code @JsonView(Views.Gateway.class)}). */
    static final List<String> EXTENSION_FIELDS = List.of(
            "fallbacks",
            "session_id",
            "tags",
            "labels",
            "max_ttft_ms",
            "system_prompt_args",
            "ab_campaign",
            "provider");

    static final List<String> UNKNOWN_FIELDS =
            List.of("audio", "prediction", "web_search_options", "x_custom_number", "x_custom_list");

    private static JsonNode everyFieldTree() throws IOException {
        try (InputStream in = ChatRequestRoundTripTest.class.getResourceAsStream("/requests/every-field.json")) {
            assertThat(in).as("test resource").isNotNull();
            return Json.MAPPER.readTree(in);
        }
    }

    private static void assertSameJson(JsonNode expected, JsonNode actual) {
        assertThat(JsonDiff.diff(expected, actual)).as("differences").isEmpty();
    }

    private static ChatRequest parse(JsonNode tree) throws IOException {
        return Json.MAPPER.treeToValue(tree, ChatRequest.class);
    }

    private static JsonNode reserialized(ChatRequest request) throws IOException {
        return Json.MAPPER.readTree(Json.bytes(request));
    }

    @Test
    void everyFieldSurvivesParseAndSerialize() throws IOException {
        JsonNode original = everyFieldTree();
        ChatRequest request = parse(original);

        assertSameJson(original, reserialized(request));
    }

    @Test
    void streamIsWrittenBothByTheDefaultAndTheUpstreamWriter() throws IOException {
        // regression: @JsonIgnore on isStream() used to hide the whole "stream" property on output,
        // so streamed requests reached the provider without "stream": true
        ChatRequest r = RequestFixtures.minimal().toBuilder().stream(true).build();

        assertThat(Json.MAPPER.readTree(Json.bytes(r)).get("stream").asBoolean(false))
                .isTrue();
        assertThat(Json.MAPPER.readTree(Json.upstreamBytes(r)).get("stream").asBoolean(false))
                .isTrue();
        assertThat(Json.MAPPER
                        .readTree(Json.upstreamBytes(r.toBuilder().stream(false).build()))
                        .get("stream")
                        .isBoolean())
                .isTrue();
    }

    @Test
    void everyFieldIsReadIntoItsTypedComponent() throws IOException {
        ChatRequest r = parse(everyFieldTree());

        assertThat(r.model()).isEqualTo("fast");
        assertThat(r.messages())
                .extracting(ChatMessage::role)
                .containsExactly("system", "developer", "user", "assistant", "tool", "assistant");
        assertThat(r.messages().get(0).name()).isEqualTo("sys");
        assertThat(r.messages().get(0).content()).isEqualTo(new MessageContent.Text("You are terse."));

        MessageContent.Parts userParts =
                (MessageContent.Parts) r.messages().get(2).content();
        assertThat(userParts.parts()).hasSize(3);
        ContentPart.TextPart text = (ContentPart.TextPart) userParts.parts().get(0);
        assertThat(text.text()).isEqualTo("What is in this picture? ");
        assertThat(text.extra()).containsKey("cache_control");
        ContentPart.ImageUrlPart image =
                (ContentPart.ImageUrlPart) userParts.parts().get(1);
        assertThat(image.imageUrl()).isEqualTo(new ContentPart.ImageUrl("https://example.com/cat.png", "high"));
        assertThat(image.extra()).containsKey("cache_control");
        assertThat(userParts.parts().get(2)).isInstanceOf(ContentPart.Other.class);
        assertThat(userParts.parts().get(2).type()).isEqualTo("input_audio");
        // text() joins text parts only
        assertThat(r.messages().get(2).text()).isEqualTo("What is in this picture? ");

        ChatMessage assistant = r.messages().get(3);
        assertThat(assistant.content()).isNull();
        assertThat(assistant.toolCalls())
                .containsExactly(ToolCall.function("call_1", "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(r.messages().get(4).toolCallId()).isEqualTo("call_1");
        assertThat(r.messages().get(5).refusal()).isEqualTo("policy");
        assertThat(r.messages().get(5).extra()).containsEntry("x_vendor_flag", true);

        assertThat(r.temperature()).isEqualTo(0.7);
        assertThat(r.topP()).isEqualTo(0.9);
        assertThat(r.n()).isEqualTo(2);
        assertThat(r.isStream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
        assertThat(r.streamOptions().extra()).containsEntry("include_obfuscation", false);
        assertThat(r.stop()).containsExactly("\n\n", "END");
        assertThat(r.maxTokens()).isEqualTo(256);
        assertThat(r.maxCompletionTokens()).isEqualTo(512);
        assertThat(r.presencePenalty()).isEqualTo(-0.5);
        assertThat(r.frequencyPenalty()).isEqualTo(1.25);
        assertThat(r.logitBias()).containsOnlyKeys("50256", "1234");
        assertThat(r.logitBias().get("50256").doubleValue()).isEqualTo(-100.0);
        assertThat(r.logitBias().get("1234").doubleValue()).isEqualTo(2.5);
        assertThat(r.logprobs()).isTrue();
        assertThat(r.topLogprobs()).isEqualTo(5);
        assertThat(r.user()).isEqualTo("user-123");

        ResponseFormat.JsonSchema rf = (ResponseFormat.JsonSchema) r.responseFormat();
        assertThat(rf.jsonSchema().name()).isEqualTo("weather");
        assertThat(rf.jsonSchema().description()).isEqualTo("A weather report");
        assertThat(rf.jsonSchema().strict()).isTrue();
        assertThat(rf.jsonSchema().schema().path("required").get(0).asText()).isEqualTo("temp_c");

        assertThat(r.tools()).hasSize(2);
        assertThat(r.tools().get(0).function().name()).isEqualTo("get_weather");
        assertThat(r.tools().get(0).function().strict()).isFalse();
        assertThat(r.tools().get(1).type()).isEqualTo("custom");
        assertThat(r.tools().get(1).function()).isNull();
        assertThat(r.tools().get(1).extra()).containsKey("custom");
        assertThat(r.toolChoice()).isEqualTo(new ToolChoice.Named("get_weather"));
        assertThat(r.parallelToolCalls()).isFalse();
        // above 2^53: must not pass through a double
        assertThat(r.seed()).isEqualTo(9007199254740993L);
        assertThat(r.serviceTier()).isEqualTo("flex");
        assertThat(r.reasoningEffort()).isEqualTo("low");
        assertThat(r.store()).isFalse();
        assertThat(r.verbosity()).isEqualTo("medium");
        assertThat(r.promptCacheKey()).isEqualTo("pck-1");
        assertThat(r.safetyIdentifier()).isEqualTo("sid-1");
        assertThat(r.metadata()).containsEntry("team", "search").containsEntry("env", "test");
        assertThat(r.modalities()).containsExactly("text", "audio");

        assertThat(r.fallbacks()).containsExactly("slow", "openai/gpt-4o-mini");
        assertThat(r.sessionId()).isEqualTo("sess-42");
        assertThat(r.tags()).containsExactly("a", "b");
        assertThat(r.labels()).containsEntry("cost_center", "cc-7");
        assertThat(r.effectiveLabels()).isEqualTo(r.labels());
        assertThat(r.maxTtftMs()).isEqualTo(1500L);
        assertThat(r.systemPromptArgs()).containsEntry("name", "Junction");
        assertThat(r.abCampaign()).isEqualTo("exp-3");
        assertThat(r.provider().order()).containsExactly("openai", "azure");
        assertThat(r.provider().allowFallbacks()).isFalse();
        assertThat(r.provider().only()).containsExactly("openai");
        assertThat(r.provider().ignore()).containsExactly("groq");
        assertThat(r.provider().sort()).isEqualTo("price");
        assertThat(r.provider().extra()).containsEntry("require_parameters", true);

        assertThat(r.extra()).containsOnlyKeys(UNKNOWN_FIELDS);
    }

    @Test
    void stopAsAStringIsReadAsAOneElementListAndWrittenAsAnArray() throws IOException {
        ObjectNode tree = (ObjectNode) everyFieldTree();
        tree.put("stop", "END");

        ChatRequest r = parse(tree);
        assertThat(r.stop()).containsExactly("END");

        JsonNode out = reserialized(r);
        assertThat(out.get("stop").isArray()).isTrue();
        assertThat(out.get("stop")).hasSize(1);
        assertThat(out.get("stop").get(0).asText()).isEqualTo("END");
        // the normalisation is the only difference
        ObjectNode expected = tree.deepCopy();
        expected.putArray("stop").add("END");
        assertSameJson(expected, out);
    }

    @Test
    void explicitNullsOfTypedFieldsAreOmittedButNullContentIsKept() throws IOException {
        ObjectNode tree = (ObjectNode) everyFieldTree();
        ObjectNode assistant = (ObjectNode) tree.get("messages").get(3);
        assistant.putNull("refusal");
        tree.putNull("user");

        JsonNode out = reserialized(parse(tree));

        JsonNode outAssistant = out.get("messages").get(3);
        assertThat(outAssistant.has("refusal")).isFalse();
        assertThat(outAssistant.has("content")).isTrue();
        assertThat(outAssistant.get("content").isNull()).isTrue();
        assertThat(out.has("user")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"type\":\"text\"}",
                "{\"type\":\"json_object\"}",
                "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":{\"type\":\"object\"}}}"
            })
    void everyResponseFormatKindRoundTrips(String format) throws IOException {
        ObjectNode tree = (ObjectNode) everyFieldTree();
        tree.set("response_format", Json.MAPPER.readTree(format));

        ChatRequest r = parse(tree);
        assertThat(r.responseFormat().type())
                .isEqualTo(tree.get("response_format").get("type").asText());
        assertSameJson(tree, reserialized(r));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"auto\"",
                "\"none\"",
                "\"required\"",
                "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}",
                "{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":\"auto\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}}",
                "{\"type\":\"custom\",\"custom\":{\"name\":\"grammar_tool\"}}"
            })
    void everyToolChoiceFormRoundTrips(String choice) throws IOException {
        ObjectNode tree = (ObjectNode) everyFieldTree();
        JsonNode choiceNode = Json.MAPPER.readTree(choice);
        tree.set("tool_choice", choiceNode);

        ChatRequest r = parse(tree);
        if (choiceNode.isTextual()) {
            assertThat(r.toolChoice()).isEqualTo(new ToolChoice.Mode(choiceNode.asText()));
        } else if ("function".equals(choiceNode.get("type").asText())) {
            assertThat(r.toolChoice()).isInstanceOf(ToolChoice.Named.class);
        } else {
            assertThat(r.toolChoice()).isInstanceOf(ToolChoice.Other.class);
        }
        assertSameJson(tree, reserialized(r));
    }

    @Test
    void aNamedToolChoiceWithExtraKeysIsKeptVerbatimAsOther() throws IOException {
        ObjectNode tree = (ObjectNode) everyFieldTree();
        tree.set(
                "tool_choice",
                Json.MAPPER.readTree("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"},\"x\":1}"));

        ChatRequest r = parse(tree);
        assertThat(r.toolChoice()).isInstanceOf(ToolChoice.Other.class);
        assertSameJson(tree, reserialized(r));
    }

    @Test
    void upstreamBytesOmitEveryExtensionFieldAndKeepEverythingElse() throws IOException {
        JsonNode original = everyFieldTree();
        ChatRequest r = parse(original);

        JsonNode upstream = Json.MAPPER.readTree(Json.upstreamBytes(r));

        for (String field : EXTENSION_FIELDS) {
            assertThat(upstream.has(field))
                    .as("extension field %s sent upstream", field)
                    .isFalse();
        }
        for (String field : UNKNOWN_FIELDS) {
            assertThat(upstream.get(field)).as("unknown field %s", field).isEqualTo(original.get(field));
        }
        ObjectNode expected = original.deepCopy();
        expected.remove(EXTENSION_FIELDS);
        assertSameJson(expected, upstream);
    }

    @Test
    void theDefaultWriterKeepsExtensionFields() throws IOException {
        JsonNode original = everyFieldTree();
        JsonNode all = reserialized(parse(original));

        for (String field : EXTENSION_FIELDS) {
            assertThat(all.get(field)).as(field).isEqualTo(original.get(field));
        }
    }

    @Test
    void everyExtensionFieldInTheFixtureIsAComponentOfChatRequest() {
        // guards EXTENSION_FIELDS against drifting from the record: each must map to a Gateway-view component
        List<String> gatewayComponents = Arrays.stream(ChatRequest.class.getRecordComponents())
                .filter(c -> {
                    JsonView v = c.getAccessor().getAnnotation(JsonView.class);
                    return v != null && List.of(v.value()).contains(Views.Gateway.class);
                })
                .map(c -> ((PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE)
                        .translate(c.getName()))
                .toList();
        assertThat(gatewayComponents).containsExactlyInAnyOrderElementsOf(EXTENSION_FIELDS);
    }

    @Test
    void builderCopiesKeepEveryFieldAndOnlyChangeWhatWasSet() throws IOException {
        JsonNode original = everyFieldTree();
        ChatRequest r = parse(original);

        ChatRequest renamed = r.withModel("openai/gpt-4o-mini");

        ObjectNode expected = original.deepCopy();
        expected.put("model", "openai/gpt-4o-mini");
        assertSameJson(expected, reserialized(renamed));
        assertSameJson(original, reserialized(r.toBuilder().build()));
    }
}
