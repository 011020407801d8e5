package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** A tool the model may call: {@code {"type":"function","function":{...}}}; other tool types pass through. */
public record Tool(
        String type,
        Function function,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
    public Tool {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    public static Tool function(String name, String description, JsonNode parameters) {
        return new Tool("function", new Function(name, description, parameters, null), null);
    }

    /** {@code parameters} is a JSON Schema object, kept as a tree. */
    public record Function(String name, String description, JsonNode parameters, Boolean strict) {}
}
