package io.junction.provider.cohere;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A non-streamed Cohere v2 chat response to an OpenAI {@code chat.completion}, plus mappings shared with streams. */
final class CohereResponses {
    private CohereResponses() {}

    static ChatResponse decode(ByteBuf body, Target target, long created) {
        String provider = target.provider().name();
        JsonNode root;
        try {
            root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a chat response (invalid JSON)");
        }
        if (root == null || !root.isObject()) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a chat response (not an object)");
        }
        JsonNode message = root.get("message");
        if (message == null || !message.isObject()) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a chat response (no 'message')");
        }
        String finishReason = text(root, "finish_reason");
        GatewayException failed = failure(finishReason, target);
        if (failed != null) {
            throw failed;
        }

        StringBuilder content = null;
        StringBuilder reasoning = null;
        JsonNode parts = message.get("content");
        if (parts != null && parts.isTextual()) {
            content = new StringBuilder(parts.asText());
        } else if (parts != null && parts.isArray()) {
            for (JsonNode part : parts) {
                switch (part.path("type").asText()) {
                    case "text" -> {
                        content = content == null ? new StringBuilder() : content;
                        content.append(part.path("text").asText(""));
                    }
                    case "thinking" -> {
                        reasoning = reasoning == null ? new StringBuilder() : reasoning;
                        reasoning.append(part.path("thinking").asText(""));
                    }
                    default -> {
                        // content types added later: nothing an OpenAI client can read
                    }
                }
            }
        }
        List<ToolCall> toolCalls = new ArrayList<>();
        JsonNode calls = message.get("tool_calls");
        if (calls != null && calls.isArray()) {
            for (JsonNode call : calls) {
                JsonNode fn = call.path("function");
                toolCalls.add(ToolCall.function(text(call, "id"), text(fn, "name"), arguments(fn.get("arguments"))));
            }
        }
        String toolPlan = text(message, "tool_plan");
        String text;
        if (content != null) {
            text = content.toString();
        } else if (!toolCalls.isEmpty()) {
            // the text Cohere writes before its tool calls is what OpenAI puts in content
            text = toolPlan == null || toolPlan.isEmpty() ? null : toolPlan;
        } else {
            text = "";
        }
        ChatMessage out = new ChatMessage(
                "assistant",
                text == null ? null : new MessageContent.Text(text),
                null,
                toolCalls.isEmpty() ? null : toolCalls,
                null,
                null,
                reasoning == null ? null : reasoning.toString(),
                null);
        return new ChatResponse(
                text(root, "id"),
                "chat.completion",
                created,
                target.model(),
                List.of(new ChatResponse.Choice(0, out, null, finishReason(finishReason), null)),
                usage(root.get("usage")),
                null,
                null,
                null,
                null);
    }

    /** Tool call arguments as a JSON string; Cohere may send null for a tool without parameters. */
    static String arguments(JsonNode args) {
        if (args == null || args.isNull()) {
            return "{}";
        }
        String s = args.isTextual() ? args.asText() : args.toString();
        return s.isBlank() || "null".equals(s.strip()) ? "{}" : s;
    }

    /**
     * Cohere {@code finish_reason} to OpenAI {@code finish_reason}: COMPLETE and STOP_SEQUENCE are
     * {@code stop}, MAX_TOKENS is {@code length}, TOOL_CALL is {@code tool_calls}; unknown values are
     * {@code stop}. ERROR and TIMEOUT never get here ({@link #failure}).
     */
    static String finishReason(String reason) {
        if (reason == null) {
            return "stop";
        }
        return switch (reason.toUpperCase(Locale.ROOT)) {
            case "MAX_TOKENS" -> "length";
            case "TOOL_CALL" -> "tool_calls";
            default -> "stop";
        };
    }

    /** The error for a generation Cohere reports as failed (ERROR, TIMEOUT), or null. */
    static GatewayException failure(String reason, Target target) {
        if (reason == null) {
            return null;
        }
        String provider = target.provider().name();
        return switch (reason.toUpperCase(Locale.ROOT)) {
            case "ERROR" ->
                new GatewayException(
                        502,
                        "api_error",
                        "upstream_generation_error",
                        null,
                        "Provider '" + provider + "' reported that the generation failed (finish_reason ERROR)",
                        true);
            case "TIMEOUT" ->
                GatewayException.upstreamTimeout(
                        provider, "reported that the generation timed out (finish_reason TIMEOUT)");
            default -> null;
        };
    }

    /**
     * Cohere usage to OpenAI usage: {@code tokens} (what the model processed), falling back to
     * {@code billed_units} when absent; {@code cached_tokens} becomes {@code prompt_tokens_details.cached_tokens}.
     */
    static Usage usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        JsonNode counts = usage.get("tokens");
        if (counts == null || !counts.isObject()) {
            counts = usage.get("billed_units");
        }
        int input = 0;
        int output = 0;
        if (counts != null && counts.isObject()) {
            input = counts.path("input_tokens").asInt(0);
            output = counts.path("output_tokens").asInt(0);
        }
        JsonNode cached = usage.get("cached_tokens");
        Usage.PromptTokensDetails details = cached != null && cached.isNumber()
                ? new Usage.PromptTokensDetails(cached.intValue(), null, null, null)
                : null;
        return new Usage(input, output, input + output, details, null, null);
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
