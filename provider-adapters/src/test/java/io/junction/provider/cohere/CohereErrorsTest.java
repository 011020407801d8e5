package io.junction.provider.cohere;

import static io.junction.provider.cohere.CohereTestSupport.ADAPTER;
import static io.junction.provider.cohere.CohereTestSupport.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.transport.UpstreamHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cohere error bodies to OpenAI errors. No Cohere error response was found recorded: the bodies are
 * built in the documented shape ({@code {"message": ...}}), with example messages from Cohere's
 * errors reference (docs.cohere.com/errors-reference).
 */
class CohereErrorsTest {

    private static GatewayException decode(int status, Map<String, String> headers, String body) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
        try {
            UpstreamHeaders h = headers::get;
            GatewayException e = ADAPTER.decodeError(status, h, b, target());
            assertThat(b.readerIndex()).as("the body is not consumed").isZero();
            return e;
        } finally {
            b.release();
        }
    }

    @Test
    void aBadRequestKeepsCoheresMessage() {
        GatewayException e =
                decode(400, Map.of(), "{\"message\":\"invalid request: list of documents must not be empty\"}");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.getMessage()).isEqualTo("invalid request: list of documents must not be empty");
        assertThat(e.code()).isNull();
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void aTooLongPromptIsContextLengthExceeded() {
        GatewayException e = decode(
                400,
                Map.of(),
                "{\"message\":\"too many tokens: total number of tokens in the prompt"
                        + " cannot exceed 4081 - received 4292. Try using a shorter prompt, or enabling prompt truncating.\"}");
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.param()).isEqualTo("messages");
        GatewayException maxTokens = decode(
                400,
                Map.of(),
                "{\"message\":\"too many tokens: max tokens must be less than or"
                        + " equal to 4096, the maximum output for this model - received 8192.\"}");
        assertThat(maxTokens.code()).isNull();
    }

    @Test
    void rateLimitsAreRetriedAfterTheAdvertisedDelay() {
        GatewayException e = decode(
                429,
                Map.of("retry-after", "2"),
                "{\"message\":\"You are past the per minute request limit, please wait and try again later.\"}");
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo("rate_limit_error");
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @CsvSource({
        "401,401,authentication_error,false",
        "498,401,authentication_error,false",
        "403,403,permission_error,false"
    })
    void rejectedCredentialsNameTheGatewayAndNeverTheKey(int status, int mapped, String type, boolean retryable) {
        GatewayException e = decode(status, Map.of(), "{\"message\":\"invalid api token co-test-key\"}");
        assertThat(e.status()).isEqualTo(mapped);
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(e.getMessage())
                .startsWith("Provider 'cohere' rejected the gateway's credentials: invalid api token")
                .doesNotContain("co-test-key");
    }

    @ParameterizedTest
    @CsvSource({"499,502", "500,500", "503,503", "504,504"})
    void serverSideFailuresAreRetried(int status, int mapped) {
        GatewayException e = decode(status, Map.of(), "{\"message\":\"internal server error\"}");
        assertThat(e.status()).isEqualTo(mapped);
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void anUnknownModelIsModelNotFound() {
        GatewayException e = decode(
                404,
                Map.of(),
                "{\"message\":\"model 'command-z' not found, make sure the correct model ID was used\"}");
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void aBodyThatIsNotCoheresShapeKeepsTheStatusAndASnippet() {
        GatewayException e = decode(502, Map.of(), "<html>Bad Gateway</html>");
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.getMessage()).isEqualTo("Provider 'cohere' returned HTTP 502: <html>Bad Gateway</html>");
        assertThat(e.retryable()).isTrue();
        GatewayException empty = decode(500, Map.of(), "");
        assertThat(empty.getMessage()).isEqualTo("Provider 'cohere' returned HTTP 500");
    }
}
