package io.junction.provider.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.schema.ResponseFormat;
import io.junction.core.schema.Tool;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.ToolChoice;
import io.junction.core.schema.Usage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The deterministic "model" behind the built-in mock provider.
 *
 * <ul>
 *   <li>answers with the text of the last user message (an echo);
 *   <li>calls a tool when tools are given and {@code tool_choice} is {@code required} or names one,
 *       with arguments built from the tool's JSON schema;
 *   <li>answers JSON when {@code response_format} asks for it (an instance of the schema for json_schema);
 *   <li>honours {@code max_tokens}/{@code max_completion_tokens} (finish_reason {@code length}) and {@code stop};
 *   <li>counts usage in words (whitespace-separated), a documented stand-in for tokens.
 * </ul>
 */
final class MockModel {
    static final String EMPTY_ANSWER = "Hello from Junction's mock provider.";

    private MockModel() {}

    /** What the mock says: text or tool calls, a finish reason and usage. */
    record Answer(String content, List<ToolCall> toolCalls, String finishReason, Usage usage) {}

    static Answer answer(ChatRequest request) {
        int promptWords = 0;
        String lastUser = "";
        for (ChatMessage m : request.messages()) {
            String text = m.text();
            promptWords += words(text) + 1; // +1 per message for the role, roughly as tokenizers do
            if ("user".equals(m.role())) {
                lastUser = text;
            }
        }
        if (lastUser.isBlank()) {
            lastUser = EMPTY_ANSWER;
        }
        String toolName = toolToCall(request);
        if (toolName != null) {
            JsonNode params = null;
            for (Tool t : request.tools()) {
                if (t.function() != null && toolName.equals(t.function().name())) {
                    params = t.function().parameters();
                }
            }
            String args = Json.string(sample(params, lastUser));
            ToolCall call = ToolCall.function(
                    "call_mock_" + Integer.toHexString(toolName.hashCode() & 0xfffffff), toolName, args);
            return new Answer(null, List.of(call), "tool_calls", Usage.of(promptWords, Math.max(1, words(args))));
        }
        String text;
        if (request.responseFormat() instanceof ResponseFormat.JsonObject) {
            ObjectNode obj = JsonNodeFactory.instance.objectNode();
            obj.put("echo", lastUser);
            text = Json.string(obj);
        } else if (request.responseFormat() instanceof ResponseFormat.JsonSchema js) {
            text = Json.string(sample(js.jsonSchema().schema(), lastUser));
        } else {
            text = lastUser;
        }
        String finish = "stop";
        if (request.stop() != null) {
            for (String s : request.stop()) {
                int at = s.isEmpty() ? -1 : text.indexOf(s);
                if (at >= 0) {
                    text = text.substring(0, at);
                }
            }
        }
        Integer limit = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        List<String> parts = splitWords(text);
        // words(), not parts.size(): trailing whitespace is a part of its own but not a word
        if (limit != null && words(text) > limit) {
            text = String.join("", parts.subList(0, limit));
            finish = "length";
        }
        return new Answer(text, null, finish, Usage.of(promptWords, words(text)));
    }

    private static String toolToCall(ChatRequest r) {
        if (r.tools() == null || r.tools().isEmpty()) {
            return null;
        }
        if (r.toolChoice() instanceof ToolChoice.Named named) {
            return named.functionName();
        }
        if (r.toolChoice() instanceof ToolChoice.Mode mode && "required".equals(mode.value())) {
            for (Tool t : r.tools()) {
                if (t.function() != null) {
                    return t.function().name();
                }
            }
        }
        return null;
    }

    /** A value matching {@code schema}, with {@code text} for every string. */
    static JsonNode sample(JsonNode schema, String text) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (schema == null || !schema.isObject()) {
            return f.objectNode();
        }
        JsonNode en = schema.get("enum");
        if (en != null && en.isArray() && !en.isEmpty()) {
            return en.get(0);
        }
        JsonNode constant = schema.get("const");
        if (constant != null) {
            return constant;
        }
        JsonNode typeNode = schema.get("type");
        String type = typeNode == null
                ? (schema.has("properties") ? "object" : "string")
                : typeNode.isArray() && !typeNode.isEmpty() ? typeNode.get(0).asText() : typeNode.asText();
        return switch (type) {
            case "object" -> {
                ObjectNode obj = f.objectNode();
                JsonNode props = schema.get("properties");
                if (props != null && props.isObject()) {
                    Iterator<Map.Entry<String, JsonNode>> it = props.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        obj.set(e.getKey(), sample(e.getValue(), text));
                    }
                }
                yield obj;
            }
            case "array" -> f.arrayNode();
            case "integer", "number" -> f.numberNode(0);
            case "boolean" -> f.booleanNode(false);
            case "null" -> f.nullNode();
            default -> f.textNode(text);
        };
    }

    static int words(String s) {
        if (s == null || s.isBlank()) {
            return 0;
        }
        return s.trim().split("\\s+").length;
    }

    /** Words with their leading whitespace attached, so joining them gives back the text. */
    static List<String> splitWords(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int start = i;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            while (i < n && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            out.add(text.substring(start, i));
        }
        return out;
    }
}
