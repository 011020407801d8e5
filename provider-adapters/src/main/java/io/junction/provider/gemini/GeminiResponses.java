package io.junction.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.MessageContent;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** A non-streamed {@code GenerateContentResponse} to an OpenAI {@code chat.completion}, plus mappings shared with streams. */
final class GeminiResponses {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private GeminiResponses() {}

    /**
     * @param fallbackId used for {@code id} and tool call ids when the response has no {@code responseId}
     */
    static ChatResponse decode(ByteBuf body, Target target, long created, String fallbackId) {
        String provider = target.provider().name();
        JsonNode root;
        try {
            root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a GenerateContentResponse (invalid JSON)");
        }
        if (root == null || !root.isObject()) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a GenerateContentResponse (not an object)");
        }
        if (root.path("error").isObject()) {
            throw GeminiErrors.inBody(root.get("error"), target);
        }
        String responseId = textOrNull(root, "responseId");
        String idBase = responseId != null ? responseId : fallbackId;
        JsonNode candidates = root.get("candidates");
        List<ChatResponse.Choice> choices = new ArrayList<>();
        if (candidates != null && candidates.isArray() && !candidates.isEmpty()) {
            for (int pos = 0; pos < candidates.size(); pos++) {
                choices.add(choice(candidates.get(pos), pos, idBase, target));
            }
            choices.sort(Comparator.comparingInt(ChatResponse.Choice::index));
        } else if (blockReason(root) != null) {
            ChatMessage refused = new ChatMessage("assistant", null, null, null, null, refusal(root), null, null);
            choices.add(new ChatResponse.Choice(0, refused, null, "content_filter", null));
        } else {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a GenerateContentResponse (no 'candidates')");
        }
        String model = textOrNull(root, "modelVersion");
        return new ChatResponse(
                responseId != null ? responseId : "chatcmpl-" + fallbackId,
                "chat.completion",
                created,
                model != null ? model : target.model(),
                choices,
                usage(root.get("usageMetadata")),
                null,
                null,
                null,
                null);
    }

    private static ChatResponse.Choice choice(JsonNode candidate, int position, String idBase, Target target) {
        int index = candidate.path("index").canConvertToInt()
                ? candidate.get("index").intValue()
                : position;
        String reason = textOrNull(candidate, "finishReason");
        if (isToolCallFailure(reason)) {
            throw toolCallFailure(reason, textOrNull(candidate, "finishMessage"), target);
        }
        StringBuilder text = null;
        StringBuilder reasoning = null;
        List<ToolCall> toolCalls = new ArrayList<>();
        for (JsonNode part : candidate.path("content").path("parts")) {
            JsonNode call = part.get("functionCall");
            if (call != null && call.isObject()) {
                toolCalls.add(ToolCall.function(
                        toolCallId(idBase, index, toolCalls.size(), call),
                        call.path("name").asText(null),
                        arguments(call)));
            } else if (part.path("text").isTextual()
                    && !part.get("text").asText().isEmpty()) {
                // an empty text part only carries a thoughtSignature (streams end with one)
                if (part.path("thought").asBoolean(false)) {
                    reasoning = reasoning == null ? new StringBuilder() : reasoning;
                    reasoning.append(part.get("text").asText());
                } else {
                    text = text == null ? new StringBuilder() : text;
                    text.append(part.get("text").asText());
                }
            }
            // inlineData, executableCode, codeExecutionResult, ...: nothing an OpenAI chat client reads
        }
        String content = text != null ? text.toString() : toolCalls.isEmpty() ? "" : null;
        ChatMessage message = new ChatMessage(
                "assistant",
                content == null ? null : new MessageContent.Text(content),
                null,
                toolCalls.isEmpty() ? null : toolCalls,
                null,
                null,
                reasoning == null ? null : reasoning.toString(),
                null);
        return new ChatResponse.Choice(
                index,
                message,
                logprobs(candidate.get("logprobsResult")),
                finishReason(reason, !toolCalls.isEmpty()),
                null);
    }

    /** The function call's {@code args} as compact JSON; {@code {}} when absent. */
    static String arguments(JsonNode functionCall) {
        JsonNode args = functionCall.get("args");
        return args == null || args.isNull() ? "{}" : args.toString();
    }

    /**
     * The OpenAI id of a function call: Gemini's own {@code id} when it sent one, else
     * {@code call_<responseId>_<k>} where {@code k} counts the candidate's calls from 0 (and
     * {@code call_<responseId>_<candidate>_<k>} for candidates after the first). The same answer
     * always gets the same ids, streamed or not, and ids of different answers differ.
     */
    static String toolCallId(String idBase, int candidate, int ordinal, JsonNode functionCall) {
        JsonNode own = functionCall.get("id");
        if (own != null && own.isTextual() && !own.asText().isEmpty()) {
            return own.asText();
        }
        return "call_" + idBase + (candidate == 0 ? "" : "_" + candidate) + "_" + ordinal;
    }

    /**
     * Gemini {@code finishReason} to OpenAI {@code finish_reason}; null while the candidate is not
     * finished. The tool-call failures ({@link #isToolCallFailure}) never get here.
     */
    static String finishReason(String reason, boolean toolCalls) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case "STOP" -> toolCalls ? "tool_calls" : "stop";
            case "MAX_TOKENS" -> "length";
            case "SAFETY",
                    "RECITATION",
                    "BLOCKLIST",
                    "PROHIBITED_CONTENT",
                    "SPII",
                    "IMAGE_SAFETY",
                    "IMAGE_PROHIBITED_CONTENT",
                    "IMAGE_RECITATION" -> "content_filter";
            // LANGUAGE, OTHER, IMAGE_OTHER, NO_IMAGE, FINISH_REASON_UNSPECIFIED, and values added later
            default -> toolCalls ? "tool_calls" : "stop";
        };
    }

    /** Reasons that mean the model failed at calling a tool: reported as an error, never as a normal stop. */
    static boolean isToolCallFailure(String reason) {
        return "MALFORMED_FUNCTION_CALL".equals(reason)
                || "UNEXPECTED_TOOL_CALL".equals(reason)
                || "TOO_MANY_TOOL_CALLS".equals(reason);
    }

    /** A retryable 502: another attempt, on this target or the next, may well produce a valid call. */
    static GatewayException toolCallFailure(String reason, String finishMessage, Target target) {
        String what =
                switch (reason) {
                    case "MALFORMED_FUNCTION_CALL" -> "generated a function call that is not valid";
                    case "UNEXPECTED_TOOL_CALL" -> "called a tool that was not offered";
                    default -> "made more tool calls than allowed";
                };
        String message = "Provider '" + target.provider().name() + "' " + what + " (finishReason " + reason + ")"
                + (finishMessage == null || finishMessage.isBlank() ? "." : ": " + finishMessage);
        return new GatewayException(502, "api_error", reason.toLowerCase(Locale.ROOT), null, message, true, null, null);
    }

    static String blockReason(JsonNode root) {
        JsonNode reason = root.path("promptFeedback").get("blockReason");
        return reason == null || reason.isNull() ? null : reason.asText();
    }

    /** The refusal text for a blocked prompt: Gemini's reason, and its message when it sent one. */
    static String refusal(JsonNode root) {
        String message = textOrNull(root.path("promptFeedback"), "blockReasonMessage");
        return "The prompt was blocked (" + blockReason(root) + ")"
                + (message == null || message.isBlank() ? "." : ": " + message);
    }

    /**
     * {@code usageMetadata} to OpenAI usage, or null when absent. {@code promptTokenCount} already
     * counts cached tokens; tool-use prompt tokens are input too. Completion counts thoughts, as
     * OpenAI's counts reasoning.
     */
    static Usage usage(JsonNode meta) {
        if (meta == null || !meta.isObject()) {
            return null;
        }
        int prompt = intOf(meta, "promptTokenCount") + intOf(meta, "toolUsePromptTokenCount");
        int thoughts = intOf(meta, "thoughtsTokenCount");
        int completion = intOf(meta, "candidatesTokenCount") + thoughts;
        JsonNode total = meta.get("totalTokenCount");
        Integer audio = null;
        for (JsonNode d : meta.path("promptTokensDetails")) {
            if ("AUDIO".equals(d.path("modality").asText())) {
                audio = (audio == null ? 0 : audio) + d.path("tokenCount").asInt(0);
            }
        }
        return new Usage(
                prompt,
                completion,
                total != null && total.canConvertToInt() ? total.intValue() : prompt + completion,
                new Usage.PromptTokensDetails(intOf(meta, "cachedContentTokenCount"), audio, null, null),
                new Usage.CompletionTokensDetails(thoughts, null, null, null, null),
                null);
    }

    /**
     * {@code logprobsResult} to OpenAI {@code logprobs} ({@code {content: [{token, logprob, bytes,
     * top_logprobs}], refusal: null}}), or null when absent.
     */
    static JsonNode logprobs(JsonNode result) {
        if (result == null || !result.isObject()) {
            return null;
        }
        JsonNode chosen = result.path("chosenCandidates");
        JsonNode top = result.path("topCandidates");
        ObjectNode out = F.objectNode();
        ArrayNode content = out.putArray("content");
        for (int i = 0; i < chosen.size(); i++) {
            ObjectNode entry = token(chosen.get(i));
            ArrayNode alternatives = entry.putArray("top_logprobs");
            for (JsonNode alt : top.path(i).path("candidates")) {
                alternatives.add(token(alt));
            }
            content.add(entry);
        }
        out.putNull("refusal");
        return out;
    }

    private static ObjectNode token(JsonNode candidate) {
        String token = candidate.path("token").asText("");
        ObjectNode t = F.objectNode().put("token", token);
        t.put("logprob", candidate.path("logProbability").asDouble(0));
        ArrayNode bytes = t.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return t;
    }

    private static int intOf(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.canConvertToInt() ? v.intValue() : 0;
    }

    static String textOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
