package io.junction.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.Json;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** OpenAI-format error bodies ({@code {"error":{...}}}) to {@link GatewayException}, status kept. */
public final class OpenAiErrors {
    private OpenAiErrors() {}

    public static GatewayException decode(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        String provider = target.provider().name();
        JsonNode error = null;
        try {
            JsonNode root = Json.MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(body.duplicate()));
            if (root != null) {
                error = root.get("error");
            }
        } catch (IOException e) {
            // not JSON: fall through to the plain-text message below
        }
        boolean retryable = GatewayException.retryableStatus(status);
        Duration retryAfter = retryAfter(headers);
        String apiKey = target.provider().spec().apiKey();
        if (error != null && error.isObject()) {
            String message = redact(text(error, "message"), apiKey);
            if (message != null && (status == 401 || status == 403)) {
                // The provider rejected Junction's credentials, not the client's: say so.
                message = "Provider '" + provider + "' rejected the gateway's credentials: " + message;
            }
            return new GatewayException(
                    status,
                    text(error, "type") == null ? typeFor(status) : text(error, "type"),
                    text(error, "code"),
                    text(error, "param"),
                    message == null ? "Provider '" + provider + "' returned HTTP " + status : message,
                    retryable,
                    retryAfter,
                    null);
        }
        if (error != null && error.isTextual()) {
            return new GatewayException(
                    status, typeFor(status), null, null, redact(error.asText(), apiKey), retryable, retryAfter, null);
        }
        String snippet = body.toString(body.readerIndex(), Math.min(body.readableBytes(), 300), StandardCharsets.UTF_8)
                .strip();
        return new GatewayException(
                status,
                typeFor(status),
                null,
                null,
                "Provider '" + provider + "' returned HTTP " + status
                        + (snippet.isEmpty() ? "" : ": " + redact(snippet, apiKey)),
                retryable,
                retryAfter,
                null);
    }

    /** An error object found inside a stream ({@code data: {"error":{...}}}). */
    public static GatewayException inStream(JsonNode error, Target target) {
        String message = text(error, "message");
        String code = text(error, "code");
        String type = text(error, "type");
        return new GatewayException(
                502,
                type == null ? "api_error" : type,
                code == null ? "upstream_stream_error" : code,
                text(error, "param"),
                message == null ? "Provider '" + target.provider().name() + "' reported an error mid-stream" : message,
                true);
    }

    /** Removes the provider's own key from upstream text before it can reach a client or a log. */
    static String redact(String text, String apiKey) {
        if (text == null || apiKey == null || apiKey.length() < 4) {
            return text;
        }
        return text.replace(apiKey, "***");
    }

    static String typeFor(int status) {
        return switch (status) {
            case 400, 404, 409, 413, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> "api_error";
        };
    }

    /** {@code retry-after-ms} (OpenAI) or {@code retry-after} in seconds. */
    public static Duration retryAfter(UpstreamHeaders headers) {
        try {
            String ms = headers.get("retry-after-ms");
            if (ms != null) {
                return Duration.ofMillis((long) Double.parseDouble(ms.trim()));
            }
            String s = headers.get("retry-after");
            if (s != null) {
                return Duration.ofMillis((long) (Double.parseDouble(s.trim()) * 1000));
            }
        } catch (NumberFormatException e) {
            // an HTTP-date retry-after: ignore rather than guess
        }
        return null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isTextual() ? v.asText() : v.toString();
    }
}
