package io.junction.provider.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
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
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI chat request to a Gemini {@code GenerateContentRequest} body (lowerCamelCase proto JSON).
 * Pure: no I/O, no state. Every choice made where the two APIs differ is listed in
 * {@code docs/providers.md}.
 */
final class GeminiRequestEncoder {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /**
     * The value Google documents for a function call whose real thought signature is unknown (history
     * the model did not produce, or produced for a client that cannot keep signatures). Gemini 3
     * rejects a replayed function call without any signature.
     */
    static final String SIGNATURE_PLACEHOLDER = "skip_thought_signature_validator";

    /** Reads one JSON document and nothing after it ({@code {"a":1} trailing} is not JSON). */
    private static final ObjectReader STRICT_JSON =
            Json.MAPPER.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Pattern DATA_URL =
            Pattern.compile("^data:([^;,]+)((?:;[^;,]*)*),(.*)$", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    /** {@code gemini-3…}, {@code models/gemini-3.1-pro}, {@code gemini-10-…}: the major version is group 1. */
    private static final Pattern GEMINI_MAJOR = Pattern.compile("(?:^|/)gemini-(\\d+)");

    private static final Map<String, String> MIME_BY_EXTENSION = Map.ofEntries(
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("heic", "image/heic"),
            Map.entry("heif", "image/heif"),
            Map.entry("pdf", "application/pdf"));

    /** The mime type of an http(s) image URL whose path has no known extension. */
    static final String DEFAULT_IMAGE_MIME = "image/jpeg";

    private GeminiRequestEncoder() {}

    static ObjectNode encode(ChatRequest r, GeminiOptions options) {
        ObjectNode body = F.objectNode();
        ArrayNode system = F.arrayNode();
        body.set("contents", contents(r.messages(), system, placeholder(r.model(), options)));
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").set("parts", system);
        }

        ArrayNode declarations = F.arrayNode();
        if (r.tools() != null) {
            for (int i = 0; i < r.tools().size(); i++) {
                declarations.add(declaration(r.tools().get(i), i, options));
            }
        }
        if (!declarations.isEmpty()) {
            body.putArray("tools").addObject().set("functionDeclarations", declarations);
            ObjectNode calling = functionCalling(r.toolChoice());
            if (calling != null) {
                body.putObject("toolConfig").set("functionCallingConfig", calling);
            }
        }
        if (r.extra().get("cached_content") instanceof String cached && !cached.isBlank()) {
            body.put("cachedContent", cached); // an explicit cache made with Gemini's cachedContents API
        }
        if (!options.safetySettings().isEmpty()) {
            body.set("safetySettings", Json.MAPPER.valueToTree(options.safetySettings()));
        }
        ObjectNode config = generationConfig(r, options);
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        return body;
    }

    private static boolean placeholder(String model, GeminiOptions options) {
        return switch (options.signaturePlaceholder()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> {
                Matcher m = GEMINI_MAJOR.matcher(model == null ? "" : model);
                if (!m.find()) {
                    yield false;
                }
                String major = m.group(1).replaceFirst("^0+", "");
                yield major.length() > 1 || (major.length() == 1 && major.charAt(0) >= '3');
            }
        };
    }

    // ---------------------------------------------------------------- generationConfig

    private static ObjectNode generationConfig(ChatRequest r, GeminiOptions options) {
        ObjectNode c = F.objectNode();
        if (r.stop() != null && !r.stop().isEmpty()) {
            ArrayNode stops = c.putArray("stopSequences");
            r.stop().forEach(stops::add);
        }
        if (r.modalities() != null && !r.modalities().isEmpty()) {
            ArrayNode modalities = c.putArray("responseModalities");
            for (String m : r.modalities()) {
                if (!"text".equals(m)) {
                    throw GatewayException.invalidRequest(
                            "modalities",
                            "Invalid 'modalities': '" + m + "'. Provider type gemini answers with text only.");
                }
                modalities.add("TEXT");
            }
        }
        if (r.n() != null) {
            c.put("candidateCount", r.n());
        }
        Integer max = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        if (max != null) {
            c.put("maxOutputTokens", max);
        }
        if (r.temperature() != null) {
            c.put("temperature", r.temperature());
        }
        if (r.topP() != null) {
            c.put("topP", r.topP());
        }
        if (r.extra().get("top_k") instanceof Number topK) {
            c.put("topK", topK.intValue());
        }
        if (r.seed() != null) {
            c.put("seed", r.seed());
        }
        if (r.presencePenalty() != null) {
            c.put("presencePenalty", r.presencePenalty());
        }
        if (r.frequencyPenalty() != null) {
            c.put("frequencyPenalty", r.frequencyPenalty());
        }
        if (Boolean.TRUE.equals(r.logprobs())) {
            c.put("responseLogprobs", true);
            if (r.topLogprobs() != null) {
                c.put("logprobs", r.topLogprobs());
            }
        }
        ResponseFormat format = r.responseFormat();
        if (format instanceof ResponseFormat.JsonObject) {
            c.put("responseMimeType", "application/json");
        } else if (format instanceof ResponseFormat.JsonSchema js) {
            c.put("responseMimeType", "application/json");
            JsonNode schema = js.jsonSchema() == null ? null : js.jsonSchema().schema();
            if (schema != null && schema.isObject()) {
                if (options.schemaMode() == GeminiOptions.SchemaMode.OPENAPI) {
                    c.set("responseSchema", GeminiSchemas.convert(schema, true));
                } else {
                    c.set("responseJsonSchema", schema);
                }
            }
        }
        if (r.reasoningEffort() != null) {
            GeminiOptions.Thinking t = options.thinking().get(r.reasoningEffort());
            if (t != null) {
                ObjectNode thinking = c.putObject("thinkingConfig");
                if (t.level() != null) {
                    thinking.put("thinkingLevel", t.level());
                } else {
                    thinking.put("thinkingBudget", t.budget());
                }
                if (!t.off()) {
                    thinking.put("includeThoughts", true);
                }
            }
        }
        return c;
    }

    // ---------------------------------------------------------------- contents

    private static ArrayNode contents(List<ChatMessage> in, ArrayNode system, boolean placeholder) {
        Map<String, String> toolNames = new HashMap<>();
        List<String> roles = new ArrayList<>();
        List<ArrayNode> parts = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            ChatMessage m = in.get(i);
            String p = "messages[" + i + "]";
            String role;
            ArrayNode out;
            switch (m.role()) {
                case "system", "developer" -> {
                    system.addAll(textParts(m.content(), p, "system"));
                    continue;
                }
                case "user" -> {
                    role = "user";
                    out = userParts(m.content(), p);
                }
                case "assistant" -> {
                    role = "model";
                    out = modelParts(m, p, toolNames, placeholder);
                }
                case "tool" -> {
                    role = "user";
                    out = F.arrayNode().add(functionResponse(m, p, toolNames));
                }
                default ->
                    throw GatewayException.invalidRequest(
                            p + ".role", "Role '" + m.role() + "' is not supported by provider type gemini.");
            }
            if (out.isEmpty()) {
                continue; // Gemini rejects a Content without parts; an empty message carries nothing
            }
            int last = roles.size() - 1;
            if (last >= 0 && roles.get(last).equals(role)) {
                parts.get(last).addAll(out);
            } else {
                roles.add(role);
                parts.add(out);
            }
        }
        ArrayNode contents = F.arrayNode();
        for (int i = 0; i < roles.size(); i++) {
            ArrayNode p = "user".equals(roles.get(i)) ? functionResponsesFirst(parts.get(i)) : parts.get(i);
            ObjectNode content = contents.addObject();
            content.put("role", roles.get(i));
            content.set("parts", p);
        }
        return contents;
    }

    /** A user turn answering function calls starts with the responses, in call order; other parts follow. */
    private static ArrayNode functionResponsesFirst(ArrayNode parts) {
        ArrayNode responses = F.arrayNode();
        ArrayNode rest = F.arrayNode();
        for (JsonNode part : parts) {
            (part.has("functionResponse") ? responses : rest).add(part);
        }
        return responses.addAll(rest);
    }

    private static ArrayNode textParts(MessageContent content, String p, String where) {
        ArrayNode out = F.arrayNode();
        if (content instanceof MessageContent.Text t) {
            addText(out, t.value());
        } else if (content instanceof MessageContent.Parts list) {
            for (int j = 0; j < list.parts().size(); j++) {
                ContentPart part = list.parts().get(j);
                if (part instanceof ContentPart.TextPart tp) {
                    addText(out, tp.text());
                } else {
                    throw unsupportedPart(p + ".content[" + j + "]", part.type(), where);
                }
            }
        }
        return out;
    }

    private static void addText(ArrayNode out, String text) {
        if (text != null && !text.isEmpty()) {
            out.addObject().put("text", text); // Gemini rejects empty text parts
        }
    }

    private static ArrayNode userParts(MessageContent content, String p) {
        ArrayNode out = F.arrayNode();
        if (content instanceof MessageContent.Text t) {
            addText(out, t.value());
        } else if (content instanceof MessageContent.Parts list) {
            for (int j = 0; j < list.parts().size(); j++) {
                ContentPart part = list.parts().get(j);
                String pp = p + ".content[" + j + "]";
                if (part instanceof ContentPart.TextPart tp) {
                    addText(out, tp.text());
                } else if (part instanceof ContentPart.ImageUrlPart img) {
                    out.add(image(img.imageUrl().url(), pp + ".image_url.url"));
                } else if (part instanceof ContentPart.Other other && "input_audio".equals(other.type())) {
                    out.add(audio(other.node().path("input_audio"), pp + ".input_audio"));
                } else if (part instanceof ContentPart.Other other && "file".equals(other.type())) {
                    out.add(file(other.node().path("file"), pp + ".file"));
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
                "Content part type '" + type + "' is not supported in " + where + " messages by provider type gemini.");
    }

    /** An image_url part: a base64 {@code data:} URL inline, an http(s) or gs:// URL by reference. */
    private static ObjectNode image(String url, String param) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            String[] media = base64DataUrl(url, param);
            ObjectNode part = F.objectNode();
            part.putObject("inlineData").put("mimeType", media[0]).put("data", media[1]);
            return part;
        }
        if (lower.startsWith("https://") || lower.startsWith("http://") || lower.startsWith("gs://")) {
            ObjectNode part = F.objectNode();
            ObjectNode data = part.putObject("fileData");
            String mime = mimeOfUrl(url);
            if (mime != null) {
                data.put("mimeType", mime);
            }
            data.put("fileUri", url);
            return part;
        }
        throw GatewayException.invalidRequest(
                param, "Invalid image URL: expected an http(s) or gs:// URL or a base64 data URL.");
    }

    /**
     * The mime type for a file URL: from the path's extension, none for YouTube links (Gemini reads
     * the video itself), else {@link #DEFAULT_IMAGE_MIME} since the part is an image.
     */
    static String mimeOfUrl(String url) {
        String path;
        String host;
        try {
            URI uri = URI.create(url.trim());
            path = uri.getPath() == null ? "" : uri.getPath();
            host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return DEFAULT_IMAGE_MIME;
        }
        if (host.equals("youtu.be") || host.equals("youtube.com") || host.endsWith(".youtube.com")) {
            return null;
        }
        int dot = path.lastIndexOf('.');
        if (dot >= 0 && dot > path.lastIndexOf('/')) {
            String mime = MIME_BY_EXTENSION.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (mime != null) {
                return mime;
            }
        }
        return DEFAULT_IMAGE_MIME;
    }

    /** An {@code input_audio} part ({@code {data, format: wav|mp3}}) inline. */
    private static ObjectNode audio(JsonNode audio, String param) {
        JsonNode data = audio.get("data");
        String format = audio.path("format").asText("");
        if (data == null || !data.isTextual() || format.isEmpty()) {
            throw GatewayException.invalidRequest(param, "An input_audio part needs 'data' (base64) and 'format'.");
        }
        String mime =
                switch (format.toLowerCase(Locale.ROOT)) {
                    case "mp3" -> "audio/mp3";
                    case "wav" -> "audio/wav";
                    default -> "audio/" + format.toLowerCase(Locale.ROOT);
                };
        ObjectNode part = F.objectNode();
        part.putObject("inlineData").put("mimeType", mime).put("data", data.asText());
        return part;
    }

    /** A {@code file} part with a base64 data URL in {@code file_data}: inline data of its media type. */
    private static ObjectNode file(JsonNode file, String param) {
        JsonNode data = file.get("file_data");
        if (data == null || !data.isTextual()) {
            throw GatewayException.invalidRequest(
                    param,
                    "Provider type gemini accepts file parts only with 'file_data' (a base64 data URL);"
                            + " 'file_id' is not supported.");
        }
        String[] media = base64DataUrl(data.asText(), param + ".file_data");
        ObjectNode part = F.objectNode();
        part.putObject("inlineData").put("mimeType", media[0]).put("data", media[1]);
        return part;
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

    private static ArrayNode modelParts(ChatMessage m, String p, Map<String, String> toolNames, boolean placeholder) {
        // reasoning_content is dropped: Gemini does not take thought summaries back
        ArrayNode out = textParts(m.content(), p, "assistant");
        if (m.toolCalls() != null) {
            for (int j = 0; j < m.toolCalls().size(); j++) {
                ToolCall call = m.toolCalls().get(j);
                ObjectNode part = functionCall(call, p + ".tool_calls[" + j + "]");
                if (placeholder && j == 0) {
                    // Gemini 3 checks the first function call of each model step for a signature
                    part.put("thoughtSignature", SIGNATURE_PLACEHOLDER);
                }
                out.add(part);
                if (call.id() != null) {
                    toolNames.put(call.id(), call.function().name());
                }
            }
        }
        return out;
    }

    private static ObjectNode functionCall(ToolCall call, String p) {
        JsonNode parsed = ToolCalls.arguments(call, p, "gemini");
        ObjectNode part = F.objectNode();
        ObjectNode fc = part.putObject("functionCall");
        fc.put("name", call.function().name());
        fc.set("args", parsed);
        return part;
    }

    /**
     * A tool message as a {@code functionResponse}. Gemini matches responses to calls by function
     * name, so the name is looked up from the assistant tool call with this {@code tool_call_id}.
     * Content that is a JSON object is the response; anything else is wrapped as {@code {"result": text}}.
     */
    private static ObjectNode functionResponse(ChatMessage m, String p, Map<String, String> toolNames) {
        String name = m.toolCallId() == null ? null : toolNames.get(m.toolCallId());
        if (name == null) {
            name = m.name();
        }
        if (name == null) {
            throw GatewayException.invalidRequest(
                    p + ".tool_call_id",
                    "Invalid '" + p + ".tool_call_id': '" + m.toolCallId()
                            + "' does not match a tool call of an earlier assistant message; provider type gemini"
                            + " needs the function's name.");
        }
        String text;
        if (m.content() instanceof MessageContent.Parts list) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < list.parts().size(); j++) {
                ContentPart part = list.parts().get(j);
                if (part instanceof ContentPart.TextPart tp) {
                    sb.append(tp.text() == null ? "" : tp.text());
                } else {
                    throw unsupportedPart(p + ".content[" + j + "]", part.type(), "tool");
                }
            }
            text = sb.toString();
        } else {
            text = m.text();
        }
        JsonNode response = null;
        String trimmed = text.strip();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode parsed = STRICT_JSON.readValue(trimmed);
                if (parsed != null && parsed.isObject()) {
                    response = parsed;
                }
            } catch (JsonProcessingException e) {
                // not JSON: wrapped below
            }
        }
        if (response == null) {
            response = F.objectNode().put("result", text);
        }
        ObjectNode part = F.objectNode();
        ObjectNode fr = part.putObject("functionResponse");
        fr.put("name", name);
        fr.set("response", response);
        return part;
    }

    // ---------------------------------------------------------------- tools

    private static ObjectNode declaration(Tool t, int i, GeminiOptions options) {
        String p = "tools[" + i + "]";
        if (!"function".equals(t.type()) || t.function() == null) {
            throw GatewayException.invalidRequest(
                    p + ".type",
                    "Tool type '" + t.type() + "' is not supported by provider type gemini; use function tools.");
        }
        Tool.Function fn = t.function();
        ObjectNode d = F.objectNode().put("name", fn.name());
        if (fn.description() != null) {
            d.put("description", fn.description());
        }
        JsonNode params = fn.parameters();
        if (params != null && params.isObject()) {
            if (options.schemaMode() == GeminiOptions.SchemaMode.OPENAPI) {
                ObjectNode converted = GeminiSchemas.parameters(params);
                if (converted != null) {
                    d.set("parameters", converted);
                }
            } else {
                d.set("parametersJsonSchema", params);
            }
        }
        return d;
    }

    private static ObjectNode functionCalling(ToolChoice choice) {
        if (choice == null) {
            return null;
        }
        if (choice instanceof ToolChoice.Mode mode) {
            return switch (mode.value()) {
                case "auto" -> F.objectNode().put("mode", "AUTO");
                case "none" -> F.objectNode().put("mode", "NONE");
                case "required" -> F.objectNode().put("mode", "ANY");
                default ->
                    throw GatewayException.invalidRequest(
                            "tool_choice",
                            "Invalid 'tool_choice': '" + mode.value() + "'. Expected none, auto or required.");
            };
        }
        if (choice instanceof ToolChoice.Named named) {
            ObjectNode c = F.objectNode().put("mode", "ANY");
            c.putArray("allowedFunctionNames").add(named.functionName());
            return c;
        }
        throw GatewayException.invalidRequest(
                "tool_choice",
                "This form of 'tool_choice' is not supported by provider type gemini; use none, auto, required"
                        + " or {\"type\":\"function\",\"function\":{\"name\":...}}.");
    }
}
