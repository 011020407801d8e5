package io.junction.provider.bedrock;

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
 * Bedrock errors to {@link GatewayException}: HTTP error responses ({@code {"message": ...}} plus the
 * {@code x-amzn-ErrorType} header) and the exception / error frames of a ConverseStream. The upstream
 * message is kept and the Bedrock exception name (e.g. {@code ThrottlingException}) becomes the OpenAI
 * {@code code}. HTTP status is kept, except 424 (model error), which OpenAI clients do not know, becomes 502.
 */
final class BedrockErrors {
    private BedrockErrors() {}

    static GatewayException decode(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        String provider = target.provider().name();
        JsonNode root = null;
        try {
            root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
        } catch (IOException e) {
            // not JSON: a proxy's page or an empty body; reported with a snippet below
        }
        String type = errorType(headers.get("x-amzn-ErrorType"));
        if (type == null && root != null && root.isObject()) {
            type = errorType(text(root, "__type"));
        }
        int mapped = status == 424 ? 502 : status;
        Duration retryAfter = OpenAiErrors.retryAfter(headers);
        String message = root != null && root.isObject() ? message(root) : null;
        if (message == null) {
            String snippet = body.toString(
                            body.readerIndex(), Math.min(body.readableBytes(), 300), StandardCharsets.UTF_8)
                    .strip();
            message = "Provider '" + provider + "' returned HTTP " + status
                    + (type == null ? "" : " (" + type + ")")
                    + (snippet.isEmpty() ? "" : ": " + snippet);
        }
        return of(mapped, type, message, GatewayException.retryableStatus(mapped), retryAfter);
    }

    /** A {@code :message-type exception} frame: {@code :exception-type} and its JSON payload. */
    static GatewayException streamException(String exceptionType, byte[] payload, Target target) {
        String message = null;
        try {
            JsonNode root = Json.MAPPER.readTree(payload);
            if (root != null && root.isObject()) {
                message = message(root);
                if (message == null) {
                    message = text(root, "originalMessage");
                }
            }
        } catch (IOException e) {
            // keep the generic message
        }
        return inStream(exceptionType, message, target);
    }

    /** An exception or error inside a stream, whose status comes from its type alone. */
    static GatewayException inStream(String type, String message, Target target) {
        String name = exceptionName(type);
        int status = statusFor(name);
        return of(
                status,
                name,
                message == null || message.isBlank()
                        ? "Provider '" + target.provider().name() + "' reported " + (name == null ? "an error" : name)
                                + " mid-stream"
                        : message,
                GatewayException.retryableStatus(status),
                null);
    }

    /** The status Bedrock uses for an exception name (model errors, 424, as 502); 502 for unknown names. */
    static int statusFor(String exceptionName) {
        if (exceptionName == null) {
            return 502;
        }
        return switch (exceptionName) {
            case "ValidationException" -> 400;
            case "AccessDeniedException" -> 403;
            case "ResourceNotFoundException" -> 404;
            case "ModelTimeoutException" -> 408;
            case "ThrottlingException", "ModelNotReadyException" -> 429;
            case "InternalServerException" -> 500;
            case "ServiceUnavailableException" -> 503;
            default -> 502; // ModelErrorException, ModelStreamErrorException (424), unknown
        };
    }

    /** {@code throttlingException} (event-stream member name) → {@code ThrottlingException}. */
    private static String exceptionName(String type) {
        if (type == null || type.isBlank()) {
            return null;
        }
        return Character.toUpperCase(type.charAt(0)) + type.substring(1);
    }

    /** {@code ValidationException:http://internal.amazon.com/...} or {@code com.amazon...#ValidationException} → the name. */
    static String errorType(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String t = raw.strip();
        int colon = t.indexOf(':');
        if (colon >= 0) {
            t = t.substring(0, colon);
        }
        int hash = t.lastIndexOf('#');
        if (hash >= 0) {
            t = t.substring(hash + 1);
        }
        return t.isEmpty() ? null : t;
    }

    private static GatewayException of(
            int status, String type, String message, boolean retryable, Duration retryAfter) {
        String code = type;
        String param = null;
        if (status == 400 && isContextLength(message)) {
            code = "context_length_exceeded";
            param = "messages";
        } else if (status == 400 && message.toLowerCase(Locale.ROOT).contains("model identifier is invalid")) {
            code = "model_not_found";
            param = "model";
        }
        return new GatewayException(status, openAiType(status), code, param, message, retryable, retryAfter, null);
    }

    private static boolean isContextLength(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("input is too long")
                || m.contains("prompt is too long")
                || m.contains("too many input tokens")
                || m.contains("context window")
                || m.contains("context length")
                || m.contains("maximum context");
    }

    static String openAiType(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    private static String message(JsonNode root) {
        String m = text(root, "message");
        return m != null ? m : text(root, "Message");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.isTextual() ? v.asText() : v.toString();
        return s.isBlank() ? null : s;
    }
}
