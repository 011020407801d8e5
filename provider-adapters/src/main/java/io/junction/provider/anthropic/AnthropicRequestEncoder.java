package io.junction.provider.anthropic;

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
import io.junction.provider.common.ToolCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI chat request to an Anthropic Messages request body. Pure: no I/O, no state. Every choice
 * made where the two APIs differ is listed in {@code docs/providers.md}.
 */
final class AnthropicRequestEncoder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /**
     * The tool that carries {@code response_format} (json_schema / json_object): Anthropic has no JSON
     * mode, so the model is made to call this tool and its input becomes the message content. The
     * name is reserved: a client tool with this name is rejected, so a {@code tool_use} block with it
     * in a response can only be this one (decoding has no access to the request).
     */
    static final String JSON_TOOL = "junction_json_response";

    private static final Pattern DATA_URL =
            Pattern.compile("^data:([^;,]+)((?:;[^;,]*)*),(.*)$", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    private AnthropicRequestEncoder() {}

    static ObjectNode encode(ChatRequest r, AnthropicOptions options) {
        if (r.n() != null && r.n() > 1) {
            throw GatewayException.invalidRequest(
                    "n", "Invalid 'n': " + r.n() + ". Provider type anthropic returns one choice; 'n' must be 1.");
        }
        ArrayNode system = F.arrayNode();
        ArrayNode messages = messages(r.messages(), system);

        // --- tools, tool_choice, JSON mode ---
        ArrayNode tools = F.arrayNode();
        if (r.tools() != null) {
            for (int i = 0; i < r.tools().size(); i++) {
                tools.add(tool(r.tools().get(i), i));
            }
        }
        boolean userTools = !tools.isEmpty();
        ObjectNode toolChoice = userTools ? toolChoice(r.toolChoice()) : null;
        ObjectNode jsonTool = jsonTool(r.responseFormat());
        if (jsonTool != null) {
            tools.add(jsonTool);
            if (!userTools || "none".equals(type(toolChoice))) {
                toolChoice = F.objectNode().put("type", "tool").put("name", JSON_TOOL);
            } else if (!"tool".equals(type(toolChoice))) {
                // the answer must be JSON, so the model calls a client tool or the JSON tool
                toolChoice = F.objectNode().put("type", "any");
            }
        }
        if (Boolean.FALSE.equals(r.parallelToolCalls()) && !tools.isEmpty()) {
            if (toolChoice == null) {
                toolChoice = F.objectNode().put("type", "auto");
            }
            if (!"none".equals(type(toolChoice))) {
                toolChoice.put("disable_parallel_tool_use", true);
            }
        }

        // --- thinking and max_tokens ---
        Integer explicitMax = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        Integer budget = null;
        String effort = r.reasoningEffort();
        if (effort != null && !"none".equals(effort)) {
            budget = options.thinkingBudgets().get(effort);
        }
        String forced = type(toolChoice);
        if (budget != null && ("any".equals(forced) || "tool".equals(forced))) {
            budget = null; // Anthropic: thinking may not be enabled when tool_choice forces tool use
        }
        if (budget != null && continuesToolTurn(r.messages())) {
            budget = null; // the turn's signed thinking block would have to be replayed; OpenAI clients lack it
        }
        int maxTokens;
        if (budget == null) {
            maxTokens = explicitMax != null ? explicitMax : options.defaultMaxTokens();
        } else if (explicitMax == null) {
            maxTokens = options.defaultMaxTokens() + budget;
        } else {
            maxTokens = explicitMax;
            if (budget >= explicitMax) {
                budget = explicitMax - 1;
                if (budget < AnthropicOptions.MIN_THINKING_BUDGET) {
                    budget = null; // no room for Anthropic's minimum budget within the client's cap
                }
            }
        }

        // --- the body, in Anthropic's documented field order ---
        ObjectNode body = F.objectNode();
        body.put("model", r.model());
        body.put("max_tokens", maxTokens);
        if (!system.isEmpty()) {
            body.set("system", system);
        }
        body.set("messages", messages);
        if (!tools.isEmpty()) {
            body.set("tools", tools);
        }
        if (toolChoice != null) {
            body.set("tool_choice", toolChoice);
        }
        Number topK = r.extra().get("top_k") instanceof Number n ? n : null;
        if (budget != null) {
            body.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
            // with thinking Anthropic rejects temperature (other than 1) and top_k, and top_p below 0.95
            if (r.topP() != null && r.topP() >= 0.95) {
                body.put("top_p", r.topP());
            }
        } else {
            if (r.temperature() != null) {
                body.put("temperature", Math.min(r.temperature(), 1.0));
            }
            if (r.topP() != null) {
                body.put("top_p", r.topP());
            }
            if (topK != null) {
                body.put("top_k", topK.intValue());
            }
        }
        if (r.stop() != null && !r.stop().isEmpty()) {
            ArrayNode stops = body.putArray("stop_sequences");
            r.stop().forEach(stops::add);
        }
        String user = r.user() != null ? r.user() : r.safetyIdentifier();
        if (user != null && !user.isEmpty()) {
            body.putObject("metadata").put("user_id", user);
        }
        if (r.isStream()) {
            body.put("stream", true);
        }
        return body;
    }

    private static String type(ObjectNode choice) {
        return choice == null ? null : choice.path("type").asText(null);
    }

    // ---------------------------------------------------------------- messages

    private static ArrayNode messages(List<ChatMessage> in, ArrayNode system) {
        List<String> roles = new ArrayList<>();
        List<ArrayNode> contents = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            ChatMessage m = in.get(i);
            String p = "messages[" + i + "]";
            String role;
            ArrayNode blocks;
            switch (m.role()) {
                case "system", "developer" -> {
                    system.addAll(textBlocks(m.content(), p, "system"));
                    continue;
                }
                case "user" -> {
                    role = "user";
                    blocks = userBlocks(m.content(), p);
                }
                case "assistant" -> {
                    role = "assistant";
                    blocks = assistantBlocks(m, p);
                }
                case "tool" -> {
                    role = "user";
                    blocks = F.arrayNode().add(toolResult(m, p));
                }
                default ->
                    throw GatewayException.invalidRequest(
                            p + ".role", "Role '" + m.role() + "' is not supported by provider type anthropic.");
            }
            if (blocks.isEmpty()) {
                continue; // Anthropic rejects empty content; an empty message carries nothing
            }
            int last = roles.size() - 1;
            if (last >= 0 && roles.get(last).equals(role)) {
                contents.get(last).addAll(blocks);
            } else {
                roles.add(role);
                contents.add(blocks);
            }
        }
        ArrayNode out = F.arrayNode();
        for (int i = 0; i < roles.size(); i++) {
            ArrayNode content = contents.get(i);
            if ("user".equals(roles.get(i))) {
                content = toolResultsFirst(content);
            }
            out.addObject().put("role", roles.get(i)).set("content", content);
        }
        return out;
    }

    /** Anthropic wants a user turn's tool_result blocks before any other block; keeps order otherwise. */
    private static ArrayNode toolResultsFirst(ArrayNode content) {
        ArrayNode results = F.arrayNode();
        ArrayNode rest = F.arrayNode();
        for (JsonNode b : content) {
            ("tool_result".equals(b.path("type").asText()) ? results : rest).add(b);
        }
        return results.addAll(rest);
    }

    /** True when the request continues an assistant tool-use turn: last assistant message called tools, only tool results follow. */
    private static boolean continuesToolTurn(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if ("assistant".equals(m.role())) {
                return m.toolCalls() != null && !m.toolCalls().isEmpty();
            }
            if (!"tool".equals(m.role())) {
                return false;
            }
        }
        return false;
    }

    private static ArrayNode textBlocks(MessageContent content, String p, String where) {
        ArrayNode out = F.arrayNode();
        if (content instanceof MessageContent.Text t) {
            addText(out, t.value(), null);
        } else if (content instanceof MessageContent.Parts parts) {
            for (int j = 0; j < parts.parts().size(); j++) {
                ContentPart part = parts.parts().get(j);
                if (part instanceof ContentPart.TextPart tp) {
                    addText(out, tp.text(), tp.extra().get("cache_control"));
                } else {
                    throw unsupportedPart(p + ".content[" + j + "]", part.type(), where);
                }
            }
        }
        return out;
    }

    private static void addText(ArrayNode out, String text, Object cacheControl) {
        if (text == null || text.isEmpty()) {
            return; // Anthropic rejects empty text blocks
        }
        ObjectNode b = out.addObject().put("type", "text").put("text", text);
        if (cacheControl != null) {
            b.set("cache_control", Json.MAPPER.valueToTree(cacheControl));
        }
    }

    private static ArrayNode userBlocks(MessageContent content, String p) {
        ArrayNode out = F.arrayNode();
        if (content instanceof MessageContent.Text t) {
            addText(out, t.value(), null);
        } else if (content instanceof MessageContent.Parts parts) {
            for (int j = 0; j < parts.parts().size(); j++) {
                ContentPart part = parts.parts().get(j);
                String pp = p + ".content[" + j + "]";
                if (part instanceof ContentPart.TextPart tp) {
                    addText(out, tp.text(), tp.extra().get("cache_control"));
                } else if (part instanceof ContentPart.ImageUrlPart img) {
                    ObjectNode b = image(img.imageUrl().url(), pp + ".image_url.url");
                    Object cc = img.extra().get("cache_control");
                    if (cc != null) {
                        b.set("cache_control", Json.MAPPER.valueToTree(cc));
                    }
                    out.add(b);
                } else if (part instanceof ContentPart.Other other && "file".equals(other.type())) {
                    out.add(document(other.node().path("file"), pp + ".file"));
                } else {
                    throw unsupportedPart(pp, part.type(), "user");
                }
            }
        }
        return out;
    }

    private static GatewayException unsupportedPart(String param, String type, String where) {
        return GatewayException.invalidRequest(
                param + ".type",
                "Content part type '" + type + "' is not supported in " + where
                        + " messages by provider type anthropic.");
    }

    /** An image_url part: a base64 {@code data:} URL or an http(s) URL. */
    private static ObjectNode image(String url, String param) {
        ObjectNode b = F.objectNode().put("type", "image");
        ObjectNode source = b.putObject("source");
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            String[] media = base64DataUrl(url, param);
            source.put("type", "base64").put("media_type", media[0]).put("data", media[1]);
        } else if (lower.startsWith("https://") || lower.startsWith("http://")) {
            source.put("type", "url").put("url", url);
        } else {
            throw GatewayException.invalidRequest(
                    param, "Invalid image URL: expected an http(s) URL or a base64 data URL.");
        }
        return b;
    }

    /** A {@code file} part with a base64 PDF in {@code file_data}: an Anthropic document block. */
    private static ObjectNode document(JsonNode file, String param) {
        JsonNode data = file.get("file_data");
        if (data == null || !data.isTextual()) {
            throw GatewayException.invalidRequest(
                    param,
                    "Provider type anthropic accepts file parts only with 'file_data' (a base64 data URL);"
                            + " 'file_id' is not supported.");
        }
        String[] media = base64DataUrl(data.asText(), param + ".file_data");
        if (!"application/pdf".equals(media[0])) {
            throw GatewayException.invalidRequest(
                    param + ".file_data",
                    "Provider type anthropic accepts PDF files only (media type application/pdf), got '" + media[0]
                            + "'.");
        }
        ObjectNode b = F.objectNode().put("type", "document");
        b.putObject("source").put("type", "base64").put("media_type", media[0]).put("data", media[1]);
        return b;
    }

    /** {media type, base64 data} of a {@code data:<type>;base64,<data>} URL. */
    private static String[] base64DataUrl(String url, String param) {
        Matcher m = DATA_URL.matcher(url);
        if (!m.matches() || !m.group(2).toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw GatewayException.invalidRequest(
                    param, "Invalid data URL: expected 'data:<media type>;base64,<data>'.");
        }
        return new String[] {m.group(1).toLowerCase(Locale.ROOT), m.group(3)};
    }

    private static ArrayNode assistantBlocks(ChatMessage m, String p) {
        // reasoning_content is dropped: Anthropic only accepts thinking blocks with their signature
        ArrayNode out = textBlocks(m.content(), p, "assistant");
        if (m.toolCalls() != null) {
            for (int j = 0; j < m.toolCalls().size(); j++) {
                out.add(toolUse(m.toolCalls().get(j), p + ".tool_calls[" + j + "]"));
            }
        }
        return out;
    }

    private static ObjectNode toolUse(ToolCall call, String p) {
        JsonNode input = ToolCalls.arguments(call, p, "anthropic");
        ObjectNode b = F.objectNode().put("type", "tool_use");
        b.put("id", call.id());
        b.put("name", call.function().name());
        b.set("input", input);
        return b;
    }

    private static ObjectNode toolResult(ChatMessage m, String p) {
        ObjectNode b = F.objectNode().put("type", "tool_result").put("tool_use_id", m.toolCallId());
        if (m.content() instanceof MessageContent.Text t) {
            if (!t.value().isEmpty()) {
                b.put("content", t.value());
            }
        } else if (m.content() instanceof MessageContent.Parts) {
            ArrayNode parts = userBlocks(m.content(), p);
            if (!parts.isEmpty()) {
                b.set("content", parts);
            }
        }
        return b;
    }

    // ---------------------------------------------------------------- tools

    private static ObjectNode tool(Tool t, int i) {
        String p = "tools[" + i + "]";
        if (!"function".equals(t.type()) || t.function() == null) {
            throw GatewayException.invalidRequest(
                    p + ".type",
                    "Tool type '" + t.type() + "' is not supported by provider type anthropic; use function tools.");
        }
        Tool.Function fn = t.function();
        if (JSON_TOOL.equals(fn.name())) {
            throw GatewayException.invalidRequest(
                    p + ".function.name",
                    "The tool name '" + JSON_TOOL + "' is reserved by Junction for response_format.");
        }
        ObjectNode node = F.objectNode().put("name", fn.name());
        if (fn.description() != null) {
            node.put("description", fn.description());
        }
        node.set(
                "input_schema",
                fn.parameters() != null && fn.parameters().isObject() ? fn.parameters() : emptySchema());
        Object cc = t.extra().get("cache_control");
        if (cc != null) {
            node.set("cache_control", Json.MAPPER.valueToTree(cc));
        }
        return node;
    }

    private static ObjectNode emptySchema() {
        ObjectNode s = F.objectNode().put("type", "object");
        s.putObject("properties");
        return s;
    }

    private static ObjectNode toolChoice(ToolChoice choice) {
        if (choice == null) {
            return null;
        }
        if (choice instanceof ToolChoice.Mode mode) {
            return switch (mode.value()) {
                case "auto" -> F.objectNode().put("type", "auto");
                case "none" -> F.objectNode().put("type", "none");
                case "required" -> F.objectNode().put("type", "any");
                default ->
                    throw GatewayException.invalidRequest(
                            "tool_choice",
                            "Invalid 'tool_choice': '" + mode.value() + "'. Expected none, auto or required.");
            };
        }
        if (choice instanceof ToolChoice.Named named) {
            return F.objectNode().put("type", "tool").put("name", named.functionName());
        }
        throw GatewayException.invalidRequest(
                "tool_choice",
                "This form of 'tool_choice' is not supported by provider type anthropic; use none, auto, required"
                        + " or {\"type\":\"function\",\"function\":{\"name\":...}}.");
    }

    /** The forced tool for response_format json_schema / json_object, or null for text / none. */
    private static ObjectNode jsonTool(ResponseFormat format) {
        if (format instanceof ResponseFormat.JsonSchema js) {
            ResponseFormat.JsonSchema.Spec spec = js.jsonSchema();
            StringBuilder d = new StringBuilder("Respond to the user by calling this tool: its input is the response,"
                    + " a JSON object following the schema '" + spec.name() + "'");
            if (spec.description() != null && !spec.description().isBlank()) {
                d.append(": ").append(spec.description());
            } else {
                d.append('.');
            }
            ObjectNode node = F.objectNode().put("name", JSON_TOOL).put("description", d.toString());
            node.set(
                    "input_schema",
                    spec.schema() != null && spec.schema().isObject()
                            ? spec.schema()
                            : F.objectNode().put("type", "object"));
            return node;
        }
        if (format instanceof ResponseFormat.JsonObject) {
            ObjectNode node = F.objectNode()
                    .put("name", JSON_TOOL)
                    .put(
                            "description",
                            "Respond to the user by calling this tool: its input is the response, a JSON" + " object.");
            node.putObject("input_schema").put("type", "object");
            return node;
        }
        return null;
    }
}
