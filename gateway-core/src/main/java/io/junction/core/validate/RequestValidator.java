package io.junction.core.validate;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ResponseFormat;
import io.junction.core.schema.Tool;
import java.util.List;
import java.util.Set;

/**
 * Checks a parsed request against the OpenAI rules that a gateway must enforce before spending an
 * upstream call. Each failure is a 400 naming the offending {@code param}, as OpenAI does.
 */
public final class RequestValidator {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    private static final Set<String> REASONING_EFFORTS =
            Set.of("none", "minimal", "low", "medium", "high", "xhigh", "max");

    private RequestValidator() {}

    public static void validate(ChatRequest r) {
        if (r.model() == null || r.model().isBlank()) {
            throw GatewayException.invalidRequest(
                    "model", "missing_required_parameter", "You must provide a model parameter.");
        }
        List<ChatMessage> messages = r.messages();
        if (messages == null) {
            throw GatewayException.invalidRequest(
                    "messages", "missing_required_parameter", "Missing required parameter: 'messages'.");
        }
        if (messages.isEmpty()) {
            throw GatewayException.invalidRequest(
                    "messages",
                    "empty_array",
                    "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        }
        for (int i = 0; i < messages.size(); i++) {
            validateMessage(i, messages.get(i));
        }
        range("temperature", r.temperature(), 0, 2);
        range("top_p", r.topP(), 0, 1);
        range("presence_penalty", r.presencePenalty(), -2, 2);
        range("frequency_penalty", r.frequencyPenalty(), -2, 2);
        if (r.n() != null && (r.n() < 1 || r.n() > 128)) {
            throw GatewayException.invalidRequest(
                    "n", "Invalid 'n': " + r.n() + ". Expected a value between 1 and 128.");
        }
        if (r.topLogprobs() != null) {
            if (r.topLogprobs() < 0 || r.topLogprobs() > 20) {
                throw GatewayException.invalidRequest(
                        "top_logprobs",
                        "Invalid 'top_logprobs': " + r.topLogprobs() + ". Expected a value between 0 and 20.");
            }
            if (!Boolean.TRUE.equals(r.logprobs())) {
                throw GatewayException.invalidRequest("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.");
            }
        }
        atLeastOne("max_tokens", r.maxTokens());
        atLeastOne("max_completion_tokens", r.maxCompletionTokens());
        if (r.stop() != null) {
            if (r.stop().size() > 4) {
                throw GatewayException.invalidRequest(
                        "stop",
                        "Invalid 'stop': array too long. Expected an array with maximum length 4, but got "
                                + r.stop().size() + ".");
            }
            for (String s : r.stop()) {
                if (s == null) {
                    throw GatewayException.invalidRequest("stop", "Invalid 'stop': entries must be strings.");
                }
            }
        }
        if (r.reasoningEffort() != null && !REASONING_EFFORTS.contains(r.reasoningEffort())) {
            throw GatewayException.invalidRequest(
                    "reasoning_effort",
                    "Invalid 'reasoning_effort': '" + r.reasoningEffort()
                            + "'. Expected one of none, minimal, low, medium, high, xhigh, max.");
        }
        if (r.streamOptions() != null && !r.isStream()) {
            throw GatewayException.invalidRequest(
                    "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        if (r.tools() != null) {
            for (int i = 0; i < r.tools().size(); i++) {
                Tool t = r.tools().get(i);
                if (t == null || t.type() == null) {
                    throw GatewayException.invalidRequest("tools[" + i + "].type", "Each tool needs a 'type'.");
                }
                if ("function".equals(t.type())
                        && (t.function() == null
                                || t.function().name() == null
                                || t.function().name().isBlank())) {
                    throw GatewayException.invalidRequest(
                            "tools[" + i + "].function.name",
                            "Missing required parameter: 'tools[" + i + "].function.name'.");
                }
            }
        }
        if (r.responseFormat() instanceof ResponseFormat.JsonSchema js
                && (js.jsonSchema().name() == null || js.jsonSchema().name().isBlank())) {
            throw GatewayException.invalidRequest(
                    "response_format.json_schema.name",
                    "Missing required parameter: 'response_format.json_schema.name'.");
        }
        if (r.fallbacks() != null) {
            for (int i = 0; i < r.fallbacks().size(); i++) {
                String f = r.fallbacks().get(i);
                if (f == null || f.isBlank()) {
                    throw GatewayException.invalidRequest(
                            "fallbacks[" + i + "]", "Each fallback must be a model name.");
                }
            }
        }
        if (r.maxTtftMs() != null && r.maxTtftMs() < 1) {
            throw GatewayException.invalidRequest("max_ttft_ms", "Invalid 'max_ttft_ms': expected a positive number.");
        }
    }

    private static void validateMessage(int i, ChatMessage m) {
        String p = "messages[" + i + "]";
        if (m == null) {
            throw GatewayException.invalidRequest(p, "Invalid '" + p + "': expected an object.");
        }
        if (m.role() == null) {
            throw GatewayException.invalidRequest(p + ".role", "Missing required parameter: '" + p + ".role'.");
        }
        if (!ROLES.contains(m.role())) {
            throw GatewayException.invalidRequest(
                    p + ".role",
                    "Invalid value: '" + m.role()
                            + "'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'.");
        }
        switch (m.role()) {
            case "tool" -> {
                if (m.toolCallId() == null || m.toolCallId().isBlank()) {
                    throw GatewayException.invalidRequest(
                            p + ".tool_call_id", "Missing required parameter: '" + p + ".tool_call_id'.");
                }
            }
            case "assistant" -> {
                if (m.content() == null
                        && (m.toolCalls() == null || m.toolCalls().isEmpty())
                        && m.refusal() == null) {
                    throw GatewayException.invalidRequest(
                            p + ".content",
                            "Invalid '" + p + "': an assistant message needs 'content' or 'tool_calls'.");
                }
            }
            default -> {
                if (m.content() == null) {
                    throw GatewayException.invalidRequest(
                            p + ".content", "Missing required parameter: '" + p + ".content'.");
                }
            }
        }
    }

    private static void range(String param, Double v, double min, double max) {
        if (v != null && (v.isNaN() || v < min || v > max)) {
            throw GatewayException.invalidRequest(
                    param,
                    "Invalid '" + param + "': " + v + ". Expected a value between " + fmt(min) + " and " + fmt(max)
                            + ".");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void atLeastOne(String param, Integer v) {
        if (v != null && v < 1) {
            throw GatewayException.invalidRequest(
                    param,
                    "Invalid '" + param + "': integer below minimum value. Expected a value >= 1, but got " + v + ".");
        }
    }
}
