package io.junction.provider.gemini;

import static io.junction.provider.gemini.GeminiTestSupport.ADAPTER;
import static io.junction.provider.gemini.GeminiTestSupport.fixture;
import static io.junction.provider.gemini.GeminiTestSupport.target;
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
 * Google API errors to OpenAI errors. The 429 and the (Vertex) 400 bodies are recorded; the others
 * are built in the shape Google documents ({@code {"error":{"code","message","status","details"}}}),
 * with messages as Gemini words them.
 */
class GeminiErrorsTest {

    private static GatewayException decode(int status, Map<String, String> headers, byte[] body) {
        UpstreamHeaders h = name -> headers.get(name.toLowerCase(Locale.ROOT));
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            GatewayException e = ADAPTER.decodeError(status, h, buf, target());
            assertThat(buf.refCnt()).isEqualTo(1);
            return e;
        } finally {
            buf.release();
        }
    }

    private static GatewayException decode(int status, String body) {
        return decode(status, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    private static String body(int code, String status, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}";
    }

    @Test
    void recorded429ResourceExhaustedIsRetryableWithTheRetryInfoDelay() {
        GatewayException e = decode(429, Map.of(), fixture("error-429.resource-exhausted.json"));
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo("rate_limit_error");
        assertThat(e.code()).isEqualTo("resource_exhausted");
        assertThat(e.param()).isNull();
        assertThat(e.getMessage()).isEqualTo("You exceeded your current quota, please check your plan.");
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(34_400));
    }

    @Test
    void retryInfoWinsOverTheRetryAfterHeaderWhichIsTheFallback() {
        GatewayException withInfo =
                decode(429, Map.of("retry-after", "5"), fixture("error-429.resource-exhausted.json"));
        assertThat(withInfo.retryAfter()).isEqualTo(Duration.ofMillis(34_400));
        GatewayException headerOnly = decode(
                429,
                Map.of("retry-after", "5"),
                body(429, "RESOURCE_EXHAUSTED", "Quota exceeded").getBytes());
        assertThat(headerOnly.retryAfter()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void recordedVertex400InvalidArgument() {
        GatewayException e = decode(400, Map.of(), fixture("error-400.invalid-argument.vertex.json"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("invalid_argument");
        assertThat(e.param()).isNull();
        assertThat(e.getMessage())
                .startsWith("Cannot fetch content from the provided URL.")
                .endsWith("Status: URL_ROBOTED-ROBOTED_DENIED");
        assertThat(e.retryable()).isFalse();
        assertThat(e.retryAfter()).isNull();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "500, INTERNAL, api_error, internal, true",
        "503, UNAVAILABLE, api_error, unavailable, true",
        "504, DEADLINE_EXCEEDED, api_error, deadline_exceeded, true",
        "403, PERMISSION_DENIED, permission_error, permission_denied, false",
        "400, FAILED_PRECONDITION, invalid_request_error, failed_precondition, false"
    })
    void statusIsKeptAndTypeMapped(int status, String rpc, String type, String code, boolean retryable) {
        GatewayException e = decode(status, body(status, rpc, "upstream says no"));
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(e.getMessage()).endsWith("upstream says no");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "The input token count (1290851) exceeds the maximum number of tokens allowed (1048576).",
                "The input token count exceeds the maximum number of tokens allowed 1048576.",
                "Request contains an input that is too long: 1200000 tokens.",
            })
    void contextLengthErrorsGetOpenAisCode(String message) {
        GatewayException e = decode(400, body(400, "INVALID_ARGUMENT", message));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.param()).isEqualTo("messages");
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void otherInvalidArgumentsAreNotContextLength() {
        GatewayException e = decode(
                400, body(400, "INVALID_ARGUMENT", "Unable to submit request because it has an empty text parameter."));
        assertThat(e.code()).isEqualTo("invalid_argument");
        assertThat(e.param()).isNull();
    }

    @Test
    void aBadGeminiKeyIs401NotTheClientsFault() {
        // Gemini answers a bad key with 400 INVALID_ARGUMENT and an ErrorInfo reason API_KEY_INVALID
        String bad = """
                {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
                  "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",
                              "domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}""";
        GatewayException e = decode(400, bad);
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.type()).isEqualTo("authentication_error");
        assertThat(e.code()).isEqualTo("invalid_api_key");
        assertThat(e.getMessage())
                .isEqualTo("Provider 'gemini' rejected the gateway's credentials: API key not valid. Please pass a"
                        + " valid API key.");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void unknownModelIsModelNotFound() {
        GatewayException e = decode(
                404,
                body(
                        404,
                        "NOT_FOUND",
                        "models/gemini-9-ultra is not found for API version v1beta, or is not supported for"
                                + " generateContent. Call ListModels to see the list of available models and their"
                                + " supported methods."));
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void theGatewaysKeyIsRedactedFromUpstreamText() {
        GatewayException e = decode(400, body(400, "INVALID_ARGUMENT", "Bad key AIza-test-key in request"));
        assertThat(e.getMessage()).isEqualTo("Bad key *** in request");
    }

    @Test
    void arrayWrappedErrorsAreRead() {
        GatewayException e = decode(503, "[" + body(503, "UNAVAILABLE", "The model is overloaded.") + "]");
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("unavailable");
        assertThat(e.getMessage()).isEqualTo("The model is overloaded.");
    }

    @Test
    void nonJsonBodiesKeepTheStatusWithASnippet() {
        GatewayException e = decode(502, "<html><body>Bad gateway</body></html>");
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.code()).isNull();
        assertThat(e.getMessage())
                .isEqualTo("Provider 'gemini' returned HTTP 502: <html><body>Bad gateway</body></html>");
        assertThat(e.retryable()).isTrue();

        GatewayException empty = decode(503, "");
        assertThat(empty.status()).isEqualTo(503);
        assertThat(empty.getMessage()).isEqualTo("Provider 'gemini' returned HTTP 503");
        assertThat(empty.retryable()).isTrue();

        GatewayException noMessage = decode(500, "{\"error\":{\"code\":500,\"status\":\"INTERNAL\"}}");
        assertThat(noMessage.getMessage()).isEqualTo("Provider 'gemini' returned HTTP 500");
    }

    @Test
    void retryDelayParsing() {
        assertThat(GeminiErrors.retryDelay(null)).isNull();
        assertThat(GeminiErrors.retryDelay(GeminiTestSupport.tree(
                        "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"30s\"}]")))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(GeminiErrors.retryDelay(GeminiTestSupport.tree(
                        "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"0.000500s\"}]")))
                .isEqualTo(Duration.ZERO);
        assertThat(GeminiErrors.retryDelay(GeminiTestSupport.tree(
                        "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"soon\"}]")))
                .isNull();
    }
}
