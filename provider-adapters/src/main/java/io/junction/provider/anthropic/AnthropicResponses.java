package io.junction.provider.anthropic;

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

/** A non-streamed Anthropic {@code Message} to an OpenAI {@code chat.completion}, plus mappings shared with streams. */
final class AnthropicResponses {
    private AnthropicResponses() {}

    static ChatResponse decode(ByteBuf body, Target target, long created) {
        String provider = target.provider().name();
        JsonNode root;
        try {
            root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(provider, "returned a body that is not a message (invalid JSON)");
        }
        if (root == null || !root.isObject()) {
            throw GatewayException.malformedUpstream(provider, "returned a body that is not a message (not an object)");
        }
        if ("error".equals(root.path("type").asText()) && root.path("error").isObject()) {
            throw AnthropicErrors.inStream(root.get("error"), target);
        }
        JsonNode content = root.get("content");
        if (content == null || !content.isArray()) {
            throw GatewayException.malformedUpstream(provider, "returned a body that is not a message (no 'content')");
        }

        StringBuilder text = null;
        StringBuilder reasoning = null;
        List<ToolCall> toolCalls = new ArrayList<>();
        boolean jsonTool = false;
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> {
                    text = text == null ? new StringBuilder() : text;
                    text.append(block.path("text").asText(""));
                }
                case "thinking" -> {
                    reasoning = reasoning == null ? new StringBuilder() : reasoning;
                    reasoning.append(block.path("thinking").asText(""));
                }
                case "tool_use" -> {
                    JsonNode input = block.get("input");
                    String args = input == null || input.isNull() ? "{}" : input.toString();
                    String name = block.path("name").asText(null);
                    if (AnthropicRequestEncoder.JSON_TOOL.equals(name)) {
                        jsonTool = true;
                        text = text == null ? new StringBuilder() : text;
                        text.append(args);
                    } else {
                        toolCalls.add(ToolCall.function(block.path("id").asText(null), name, args));
                    }
                }
                default -> {
                    // redacted_thinking, server tool blocks, ...: nothing an OpenAI client can read
                }
            }
        }
        String contentText = text != null ? text.toString() : toolCalls.isEmpty() ? "" : null;
        ChatMessage message = new ChatMessage(
                "assistant",
                contentText == null ? null : new MessageContent.Text(contentText),
                null,
                toolCalls.isEmpty() ? null : toolCalls,
                null,
                null,
                reasoning == null ? null : reasoning.toString(),
                null);
        String finish = finishReason(textOrNull(root, "stop_reason"), !toolCalls.isEmpty() || !jsonTool);
        return new ChatResponse(
                textOrNull(root, "id"),
                "chat.completion",
                created,
                textOrNull(root, "model"),
                List.of(new ChatResponse.Choice(0, message, null, finish, null)),
                usage(root.get("usage"), new Counts()),
                null,
                null,
                null,
                null);
    }

    /**
     * Anthropic {@code stop_reason} to OpenAI {@code finish_reason}. {@code clientTools} is false when
     * the only tools called were Junction's JSON-mode tool, whose input is the answer, so
     * {@code tool_use} then means a normal stop.
     */
    static String finishReason(String stopReason, boolean clientTools) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> clientTools ? "tool_calls" : "stop";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn, and values added later
        };
    }

    /** Running token counts; a stream overwrites them as message_start and message_delta arrive. */
    static final class Counts {
        int input;
        int cacheRead;
        int cacheWrite;
        int output;
        Integer thinking;

        /** Overwrites every count {@code usage} carries (Anthropic's stream values are cumulative). */
        void update(JsonNode usage) {
            if (usage == null || !usage.isObject()) {
                return;
            }
            input = intOr(usage, "input_tokens", input);
            cacheRead = intOr(usage, "cache_read_input_tokens", cacheRead);
            cacheWrite = intOr(usage, "cache_creation_input_tokens", cacheWrite);
            output = intOr(usage, "output_tokens", output);
            JsonNode thinkingTokens = usage.path("output_tokens_details").get("thinking_tokens");
            if (thinkingTokens != null && thinkingTokens.isNumber()) {
                thinking = thinkingTokens.intValue();
            }
        }

        Usage toUsage() {
            int prompt = input + cacheRead + cacheWrite;
            return new Usage(
                    prompt,
                    output,
                    prompt + output,
                    new Usage.PromptTokensDetails(cacheRead, null, cacheWrite, null),
                    thinking == null ? null : new Usage.CompletionTokensDetails(thinking, null, null, null, null),
                    null);
        }

        private static int intOr(JsonNode node, String field, int fallback) {
            JsonNode v = node.get(field);
            return v != null && v.isNumber() ? v.intValue() : fallback;
        }
    }

    static Usage usage(JsonNode usage, Counts counts) {
        counts.update(usage);
        return counts.toUsage();
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
