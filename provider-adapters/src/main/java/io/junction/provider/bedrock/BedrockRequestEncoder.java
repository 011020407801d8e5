package io.junction.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ContentPart;
import io.junction.core.schema.MessageContent;
import io.junction.core.schema.ResponseFormat;
import io.junction.core.schema.Tool;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.ToolChoice;
import io.junction.provider.common.ToolCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI chat request to a Bedrock Converse / ConverseStream request body (the model id goes in
 * the URL, not the body). Pure: no I/O, no state. Every choice made where the two APIs differ is
 * listed in {@code docs/providers.md}.
 */
final class BedrockRequestEncoder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /**
     * The tool that carries {@code response_format} (json_schema / json_object): Converse has no JSON
     * mode, so the model is made to call this tool and its input becomes the message content. The name
     * is reserved: a client tool with this name is rejected.
     */
    static final String JSON_TOOL = "junction_json_response";

    private static final Pattern DATA_URL =
            Pattern.compile("^data:([^;,]+)((?:;[^;,]*)*),(.*)$", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    private static final Map<String, String> IMAGE_FORMATS = Map.of(
            "image/png", "png", "image/jpeg", "jpeg", "image/jpg", "jpeg", "image/gif", "gif", "image/webp", "webp");

    private static final Map<String, String> DOCUMENT_FORMATS = Map.of(
            "application/pdf", "pdf",
            "text/csv", "csv",
            "application/msword", "doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
            "application/vnd.ms-excel", "xls",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
            "text/html", "html",
            "text/plain", "txt",
            "text/markdown", "md");

    private BedrockRequestEncoder() {}

    /** True for Anthropic (Claude) models, by model id, inference-profile id or ARN. */
    static boolean isAnthropicModel(String modelId) {
        String m = modelId == null ? "" : modelId.toLowerCase(Locale.ROOT);
        return m.contains("anthropic.") || m.contains("claude");
    }

    static ObjectNode encode(ChatRequest r, String modelId, BedrockOptions options) {
        if (r.n() != null && r.n() > 1) {
            throw GatewayException.invalidRequest(
                    "n", "Invalid 'n': " + r.n() + ". Provider type bedrock returns one choice; 'n' must be 1.");
        }
        boolean anthropic = isAnthropicModel(modelId);
        ArrayNode system = F.arrayNode();
        boolean[] toolBlocks = new boolean[1];
        ArrayNode messages = messages(r.messages(), system, toolBlocks);

        // --- tools, tool_choice, JSON mode ---
        ArrayNode tools = F.arrayNode();
        if (r.tools() != null) {
            for (int i = 0; i < r.tools().size(); i++) {
                tool(r.tools().get(i), i, tools);
            }
        }
        boolean userTools = !tools.isEmpty();
        String mode = userTools ? toolChoiceMode(r.toolChoice()) : null; // null, auto, any, tool, none
        String forcedName = r.toolChoice() instanceof ToolChoice.Named n ? n.functionName() : null;
        ObjectNode jsonTool = jsonTool(r.responseFormat());
        if (jsonTool != null) {
            tools.add(jsonTool);
            if (!userTools || "none".equals(mode)) {
                mode = "tool";
                forcedName = JSON_TOOL;
            } else if (!"tool".equals(mode)) {
                mode = "any"; // the answer must be JSON: a client tool call or the JSON tool
            }
        }
        ObjectNode toolConfig = null;
        if (!tools.isEmpty()) {
            if ("none".equals(mode)) {
                // Converse has no "none"; it also rejects toolUse/toolResult history without toolConfig
                if (toolBlocks[0]) {
                    toolConfig = F.objectNode();
                    toolConfig.set("tools", tools);
                }
            } else {
                toolConfig = F.objectNode();
                toolConfig.set("tools", tools);
                if (mode != null) {
                    ObjectNode choice = toolConfig.putObject("toolChoice");
                    switch (mode) {
                        case "auto" -> choice.putObject("auto");
                        case "any" -> choice.putObject("any");
                        default -> choice.putObject("tool").put("name", forcedName);
                    }
                }
            }
        }

        // --- thinking (Anthropic models) and maxTokens ---
        Integer explicitMax = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        Integer budget = null;
        String effort = r.reasoningEffort();
        if (anthropic && effort != null && !"none".equals(effort)) {
            budget = options.thinkingBudgets().get(effort);
        }
        if (budget != null && ("any".equals(mode) || "tool".equals(mode))) {
            budget = null; // Anthropic: thinking may not be enabled when the tool choice forces tool use
        }
        if (budget != null && continuesToolTurn(r.messages())) {
            budget = null; // the turn's signed thinking block would have to be replayed; OpenAI clients lack it
        }
        Integer maxTokens = explicitMax;
        if (budget != null) {
            if (explicitMax == null) {
                maxTokens = options.defaultMaxTokens() + budget;
            } else if (budget >= explicitMax) {
                budget = explicitMax - 1;
                if (budget < BedrockOptions.MIN_THINKING_BUDGET) {
                    budget = null; // no room for Anthropic's minimum budget within the client's cap
                }
            }
        }

        ObjectNode inference = F.objectNode();
        if (maxTokens != null) {
            inference.put("maxTokens", maxTokens);
        }
        if (budget == null) {
            if (r.temperature() != null) {
                inference.put("temperature", Math.min(r.temperature(), 1.0));
            }
            if (r.topP() != null) {
                inference.put("topP", r.topP());
            }
        } else if (r.topP() != null && r.topP() >= 0.95) {
            // with thinking Anthropic rejects temperature (other than 1), top_k, and top_p below 0.95
            inference.put("topP", r.topP());
        }
        if (r.stop() != null) {
            ArrayNode stops = F.arrayNode();
            r.stop().stream().filter(s -> s != null && !s.isEmpty()).forEach(stops::add);
            if (!stops.isEmpty()) {
                inference.set("stopSequences", stops);
            }
        }

        ObjectNode additional = F.objectNode();
        if (budget != null) {
            additional.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
        } else if (anthropic && r.extra().get("top_k") instanceof Number topK) {
            additional.put("top_k", topK.intValue());
        }

        // --- the body, in the service model's member order ---
        ObjectNode body = F.objectNode();
        body.set("messages", messages);
        if (!system.isEmpty()) {
            body.set("system", system);
        }
        if (!inference.isEmpty()) {
            body.set("inferenceConfig", inference);
        }
        if (toolConfig != null) {
            body.set("toolConfig", toolConfig);
        }
        if (!additional.isEmpty()) {
            body.set("additionalModelRequestFields", additional);
        }
        return body;
    }

    // ---------------------------------------------------------------- messages

    private static ArrayNode messages(List<ChatMessage> in, ArrayNode system, boolean[] toolBlocks) {
        List<String> roles = new ArrayList<>();
        List<ArrayNode> contents = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            ChatMessage m = in.get(i);
            String p = "messages[" + i + "]";
            String role;
            ArrayNode blocks;
            switch (m.role()) {
                case "system", "developer" -> {
                    system.addAll(systemBlocks(m.content(), p));
                    continue;
                }
                case "user" -> {
                    role = "user";
                    blocks = userBlocks(m.content(), p, "user");
                }
                case "assistant" -> {
                    role = "assistant";
                    blocks = assistantBlocks(m, p);
                    if (m.toolCalls() != null && !m.toolCalls().isEmpty()) {
                        toolBlocks[0] = true;
                    }
                }
                case "tool" -> {
                    role = "user";
                    blocks = F.arrayNode().add(toolResult(m, p));
                    toolBlocks[0] = true;
                }
                default ->
                    throw GatewayException.invalidRequest(
                            p + ".role", "Role '" + m.role() + "' is not supported by provider type bedrock.");
            }
            if (blocks.isEmpty()) {
                continue; // Bedrock rejects empty content; an empty message carries nothing
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

    /** Tool results first in a user turn (Anthropic models on Bedrock require it); order kept otherwise. */
    private static ArrayNode toolResultsFirst(ArrayNode content) {
        ArrayNode results = F.arrayNode();
        ArrayNode rest = F.arrayNode();
        for (JsonNode b : content) {
            (b.has("toolResult") ? results : rest).add(b);
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

    private static ArrayNode systemBlocks(MessageContent content, String p) {
        ArrayNode out = F.arrayNode();
        if (content instanceof MessageContent.Text t) {
            addText(out, t.value());
        } else if (content instanceof MessageContent.Parts parts) {
            for (int j = 0; j < parts.parts().size(); j++) {
                ContentPart part = parts.parts().get(j);
                if (part instanceof ContentPart.TextPart tp) {
                    addText(out, tp.text());
                    addCachePoint(out, tp.extra().get("cache_control"));
                } else {
                    throw unsupportedPart(p + ".content[" + j + "]", part.type(), "system");
                }
            }
        }
        return out;
    }

    private static void addText(ArrayNode out, String text) {
        if (text != null && !text.isEmpty()) {
            out.addObject().put("text", text); // Bedrock rejects blank text blocks
        }
    }

    /** OpenAI-style {@code cache_control} on a part → a Bedrock {@code cachePoint} block after it. */
    private static void addCachePoint(ArrayNode out, Object cacheControl) {
        if (cacheControl == null || out.isEmpty()) {
            return;
        }
        ObjectNode point = F.objectNode().put("type", "default");
        if (cacheControl instanceof Map<?, ?> cc && ("5m".equals(cc.get("ttl")) || "1h".equals(cc.get("ttl")))) {
            point.put("ttl", (String) cc.get("ttl"));
        }
        out.addObject().set("cachePoint", point);
    }

    private static ArrayNode userBlocks(MessageContent content, String p, String where) {
        ArrayNode out = F.arrayNode();
        if (content instanceof MessageContent.Text t) {
            addText(out, t.value());
        } else if (content instanceof MessageContent.Parts parts) {
            int documents = 0;
            for (int j = 0; j < parts.parts().size(); j++) {
                ContentPart part = parts.parts().get(j);
                String pp = p + ".content[" + j + "]";
                boolean cache = !"tool".equals(where); // a tool result's content has no cachePoint
                if (part instanceof ContentPart.TextPart tp) {
                    addText(out, tp.text());
                    addCachePoint(out, cache ? tp.extra().get("cache_control") : null);
                } else if (part instanceof ContentPart.ImageUrlPart img) {
                    out.add(image(img.imageUrl().url(), pp + ".image_url.url"));
                    addCachePoint(out, cache ? img.extra().get("cache_control") : null);
                } else if (part instanceof ContentPart.Other other
                        && "file".equals(other.type())
                        && "user".equals(where)) {
                    out.add(document(other.node().path("file"), pp + ".file", ++documents));
                } else {
                    throw unsupportedPart(pp, part.type(), where);
                }
            }
        }
        return out;
    }

    private static GatewayException unsupportedPart(String param, String type, String where) {
        return GatewayException.invalidRequest(
                param + ".type",
                "Content part type '" + type + "' is not supported in " + where
                        + " messages by provider type bedrock.");
    }

    /** An image_url part: Bedrock takes image bytes only, so the URL must be a base64 data URL. */
    private static ObjectNode image(String url, String param) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            throw GatewayException.invalidRequest(
                    param,
                    "Provider type bedrock cannot fetch image URLs: send the image inline as a base64 data URL"
                            + " (data:image/png;base64,...).");
        }
        if (!lower.startsWith("data:")) {
            throw GatewayException.invalidRequest(param, "Invalid image URL: expected a base64 data URL.");
        }
        String[] media = base64DataUrl(url, param);
        String format = IMAGE_FORMATS.get(media[0]);
        if (format == null) {
            throw GatewayException.invalidRequest(
                    param, "Provider type bedrock accepts png, jpeg, gif and webp images, got '" + media[0] + "'.");
        }
        ObjectNode b = F.objectNode();
        ObjectNode image = b.putObject("image").put("format", format);
        image.putObject("source").put("bytes", media[1]);
        return b;
    }

    /** A {@code file} part with a base64 {@code file_data}: a Bedrock document block. */
    private static ObjectNode document(JsonNode file, String param, int ordinal) {
        JsonNode data = file.get("file_data");
        if (data == null || !data.isTextual()) {
            throw GatewayException.invalidRequest(
                    param,
                    "Provider type bedrock accepts file parts only with 'file_data' (a base64 data URL);"
                            + " 'file_id' is not supported.");
        }
        String[] media = base64DataUrl(data.asText(), param + ".file_data");
        String format = DOCUMENT_FORMATS.get(media[0]);
        if (format == null) {
            throw GatewayException.invalidRequest(
                    param + ".file_data",
                    "Provider type bedrock accepts pdf, csv, doc, docx, xls, xlsx, html, txt and md files, got '"
                            + media[0] + "'.");
        }
        ObjectNode b = F.objectNode();
        ObjectNode doc = b.putObject("document")
                .put("format", format)
                .put("name", documentName(file.path("filename").asText(""), ordinal));
        doc.putObject("source").put("bytes", media[1]);
        return b;
    }

    /**
     * Bedrock document names allow letters, digits, single spaces, hyphens, parentheses and square
     * brackets: the file name without its extension, other characters replaced by spaces.
     */
    static String documentName(String filename, int ordinal) {
        String base = filename;
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        base = base.replaceAll("[^A-Za-z0-9\\-()\\[\\] ]", " ")
                .replaceAll("\\s+", " ")
                .strip();
        if (base.length() > 200) {
            base = base.substring(0, 200).strip();
        }
        return base.isEmpty() ? "document-" + ordinal : base;
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
        // reasoning_content is dropped: Bedrock only accepts reasoning blocks with their signature
        ArrayNode out = F.arrayNode();
        if (m.content() instanceof MessageContent.Text t) {
            addText(out, t.value());
        } else if (m.content() instanceof MessageContent.Parts parts) {
            for (int j = 0; j < parts.parts().size(); j++) {
                ContentPart part = parts.parts().get(j);
                if (part instanceof ContentPart.TextPart tp) {
                    addText(out, tp.text());
                } else {
                    throw unsupportedPart(p + ".content[" + j + "]", part.type(), "assistant");
                }
            }
        }
        if (m.toolCalls() != null) {
            for (int j = 0; j < m.toolCalls().size(); j++) {
                out.add(toolUse(m.toolCalls().get(j), p + ".tool_calls[" + j + "]"));
            }
        }
        return out;
    }

    private static ObjectNode toolUse(ToolCall call, String p) {
        JsonNode input = ToolCalls.arguments(call, p, "bedrock");
        ObjectNode b = F.objectNode();
        ObjectNode use = b.putObject("toolUse");
        use.put("toolUseId", call.id());
        use.put("name", call.function().name());
        use.set("input", input);
        return b;
    }

    private static ObjectNode toolResult(ChatMessage m, String p) {
        if (m.toolCallId() == null || m.toolCallId().isEmpty()) {
            throw GatewayException.invalidRequest(
                    p + ".tool_call_id", "Missing required parameter: '" + p + ".tool_call_id'.");
        }
        ArrayNode content;
        if (m.content() instanceof MessageContent.Parts) {
            content = userBlocks(m.content(), p, "tool");
        } else {
            content = F.arrayNode();
            addText(content, m.content() == null ? null : m.content().text());
        }
        ObjectNode b = F.objectNode();
        ObjectNode result = b.putObject("toolResult");
        result.put("toolUseId", m.toolCallId());
        result.set("content", content);
        return b;
    }

    // ---------------------------------------------------------------- tools

    private static void tool(Tool t, int i, ArrayNode out) {
        String p = "tools[" + i + "]";
        if (!"function".equals(t.type()) || t.function() == null) {
            throw GatewayException.invalidRequest(
                    p + ".type",
                    "Tool type '" + t.type() + "' is not supported by provider type bedrock; use function tools.");
        }
        Tool.Function fn = t.function();
        if (JSON_TOOL.equals(fn.name())) {
            throw GatewayException.invalidRequest(
                    p + ".function.name",
                    "The tool name '" + JSON_TOOL + "' is reserved by Junction for response_format.");
        }
        ObjectNode spec = F.objectNode().put("name", fn.name());
        if (fn.description() != null && !fn.description().isEmpty()) {
            spec.put("description", fn.description());
        }
        spec.putObject("inputSchema")
                .set("json", fn.parameters() != null && fn.parameters().isObject() ? fn.parameters() : emptySchema());
        out.addObject().set("toolSpec", spec);
        if (t.extra().get("cache_control") != null) {
            out.addObject().putObject("cachePoint").put("type", "default");
        }
    }

    private static ObjectNode emptySchema() {
        ObjectNode s = F.objectNode().put("type", "object");
        s.putObject("properties");
        return s;
    }

    /** {@code tool_choice} as null (not given), auto, any, tool (named) or none. */
    private static String toolChoiceMode(ToolChoice choice) {
        if (choice == null) {
            return null;
        }
        if (choice instanceof ToolChoice.Mode mode) {
            return switch (mode.value()) {
                case "auto" -> "auto";
                case "none" -> "none";
                case "required" -> "any";
                default ->
                    throw GatewayException.invalidRequest(
                            "tool_choice",
                            "Invalid 'tool_choice': '" + mode.value() + "'. Expected none, auto or required.");
            };
        }
        if (choice instanceof ToolChoice.Named) {
            return "tool";
        }
        throw GatewayException.invalidRequest(
                "tool_choice",
                "This form of 'tool_choice' is not supported by provider type bedrock; use none, auto, required"
                        + " or {\"type\":\"function\",\"function\":{\"name\":...}}.");
    }

    /** The forced tool for response_format json_schema / json_object, or null for text / none. */
    private static ObjectNode jsonTool(ResponseFormat format) {
        JsonNode schema;
        StringBuilder d = new StringBuilder(
                "Respond to the user by calling this tool: its input is the response, a" + " JSON object");
        if (format instanceof ResponseFormat.JsonSchema js) {
            ResponseFormat.JsonSchema.Spec spec = js.jsonSchema();
            d.append(" following the schema '").append(spec.name()).append('\'');
            if (spec.description() != null && !spec.description().isBlank()) {
                d.append(": ").append(spec.description());
            } else {
                d.append('.');
            }
            schema = spec.schema() != null && spec.schema().isObject()
                    ? spec.schema()
                    : F.objectNode().put("type", "object");
        } else if (format instanceof ResponseFormat.JsonObject) {
            d.append('.');
            schema = F.objectNode().put("type", "object");
        } else {
            return null;
        }
        ObjectNode spec = F.objectNode().put("name", JSON_TOOL).put("description", d.toString());
        spec.putObject("inputSchema").set("json", schema);
        ObjectNode tool = F.objectNode();
        tool.set("toolSpec", spec);
        return tool;
    }
}
