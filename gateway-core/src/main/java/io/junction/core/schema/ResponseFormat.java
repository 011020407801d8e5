package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/** {@code response_format}: {@code text}, {@code json_object}, or {@code json_schema}. */
@JsonDeserialize(using = ResponseFormat.Deserializer.class)
public sealed interface ResponseFormat {

    String type();

    record Text() implements ResponseFormat {
        @Override
        @JsonProperty("type")
        public String type() {
            return "text";
        }
    }

    record JsonObject() implements ResponseFormat {
        @Override
        @JsonProperty("type")
        public String type() {
            return "json_object";
        }
    }

    @JsonPropertyOrder({"type", "json_schema"})
    record JsonSchema(Spec jsonSchema) implements ResponseFormat {
        @Override
        @JsonProperty("type")
        public String type() {
            return "json_schema";
        }

        /** {@code schema} is the JSON Schema document, kept as a tree. */
        public record Spec(String name, String description, JsonNode schema, Boolean strict) {}
    }

    final class Deserializer extends StdDeserializer<ResponseFormat> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(ResponseFormat.class);
        }

        @Override
        public ResponseFormat deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (!node.isObject()) {
                return (ResponseFormat)
                        ctxt.reportInputMismatch(ResponseFormat.class, "response_format must be an object");
            }
            String type = node.path("type").asText("");
            return switch (type) {
                case "text" -> new Text();
                case "json_object" -> new JsonObject();
                case "json_schema" -> {
                    JsonNode spec = node.get("json_schema");
                    if (spec == null || !spec.isObject()) {
                        yield (ResponseFormat) ctxt.reportInputMismatch(
                                ResponseFormat.class,
                                "response_format of type json_schema needs a 'json_schema' object");
                    }
                    yield new JsonSchema(ctxt.readTreeAsValue(spec, JsonSchema.Spec.class));
                }
                default ->
                    (ResponseFormat) ctxt.reportInputMismatch(
                            ResponseFormat.class,
                            "response_format.type must be one of text, json_object, json_schema; got '%s'",
                            type);
            };
        }
    }
}
