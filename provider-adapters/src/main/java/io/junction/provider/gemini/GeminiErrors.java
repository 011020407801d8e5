package io.junction.provider.gemini;

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
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Google API error bodies ({@code {"error":{"code":429,"message":...,"status":"RESOURCE_EXHAUSTED",
 * "details":[...]}}}) to {@link GatewayException}. The upstream message is kept; the
 * {@code google.rpc.Code} name, lower-cased, becomes the OpenAI {@code code}; the HTTP status is kept.
 * {@code google.rpc.RetryInfo.retryDelay} becomes the retry-after hint.
 */
final class GeminiErrors {
    private GeminiErrors() {}

    static GatewayException decode(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        String provider = target.provider().name();
        JsonNode error = null;
        try {
            JsonNode root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
            if (root != null && root.isArray() && !root.isEmpty()) {
                root = root.get(0); // streamGenerateContent without alt=sse wraps errors in an array
            }
            if (root != null) {
                error = root.get("error");
            }
        } catch (IOException e) {
            // not JSON: a proxy's page or an empty body; reported with a snippet below
        }
        Duration headerDelay = OpenAiErrors.retryAfter(headers);
        if (error != null && error.isObject()) {
            return of(status, error, headerDelay, target);
        }
        String snippet = body.toString(body.readerIndex(), Math.min(body.readableBytes(), 300), StandardCharsets.UTF_8)
                .strip();
        return new GatewayException(
                status,
                openAiType(status),
                null,
                null,
                "Provider '" + provider + "' returned HTTP " + status
                        + (snippet.isEmpty() ? "" : ": " + redact(snippet, target)),
                GatewayException.retryableStatus(status),
                headerDelay,
                null);
    }

    /**
     * An error object found where an answer was expected (a 200 body, or an event of a stream); its
     * status comes from its {@code code}, else from its rpc status name, else 502.
     */
    static GatewayException inBody(JsonNode error, Target target) {
        int status = 502;
        JsonNode code = error == null ? null : error.get("code");
        if (code != null && code.canConvertToInt() && code.intValue() >= 400 && code.intValue() <= 599) {
            status = code.intValue();
        } else if (error != null && error.path("status").isTextual()) {
            status = statusFor(error.path("status").asText());
        }
        if (error == null || !error.isObject()) {
            return GatewayException.malformedUpstream(target.provider().name(), "reported an error with no details");
        }
        return of(status, error, null, target);
    }

    /** The HTTP status Google uses for a {@code google.rpc.Code} name; 502 for an unknown name. */
    static int statusFor(String rpcStatus) {
        return switch (rpcStatus) {
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> 400;
            case "UNAUTHENTICATED" -> 401;
            case "PERMISSION_DENIED" -> 403;
            case "NOT_FOUND" -> 404;
            case "ALREADY_EXISTS", "ABORTED" -> 409;
            case "RESOURCE_EXHAUSTED" -> 429;
            case "INTERNAL", "UNKNOWN", "DATA_LOSS" -> 500;
            case "UNIMPLEMENTED" -> 501;
            case "UNAVAILABLE" -> 503;
            case "DEADLINE_EXCEEDED" -> 504;
            default -> 502;
        };
    }

    private static GatewayException of(int status, JsonNode error, Duration headerDelay, Target target) {
        String provider = target.provider().name();
        String message = text(error, "message");
        message = message == null ? "Provider '" + provider + "' returned HTTP " + status : redact(message, target);
        String rpc = text(error, "status");
        String code = rpc == null ? null : rpc.toLowerCase(Locale.ROOT);
        String param = null;
        Duration retryAfter = retryDelay(error.get("details"));
        if (retryAfter == null) {
            retryAfter = headerDelay;
        }
        boolean retryable = GatewayException.retryableStatus(status);
        if (hasReason(error.get("details"), "API_KEY_INVALID") || message.startsWith("API key not valid")) {
            // Gemini answers a bad key with 400 INVALID_ARGUMENT; it is Junction's key, not the client's
            status = 401;
            code = "invalid_api_key";
            retryable = false;
        }
        if (status == 401 || status == 403) {
            message = "Provider '" + provider + "' rejected the gateway's credentials: " + message;
        } else if (status == 400 && isContextLength(message)) {
            code = "context_length_exceeded";
            param = "messages";
        } else if (status == 404 && message.contains("models/")) {
            code = "model_not_found";
            param = "model";
        }
        return new GatewayException(status, openAiType(status), code, param, message, retryable, retryAfter, null);
    }

    /**
     * Gemini's wording for a prompt over the model's window: "The input token count (1234567) exceeds
     * the maximum number of tokens allowed (1048576)."; other phrasings seen from Google APIs are
     * matched too ("... is too long", "exceeds the context window").
     */
    static boolean isContextLength(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        boolean tokens = m.contains("token");
        return (tokens && m.contains("exceed") && (m.contains("token count") || m.contains("maximum number")))
                || (m.contains("too long") && (tokens || m.contains("prompt") || m.contains("context")))
                || m.contains("context window")
                || m.contains("context length");
    }

    /** {@code google.rpc.RetryInfo.retryDelay} (a proto Duration in JSON, e.g. {@code "34.4s"}), or null. */
    static Duration retryDelay(JsonNode details) {
        if (details == null || !details.isArray()) {
            return null;
        }
        for (JsonNode d : details) {
            if (d.path("@type").asText().endsWith("google.rpc.RetryInfo")) {
                String delay = d.path("retryDelay").asText("").trim();
                if (delay.endsWith("s")) {
                    try {
                        BigDecimal seconds = new BigDecimal(delay.substring(0, delay.length() - 1));
                        if (seconds.signum() >= 0) {
                            return Duration.ofMillis(seconds.movePointRight(3).longValue());
                        }
                    } catch (NumberFormatException | ArithmeticException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private static boolean hasReason(JsonNode details, String reason) {
        if (details == null || !details.isArray()) {
            return false;
        }
        for (JsonNode d : details) {
            if (d.path("@type").asText().endsWith("google.rpc.ErrorInfo")
                    && reason.equals(d.path("reason").asText())) {
                return true;
            }
        }
        return false;
    }

    static String openAiType(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /** Removes the provider's own key from upstream text before it can reach a client or a log. */
    private static String redact(String text, Target target) {
        String key = target.provider().spec().apiKey();
        if (text == null || key == null || key.length() < 4) {
            return text;
        }
        return text.replace(key, "***");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isTextual() ? v.asText() : v.toString();
    }
}
