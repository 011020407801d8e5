package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * {@code tool_choice}: a mode string ({@code none}, {@code auto}, {@code required}), a named function,
 * or another object form ({@code allowed_tools}, custom tools) kept verbatim.
 */
@JsonDeserialize(using = ToolChoice.Deserializer.class)
public sealed interface ToolChoice {

    record Mode(@JsonValue String value) implements ToolChoice {}

    record Named(String functionName) implements ToolChoice {
        @JsonValue
        ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("type", "function");
            n.putObject("function").put("name", functionName);
            return n;
        }
    }

    record Other(@JsonValue ObjectNode node) implements ToolChoice {}

    final class Deserializer extends StdDeserializer<ToolChoice> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(ToolChoice.class);
        }

        @Override
        public ToolChoice deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return new Mode(p.getText());
            }
            JsonNode node = ctxt.readTree(p);
            if (node instanceof ObjectNode obj) {
                JsonNode name = obj.path("function").path("name");
                if ("function".equals(obj.path("type").asText()) && name.isTextual() && obj.size() == 2) {
                    return new Named(name.asText());
                }
                return new Other(obj);
            }
            return (ToolChoice) ctxt.reportInputMismatch(ToolChoice.class, "tool_choice must be a string or an object");
        }
    }
}
