package io.junction.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayExceptionTest {

    @Test
    void theBodyIsTheOpenAiErrorShapeWithParamAndCodeAlwaysPresent() throws IOException {
        JsonNode body = Json.MAPPER.readTree(
                Json.bytes(GatewayException.invalidRequest(null, "Bad.").toBody()));

        JsonNode error = body.get("error");
        assertThat(body).hasSize(1);
        assertThat(error.get("message").asText()).isEqualTo("Bad.");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.has("code")).isTrue();
        assertThat(error.get("code").isNull()).isTrue();
    }

    @Test
    void factoriesSetStatusTypeCodeParamAndRetryability() {
        GatewayException nf = GatewayException.modelNotFound("gpt-9");
        assertThat(nf.status()).isEqualTo(404);
        assertThat(nf.code()).isEqualTo("model_not_found");
        assertThat(nf.param()).isEqualTo("model");
        assertThat(nf.getMessage()).contains("'gpt-9'");
        assertThat(nf.retryable()).isFalse();

        assertThat(GatewayException.unauthorized("no").status()).isEqualTo(401);
        assertThat(GatewayException.unauthorized("no").type()).isEqualTo("authentication_error");
        assertThat(GatewayException.forbidden("no").status()).isEqualTo(403);
        assertThat(GatewayException.notFound("no").status()).isEqualTo(404);

        GatewayException down = GatewayException.upstreamUnavailable("openai", "refused", new RuntimeException("x"));
        assertThat(down.status()).isEqualTo(502);
        assertThat(down.retryable()).isTrue();
        assertThat(down.getMessage()).isEqualTo("Provider 'openai' refused");
        assertThat(down.getCause()).hasMessage("x");

        assertThat(GatewayException.upstreamTimeout("p", "t").status()).isEqualTo(504);
        assertThat(GatewayException.upstreamTimeout("p", "t").retryable()).isTrue();
        assertThat(GatewayException.malformedUpstream("p", "m").status()).isEqualTo(502);
        assertThat(GatewayException.malformedUpstream("p", "m").retryable()).isTrue();
        assertThat(GatewayException.internal("oops", null).status()).isEqualTo(500);
        assertThat(GatewayException.internal("oops", null).retryable()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 409, 429, 500, 501, 502, 503, 504, 529, 599})
    void retryableStatuses(int status) {
        assertThat(GatewayException.retryableStatus(status)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 401, 403, 404, 413, 422, 499})
    void nonRetryableStatuses(int status) {
        assertThat(GatewayException.retryableStatus(status)).isFalse();
    }

    @Test
    void noStackTraceIsCapturedButTheCauseIsKept() {
        GatewayException e = GatewayException.internal("x", new IllegalStateException("root"));

        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
        assertThat(e.toString()).isEqualTo("GatewayException[500 internal_error/internal_error: x]");
    }
}
