package io.junction.provider.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;

/**
 * Assistant tool calls as the translating adapters need them: checked to be function calls with a
 * name, and their {@code arguments} string parsed into one JSON object (what Anthropic's
 * {@code tool_use.input}, Bedrock's {@code toolUse.input} and Gemini's {@code functionCall.args} hold).
 */
public final class ToolCalls {
    private static final ObjectReader STRICT_JSON =
            Json.MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ToolCalls() {}

    /**
     * The call's arguments as a JSON object (empty arguments are {@code {}}), after checking it is a
     * named function call. Each failure is a 400 naming {@code param} (e.g. {@code messages[2].tool_calls[0]}).
     */
    public static ObjectNode arguments(ToolCall call, String param, String providerType) {
        if (call.type() != null && !"function".equals(call.type())) {
            throw GatewayException.invalidRequest(
                    param + ".type",
                    "Tool call type '" + call.type() + "' is not supported by provider type " + providerType + ".");
        }
        if (call.function() == null || call.function().name() == null) {
            throw GatewayException.invalidRequest(
                    param + ".function.name", "Missing required parameter: '" + param + ".function.name'.");
        }
        String args = call.function().arguments();
        if (args == null || args.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode parsed;
        try {
            parsed = STRICT_JSON.readValue(args);
        } catch (JsonProcessingException e) {
            throw GatewayException.invalidRequest(
                    param + ".function.arguments", "Invalid '" + param + ".function.arguments': not valid JSON.");
        }
        if (!(parsed instanceof ObjectNode object)) {
            throw GatewayException.invalidRequest(
                    param + ".function.arguments",
                    "Invalid '" + param + ".function.arguments': provider type " + providerType
                            + " needs a JSON object.");
        }
        return object;
    }
}
