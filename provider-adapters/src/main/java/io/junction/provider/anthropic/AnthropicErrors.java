package io.junction.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.Json;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.provider.openai.OpenAiErrors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Anthropic error bodies ({@code {"type":"error","error":{"type":...,"message":...}}}) to
 * {@link GatewayException}. The upstream message is kept; Anthropic's error type becomes the
 * OpenAI {@code code}. HTTP status is kept, except 529 (overloaded), which OpenAI clients do not
 * know, becomes 503.
 */
final class AnthropicErrors {
    private AnthropicErrors() {}

    static GatewayException decode(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        String provider = target.provider().name();
        JsonNode error = null;
        try {
            JsonNode root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
            if (root != null) {
                error = root.get("error");
            }
        } catch (IOException e) {
            // not JSON: a proxy's page or an empty body; reported with a snippet below
        }
        int mapped = status == 529 ? 503 : status;
        boolean retryable = retryable(mapped, headers);
        Duration retryAfter = OpenAiErrors.retryAfter(headers);
        if (error != null && error.isObject()) {
            String message = text(error, "message");
            return of(
                    mapped,
                    text(error, "type"),
                    message == null ? "Provider '" + provider + "' returned HTTP " + status : message,
                    retryable,
                    retryAfter);
        }
        String snippet = body.toString(body.readerIndex(), Math.min(body.readableBytes(), 300), StandardCharsets.UTF_8)
                .strip();
        return new GatewayException(
                mapped,
                openAiType(mapped),
                null,
                null,
                "Provider '" + provider + "' returned HTTP " + status + (snippet.isEmpty() ? "" : ": " + snippet),
                retryable,
                retryAfter,
                null);
    }

    /** An {@code event: error} inside a stream, whose status comes from the error type alone. */
    static GatewayException inStream(JsonNode error, Target target) {
        String type = error == null ? null : text(error, "type");
        String message = error == null ? null : text(error, "message");
        int status = statusFor(type);
        return of(
                status,
                type,
                message == null ? "Provider '" + target.provider().name() + "' reported an error mid-stream" : message,
                GatewayException.retryableStatus(status),
                null);
    }

    /** The HTTP status Anthropic uses for an error type (overloaded as 503); 502 for an unknown type. */
    static int statusFor(String type) {
        if (type == null) {
            return 502;
        }
        return switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "api_error" -> 500;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 503;
            default -> 502;
        };
    }

    private static GatewayException of(
            int status, String anthropicType, String message, boolean retryable, Duration retryAfter) {
        String code = anthropicType;
        String param = null;
        if (status == 400 && isContextLength(message)) {
            code = "context_length_exceeded";
            param = "messages";
        } else if ("not_found_error".equals(anthropicType) && message.startsWith("model:")) {
            code = "model_not_found";
            param = "model";
        }
        return new GatewayException(status, openAiType(status), code, param, message, retryable, retryAfter, null);
    }

    private static boolean isContextLength(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("prompt is too long")
                || m.contains("context window")
                || m.contains("context length")
                || m.contains("exceed context limit");
    }

    private static boolean retryable(int status, UpstreamHeaders headers) {
        String should = headers.get("x-should-retry");
        if ("true".equalsIgnoreCase(should)) {
            return true;
        }
        if ("false".equalsIgnoreCase(should)) {
            return false;
        }
        return GatewayException.retryableStatus(status);
    }

    static String openAiType(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isTextual() ? v.asText() : v.toString();
    }
}
