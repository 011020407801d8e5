package io.junction.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletionChunk;
import java.util.List;
import java.util.Map;

/** Small helpers around the OpenAI SDK's types. */
final class Sdk {
    private Sdk() {}

    /** Junction's {@code extra_fields} block from a response's or chunk's additional properties. */
    static JsonNode extraFields(Map<String, JsonValue> additional) {
        JsonValue v = additional.get("extra_fields");
        return v == null ? MissingNode.getInstance() : v.convert(JsonNode.class);
    }

    /** All {@code delta.content} of the chunks, in order. */
    static String text(List<ChatCompletionChunk> chunks) {
        StringBuilder sb = new StringBuilder();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice choice : c.choices()) {
                choice.delta().content().ifPresent(sb::append);
            }
        }
        return sb.toString();
    }

    /** The tool of the recorded tool-call exchange: get_capital(country: string). */
    static FunctionDefinition getCapitalTool() {
        return FunctionDefinition.builder()
                .name("get_capital")
                .description("")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty(
                                "properties", JsonValue.from(Map.of("country", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("country")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                        .build())
                .strict(true)
                .build();
    }
}
