package io.junction.provider.anthropic;

import static io.junction.provider.anthropic.AnthropicTestSupport.ADAPTER;
import static io.junction.provider.anthropic.AnthropicTestSupport.fixture;
import static io.junction.provider.anthropic.AnthropicTestSupport.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.transport.UpstreamHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Anthropic error responses to OpenAI errors. The 400 and 404 bodies are recorded; no 429 or 529
 * capture exists, so those bodies are built in the shape Anthropic documents.
 */
class AnthropicErrorsTest {

    private static GatewayException decode(int status, Map<String, String> headers, byte[] body) {
        UpstreamHeaders h = name -> headers.get(name.toLowerCase(Locale.ROOT));
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            return ADAPTER.decodeError(status, h, buf, target());
        } finally {
            buf.release();
        }
    }

    private static GatewayException decode(int status, Map<String, String> headers, String body) {
        return decode(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static String body(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message
                + "\"},\"request_id\":\"req_011CTest\"}";
    }

    @Test
    void recorded400InvalidRequest() {
        GatewayException e = decode(400, Map.of(), fixture("error-400.invalid-request.json"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("invalid_request_error");
        assertThat(e.param()).isNull();
        assertThat(e.getMessage())
                .isEqualTo(
                        "This model does not support effort level 'xhigh'. Supported levels: high, low, max, medium.");
        assertThat(e.retryable()).isFalse();
        assertThat(e.retryAfter()).isNull();
    }

    @Test
    void recorded404UnknownModel() {
        GatewayException e = decode(404, Map.of(), fixture("error-404.not-found.json"));
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).isEqualTo("model: claude-does-not-exist");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void rateLimitIsRetryableWithRetryAfter() {
        GatewayException e = decode(
                429,
                Map.of("retry-after", "12"),
                body("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"));
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo("rate_limit_error");
        assertThat(e.code()).isEqualTo("rate_limit_error");
        assertThat(e.getMessage()).isEqualTo("Number of request tokens has exceeded your per-minute rate limit");
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void overloaded529BecomesRetryable503() {
        // the 529 body shape seen in the Vercel AI SDK tests, with "details": null
        GatewayException e = decode(
                529,
                Map.of(),
                "{\"type\":\"error\",\"error\":{\"details\":null,\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.code()).isEqualTo("overloaded_error");
        assertThat(e.getMessage()).isEqualTo("Overloaded");
        assertThat(e.retryable()).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "401, authentication_error, authentication_error, false",
        "402, billing_error, invalid_request_error, false",
        "403, permission_error, permission_error, false",
        "413, request_too_large, invalid_request_error, false",
        "500, api_error, api_error, true",
        "504, timeout_error, api_error, true"
    })
    void statusIsKeptAndTypeMapped(int status, String anthropicType, String openAiType, boolean retryable) {
        GatewayException e = decode(status, Map.of(), body(anthropicType, "upstream says no"));
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.type()).isEqualTo(openAiType);
        assertThat(e.code()).isEqualTo(anthropicType);
        assertThat(e.getMessage()).isEqualTo("upstream says no");
        assertThat(e.retryable()).isEqualTo(retryable);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "prompt is too long: 208000 tokens > 200000 maximum",
                "input length and `max_tokens` exceed context limit: 198000 + 4096 > 200000, decrease input length or"
                        + " `max_tokens` and try again",
            })
    void contextLengthErrorsGetOpenAisCode(String message) {
        GatewayException e = decode(400, Map.of(), body("invalid_request_error", message));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.param()).isEqualTo("messages");
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void nonJsonBodiesKeepTheStatusWithASnippet() {
        GatewayException e = decode(502, Map.of(), "<html><body>Bad gateway</body></html>");
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.getMessage())
                .isEqualTo("Provider 'anthropic' returned HTTP 502: <html><body>Bad gateway</body></html>");
        assertThat(e.retryable()).isTrue();

        GatewayException empty = decode(529, Map.of(), new byte[0]);
        assertThat(empty.status()).isEqualTo(503);
        assertThat(empty.getMessage()).isEqualTo("Provider 'anthropic' returned HTTP 529");
        assertThat(empty.retryable()).isTrue();
    }

    @Test
    void xShouldRetryOverridesTheStatusRule() {
        assertThat(decode(500, Map.of("x-should-retry", "false"), body("api_error", "x"))
                        .retryable())
                .isFalse();
        assertThat(decode(400, Map.of("x-should-retry", "true"), body("invalid_request_error", "x"))
                        .retryable())
                .isTrue();
    }
}
