package io.junction.provider.cohere;

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
 * Cohere error bodies ({@code {"message": "..."}}) to {@link GatewayException}: Cohere's message is
 * kept (with the provider's key redacted), the HTTP status is kept except Cohere's non-standard 498
 * (invalid token, becomes 401) and 499 (request cancelled upstream, becomes a retryable 502). 408,
 * 409, 429 and 5xx are retried on the next target.
 */
final class CohereErrors {
    private CohereErrors() {}

    static GatewayException decode(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        String provider = target.provider().name();
        String apiKey = target.provider().spec().apiKey();
        String message = null;
        try {
            JsonNode root = Json.MAPPER.readTree((InputStream) new ByteBufInputStream(body.duplicate()));
            if (root != null && root.isObject()) {
                JsonNode m = root.get("message");
                if (m != null && m.isTextual()) {
                    message = m.asText();
                }
            }
        } catch (IOException e) {
            // not JSON: a proxy's page or an empty body; reported with a snippet below
        }
        int mapped =
                switch (status) {
                    case 498 -> 401;
                    case 499 -> 502;
                    default -> status;
                };
        if (message == null) {
            String snippet = body.toString(
                            body.readerIndex(), Math.min(body.readableBytes(), 300), StandardCharsets.UTF_8)
                    .strip();
            message = "Provider '" + provider + "' returned HTTP " + status + (snippet.isEmpty() ? "" : ": " + snippet);
        } else if (mapped == 401 || mapped == 403) {
            // the provider rejected Junction's credentials, not the client's: say so
            message = "Provider '" + provider + "' rejected the gateway's credentials: " + message;
        }
        message = redact(message, apiKey);
        String code = null;
        String param = null;
        if (mapped == 400 && isContextLength(message)) {
            code = "context_length_exceeded";
            param = "messages";
        } else if (mapped == 404 && message.toLowerCase(Locale.ROOT).contains("model")) {
            code = "model_not_found";
            param = "model";
        }
        Duration retryAfter = OpenAiErrors.retryAfter(headers);
        return new GatewayException(
                mapped, type(mapped), code, param, message, GatewayException.retryableStatus(mapped), retryAfter, null);
    }

    /** Cohere's documented prompt-too-long messages start with "too many tokens" and name the prompt. */
    private static boolean isContextLength(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("too many tokens") && m.contains("prompt");
    }

    static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    private static String redact(String text, String apiKey) {
        if (text == null || apiKey == null || apiKey.length() < 4) {
            return text;
        }
        return text.replace(apiKey, "***");
    }
}
