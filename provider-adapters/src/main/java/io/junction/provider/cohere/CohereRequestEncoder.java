package io.junction.provider.cohere;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ContentPart;
import io.junction.core.schema.Json;
import io.junction.core.schema.MessageContent;
import io.junction.core.schema.ResponseFormat;
import io.junction.core.schema.Tool;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.ToolChoice;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat request to a Cohere v2 Chat request body ({@code POST /v2/chat}). Pure: no I/O, no
 * state. Every choice made where the two APIs differ is listed in {@code docs/providers.md}.
 */
final class CohereRequestEncoder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Cohere-native top-level fields a client may send as extra fields; passed through unchanged. */
    static final List<String> NATIVE_FIELDS = List.of("documents", "citation_options", "safety_mode", "thinking");

    private CohereRequestEncoder() {}

    static ObjectNode encode(ChatRequest r) {
        if (r.n() != null && r.n() > 1) {
            throw GatewayException.invalidRequest(
                    "n", "Invalid 'n': " + r.n() + ". Provider type cohere returns one choice; 'n' must be 1.");
        }
        ObjectNode body = F.objectNode();
        body.put("model", r.model());
        body.set("messages", messages(r.messages()));

        // --- tools and tool_choice ---
        List<Tool> tools = r.tools() == null ? List.of() : r.tools();
        for (int i = 0; i < tools.size(); i++) {
            Tool t = tools.get(i);
            if (!"function".equals(t.type()) || t.function() == null) {
                throw GatewayException.invalidRequest(
                        "tools[" + i + "].type",
                        "Tool type '" + t.type() + "' is not supported by provider type cohere; use function tools.");
            }
        }
        String choice = null;
        if (!tools.isEmpty() && r.toolChoice() != null) {
            ToolChoice tc = r.toolChoice();
            if (tc instanceof ToolChoice.Mode mode) {
                choice = switch (mode.value()) {
                    case "auto" -> null;
                    case "none" -> "NONE";
                    case "required" -> "REQUIRED";
                    default ->
                        throw GatewayException.invalidRequest(
                                "tool_choice",
                                "Invalid 'tool_choice': '" + mode.value() + "'. Expected none, auto or required.");
                };
            } else if (tc instanceof ToolChoice.Named named) {
                // Cohere cannot name a tool: offer only that tool, and require a tool call
                List<Tool> only = tools.stream()
                        .filter(t -> named.functionName().equals(t.function().name()))
                        .toList();
                if (only.isEmpty()) {
                    throw GatewayException.invalidRequest(
                            "tool_choice",
                            "Invalid 'tool_choice': no tool named '" + named.functionName() + "' in 'tools'.");
                }
                tools = only;
                choice = "REQUIRED";
            } else {
                throw GatewayException.invalidRequest(
                        "tool_choice",
                        "This form of 'tool_choice' is not supported by provider type cohere; use none, auto,"
                                + " required or {\"type\":\"function\",\"function\":{\"name\":...}}.");
            }
        }
        if (!tools.isEmpty()) {
            ArrayNode out = body.putArray("tools");
            boolean allStrict = true;
            for (Tool t : tools) {
                out.add(tool(t.function()));
                allStrict &= Boolean.TRUE.equals(t.function().strict());
            }
            if (allStrict) {
                body.put("strict_tools", true);
            }
        }
        if (choice != null) {
            body.put("tool_choice", choice);
        }

        // --- response format ---
        if (r.responseFormat() instanceof ResponseFormat.JsonObject) {
            body.putObject("response_format").put("type", "json_object");
        } else if (r.responseFormat() instanceof ResponseFormat.JsonSchema js) {
            ObjectNode rf = body.putObject("response_format").put("type", "json_object");
            JsonNode schema = js.jsonSchema() == null ? null : js.jsonSchema().schema();
            if (schema != null && schema.isObject()) {
                rf.set("json_schema", schema);
            }
        }

        // --- sampling ---
        Integer max = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        if (max != null) {
            body.put("max_tokens", max);
        }
        if (r.stop() != null && !r.stop().isEmpty()) {
            ArrayNode stops = body.putArray("stop_sequences");
            r.stop().forEach(stops::add);
        }
        if (r.temperature() != null) {
            body.put("temperature", r.temperature());
        }
        if (r.seed() != null) {
            body.put("seed", r.seed());
        }
        if (r.frequencyPenalty() != null) {
            body.put("frequency_penalty", clamp(r.frequencyPenalty(), 0.0, 1.0));
        }
        if (r.presencePenalty() != null) {
            body.put("presence_penalty", clamp(r.presencePenalty(), 0.0, 1.0));
        }
        if (r.extra().get("top_k") instanceof Number k) {
            body.put("k", k.intValue());
        }
        if (r.topP() != null) {
            body.put("p", clamp(r.topP(), 0.01, 0.99));
        }
        if (r.reasoningEffort() != null && !r.extra().containsKey("thinking")) {
            body.putObject("thinking").put("type", "none".equals(r.reasoningEffort()) ? "disabled" : "enabled");
        }
        for (String field : NATIVE_FIELDS) {
            Object v = r.extra().get(field);
            if (v != null) {
                body.set(field, Json.MAPPER.valueToTree(v));
            }
        }
        body.put("stream", r.isStream());
        return body;
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(max, v));
    }

    // ---------------------------------------------------------------- messages

    private static ArrayNode messages(List<ChatMessage> in) {
        ArrayNode system = F.arrayNode();
        List<ObjectNode> rest = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            ChatMessage m = in.get(i);
            String p = "messages[" + i + "]";
            switch (m.role()) {
                case "system", "developer" -> system.addAll(textParts(m.content(), p, "system"));
                case "user" -> rest.add(user(m, p));
                case "assistant" -> {
                    ObjectNode a = assistant(m, p);
                    if (a != null) {
                        rest.add(a);
                    }
                }
                case "tool" -> rest.add(tool(m, p));
                default ->
                    throw GatewayException.invalidRequest(
                            p + ".role", "Role '" + m.role() + "' is not supported by provider type cohere.");
            }
        }
        ArrayNode out = F.arrayNode();
        if (!system.isEmpty()) {
            // one system message, first: Cohere wants the system turn at the start of the list
            ObjectNode s = out.addObject().put("role", "system");
            if (system.size() == 1) {
                s.put("content", system.get(0).get("text").asText());
            } else {
                s.set("content", system);
            }
        }
        rest.forEach(out::add);
        return out;
    }

    private static ArrayNode textParts(MessageContent content, String p, String where) {
        ArrayNode out = F.arrayNode();
        if (content instanceof MessageContent.Text t) {
            if (!t.value().isEmpty()) {
                out.addObject().put("type", "text").put("text", t.value());
            }
        } else if (content instanceof MessageContent.Parts parts) {
            for (int j = 0; j < parts.parts().size(); j++) {
                ContentPart part = parts.parts().get(j);
                if (part instanceof ContentPart.TextPart tp) {
                    if (tp.text() != null && !tp.text().isEmpty()) {
                        out.addObject().put("type", "text").put("text", tp.text());
                    }
                } else {
                    throw unsupportedPart(p + ".content[" + j + "]", part.type(), where);
                }
            }
        }
        return out;
    }

    private static ObjectNode user(ChatMessage m, String p) {
        ObjectNode out = F.objectNode().put("role", "user");
        if (m.content() instanceof MessageContent.Parts parts) {
            ArrayNode content = out.putArray("content");
            for (int j = 0; j < parts.parts().size(); j++) {
                ContentPart part = parts.parts().get(j);
                if (part instanceof ContentPart.TextPart tp) {
                    content.addObject().put("type", "text").put("text", tp.text());
                } else if (part instanceof ContentPart.ImageUrlPart img) {
                    ObjectNode url =
                            content.addObject().put("type", "image_url").putObject("image_url");
                    url.put("url", img.imageUrl().url());
                    if (img.imageUrl().detail() != null) {
                        url.put("detail", img.imageUrl().detail());
                    }
                } else {
                    throw unsupportedPart(p + ".content[" + j + "]", part.type(), "user");
                }
            }
        } else {
            out.put("content", m.content() == null ? "" : m.content().text());
        }
        return out;
    }

    /** An assistant turn; text next to tool calls is the tool plan. Null for a turn with nothing in it. */
    private static ObjectNode assistant(ChatMessage m, String p) {
        // reasoning_content is not sent back: the next turn does not need the previous thinking
        String text = textParts(m.content(), p, "assistant").findValuesAsText("text").stream()
                .reduce("", String::concat);
        List<ToolCall> calls = m.toolCalls() == null ? List.of() : m.toolCalls();
        if (text.isEmpty() && calls.isEmpty()) {
            return null;
        }
        ObjectNode out = F.objectNode().put("role", "assistant");
        if (calls.isEmpty()) {
            out.put("content", text);
            return out;
        }
        if (!text.isEmpty()) {
            out.put("tool_plan", text);
        }
        ArrayNode tc = out.putArray("tool_calls");
        for (int j = 0; j < calls.size(); j++) {
            ToolCall call = calls.get(j);
            String pp = p + ".tool_calls[" + j + "]";
            if (call.type() != null && !"function".equals(call.type())) {
                throw GatewayException.invalidRequest(
                        pp + ".type", "Tool call type '" + call.type() + "' is not supported by provider type cohere.");
            }
            if (call.function() == null || call.function().name() == null) {
                throw GatewayException.invalidRequest(
                        pp + ".function.name", "Missing required parameter: '" + pp + ".function.name'.");
            }
            String args = call.function().arguments();
            ObjectNode c = tc.addObject().put("id", call.id()).put("type", "function");
            c.putObject("function")
                    .put("name", call.function().name())
                    .put("arguments", args == null || args.isBlank() ? "{}" : args);
        }
        return out;
    }

    private static ObjectNode tool(ChatMessage m, String p) {
        ObjectNode out = F.objectNode().put("role", "tool").put("tool_call_id", m.toolCallId());
        if (m.content() instanceof MessageContent.Parts) {
            out.set("content", textParts(m.content(), p, "tool"));
        } else {
            out.put("content", m.content() == null ? "" : m.content().text());
        }
        return out;
    }

    private static ObjectNode tool(Tool.Function fn) {
        ObjectNode t = F.objectNode().put("type", "function");
        ObjectNode f = t.putObject("function").put("name", fn.name());
        if (fn.description() != null) {
            f.put("description", fn.description());
        }
        if (fn.parameters() != null && fn.parameters().isObject()) {
            f.set("parameters", fn.parameters());
        } else {
            f.putObject("parameters").put("type", "object").putObject("properties");
        }
        return t;
    }

    private static GatewayException unsupportedPart(String param, String type, String where) {
        return GatewayException.invalidRequest(
                param + ".type",
                "Content part type '" + type + "' is not supported in " + where + " messages by provider type cohere.");
    }
}
