package io.junction.provider.bedrock;

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

/** A Converse response to an OpenAI {@code chat.completion}, plus the mappings shared with streams. */
final class BedrockResponses {
    private BedrockResponses() {}

    static ChatResponse decode(ByteBuf body, Target target, String id, long created) {
        String provider = target.provider().name();
        JsonNode root;
        try {
            root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a Converse response (invalid JSON)");
        }
        if (root == null || !root.isObject()) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a Converse response (not an object)");
        }
        JsonNode content = root.path("output").path("message").get("content");
        if (content == null || !content.isArray()) {
            throw GatewayException.malformedUpstream(
                    provider, "returned a body that is not a Converse response (no 'output.message.content')");
        }

        StringBuilder text = null;
        StringBuilder reasoning = null;
        List<ToolCall> toolCalls = new ArrayList<>();
        boolean jsonTool = false;
        for (JsonNode block : content) {
            if (block.has("text")) {
                text = text == null ? new StringBuilder() : text;
                text.append(block.path("text").asText(""));
            } else if (block.has("reasoningContent")) {
                JsonNode r =
                        block.path("reasoningContent").path("reasoningText").get("text");
                if (r != null && r.isTextual()) {
                    reasoning = reasoning == null ? new StringBuilder() : reasoning;
                    reasoning.append(r.asText());
                }
                // redactedContent and the signature: nothing an OpenAI client can read or send back
            } else if (block.has("toolUse")) {
                JsonNode use = block.get("toolUse");
                JsonNode input = use.get("input");
                String args = input == null || input.isNull() ? "{}" : input.toString();
                String name = use.path("name").asText(null);
                if (BedrockRequestEncoder.JSON_TOOL.equals(name)) {
                    jsonTool = true;
                    text = text == null ? new StringBuilder() : text;
                    text.append(args);
                } else {
                    toolCalls.add(ToolCall.function(use.path("toolUseId").asText(null), name, args));
                }
            }
            // image, document, citationsContent, guardContent, ...: not passed on
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
        String finish = finishReason(textOrNull(root, "stopReason"), !toolCalls.isEmpty() || !jsonTool);
        return new ChatResponse(
                id,
                "chat.completion",
                created,
                target.model(),
                List.of(new ChatResponse.Choice(0, message, null, finish, null)),
                usage(root.get("usage")),
                null,
                null,
                null,
                null);
    }

    /**
     * Converse {@code stopReason} to OpenAI {@code finish_reason}. {@code clientTools} is false when
     * the only tool called was Junction's JSON-mode tool, whose input is the answer, so
     * {@code tool_use} then means a normal stop.
     */
    static String finishReason(String stopReason, boolean clientTools) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> clientTools ? "tool_calls" : "stop";
            case "guardrail_intervened", "content_filtered" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, malformed_model_output, malformed_tool_use, later values
        };
    }

    /**
     * Bedrock {@code TokenUsage} to OpenAI usage. {@code inputTokens} excludes cached input, so the
     * prompt is input + cache read + cache write; {@code totalTokens} is the same sum plus output.
     */
    static Usage usage(JsonNode usage) {
        int input = intOr(usage, "inputTokens");
        int output = intOr(usage, "outputTokens");
        int cacheRead = intOr(usage, "cacheReadInputTokens");
        int cacheWrite = intOr(usage, "cacheWriteInputTokens");
        int prompt = input + cacheRead + cacheWrite;
        return new Usage(
                prompt,
                output,
                prompt + output,
                new Usage.PromptTokensDetails(cacheRead, null, cacheWrite, null),
                null,
                null);
    }

    private static int intOr(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isNumber() ? v.intValue() : 0;
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
