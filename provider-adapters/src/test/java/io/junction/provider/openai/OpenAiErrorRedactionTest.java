package io.junction.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.spi.Provider;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Upstream error text never carries the provider's own key to the client. */
class OpenAiErrorRedactionTest {
    private static final String KEY = "sk-live-provider-secret-123";
    private final Target target = new Target(
            new Provider(
                    "oai", new ProviderSpec("openai", null, KEY, null, null, null, null, null), new OpenAiAdapter()),
            "gpt-4o-mini");

    private GatewayException decode(int status, String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return new OpenAiAdapter().decodeError(status, UpstreamHeaders.EMPTY, buf, target);
        } finally {
            buf.release();
        }
    }

    @Test
    void theProviderKeyIsRedactedFromJsonAndPlainBodies() {
        GatewayException json = decode(
                401,
                "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                        + ".\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
        assertThat(json.getMessage()).doesNotContain(KEY).contains("***");
        assertThat(json.getMessage()).startsWith("Provider 'oai' rejected the gateway's credentials: ");
        assertThat(json.status()).isEqualTo(401);
        assertThat(json.retryable()).isFalse();

        GatewayException plain = decode(502, "bad gateway for key " + KEY);
        assertThat(plain.getMessage()).doesNotContain(KEY);
        assertThat(plain.retryable()).isTrue();
    }
}
