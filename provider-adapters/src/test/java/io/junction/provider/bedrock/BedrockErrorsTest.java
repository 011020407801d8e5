package io.junction.provider.bedrock;

import static io.junction.provider.bedrock.BedrockTestSupport.ADAPTER;
import static io.junction.provider.bedrock.BedrockTestSupport.fixture;
import static io.junction.provider.bedrock.BedrockTestSupport.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.transport.UpstreamHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bedrock HTTP error responses to OpenAI errors. */
class BedrockErrorsTest {

    private static UpstreamHeaders headers(Map<String, String> h) {
        TreeMap<String, String> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ci.putAll(h);
        return ci::get;
    }

    private static GatewayException decode(int status, Map<String, String> h, byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            return ADAPTER.decodeError(status, headers(h), buf, target());
        } finally {
            buf.release();
        }
    }

    private static GatewayException decode(int status, String type, String message) {
        return decode(
                status,
                Map.of("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/"),
                ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordedValidationErrorForAnUnknownModel() {
        GatewayException e = decode(
                400,
                Map.of("X-Amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
                fixture("error-400.validation.json"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).isEqualTo("The provided model identifier is invalid.");
        assertThat(e.retryable()).isFalse();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "400, ValidationException, invalid_request_error, false",
        "403, AccessDeniedException, permission_error, false",
        "404, ResourceNotFoundException, invalid_request_error, false",
        "408, ModelTimeoutException, invalid_request_error, true",
        "429, ThrottlingException, rate_limit_error, true",
        "429, ModelNotReadyException, rate_limit_error, true",
        "500, InternalServerException, api_error, true",
        "503, ServiceUnavailableException, api_error, true",
    })
    void eachModeledErrorKeepsItsStatus(int status, String type, String openAiType, boolean retryable) {
        GatewayException e = decode(status, type, "Something about " + type);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.type()).isEqualTo(openAiType);
        assertThat(e.code()).isEqualTo(type);
        assertThat(e.getMessage()).isEqualTo("Something about " + type);
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(BedrockErrors.statusFor(type)).isEqualTo(status);
    }

    @Test
    void modelErrorsAre502() {
        GatewayException e = decode(424, "ModelErrorException", "The model failed");
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.code()).isEqualTo("ModelErrorException");
        assertThat(e.retryable()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Input is too long for requested model.",
                "The prompt is too long: 250000 tokens > 200000 maximum",
                "Too many input tokens. Max input tokens: 8192",
                "The input exceeds the model's context window",
            })
    void contextLengthMessagesGetOpenAisCode(String message) {
        GatewayException e = decode(400, "ValidationException", message);
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.param()).isEqualTo("messages");
        assertThat(e.getMessage()).isEqualTo(message);
    }

    @Test
    void typeFromTheBodyAndCapitalMessageAreUnderstood() {
        GatewayException e = decode(
                403,
                Map.of(),
                "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\",\"Message\":\"The security token included in the request is invalid.\"}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.code()).isEqualTo("UnrecognizedClientException");
        assertThat(e.getMessage()).isEqualTo("The security token included in the request is invalid.");
    }

    @Test
    void retryAfterIsKept() {
        GatewayException e = decode(
                429,
                Map.of("x-amzn-ErrorType", "ThrottlingException", "retry-after", "7"),
                "{\"message\":\"Too many requests, please wait before trying again.\"}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.code()).isEqualTo("ThrottlingException");
    }

    @Test
    void bodiesThatAreNotJsonKeepTheStatusWithASnippet() {
        GatewayException e =
                decode(502, Map.of(), "<html><body>Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8));
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isNull();
        assertThat(e.getMessage())
                .isEqualTo("Provider 'bedrock' returned HTTP 502: <html><body>Bad Gateway</body></html>");
        assertThat(e.retryable()).isTrue();

        GatewayException empty = decode(503, Map.of("x-amzn-ErrorType", "ServiceUnavailableException"), new byte[0]);
        assertThat(empty.getMessage()).isEqualTo("Provider 'bedrock' returned HTTP 503 (ServiceUnavailableException)");
        assertThat(empty.code()).isEqualTo("ServiceUnavailableException");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "throttlingException, 429, true",
        "serviceUnavailableException, 503, true",
        "modelStreamErrorException, 502, true",
        "validationException, 400, false",
        "internalServerException, 500, true",
        "somethingNewException, 502, true",
    })
    void streamExceptionTypes(String type, int status, boolean retryable) {
        GatewayException e = BedrockErrors.streamException(
                type, "{\"message\":\"boom\"}".getBytes(StandardCharsets.UTF_8), target());
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(e.code()).isEqualTo(Character.toUpperCase(type.charAt(0)) + type.substring(1));
        assertThat(e.getMessage()).isEqualTo("boom");
    }

    @Test
    void errorTypeParsing() {
        assertThat(BedrockErrors.errorType("ValidationException:http://internal.amazon.com/coral/x/"))
                .isEqualTo("ValidationException");
        assertThat(BedrockErrors.errorType("com.amazon.coral.validate#ValidationException"))
                .isEqualTo("ValidationException");
        assertThat(BedrockErrors.errorType(" ")).isNull();
    }
}
