package io.junction.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    private static ProviderAdapter adapter(String type) {
        return new ProviderAdapter() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public UpstreamRequest encode(ChatRequest request, Target target) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ChatResponse decodeResponse(ByteBuf body, Target target) {
                throw new UnsupportedOperationException();
            }

            @Override
            public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
                throw new UnsupportedOperationException();
            }

            @Override
            public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void adaptersAreFoundByTypeAndTypesAreSorted() {
        ProviderAdapter b = adapter("bedrock");
        ProviderAdapter a = adapter("anthropic");
        ProviderRegistry r = new ProviderRegistry(List.of(b, a));

        assertThat(r.get("anthropic")).isSameAs(a);
        assertThat(r.has("bedrock")).isTrue();
        assertThat(r.has("openai")).isFalse();
        assertThat(r.get("openai")).isNull();
        assertThat(r.types()).containsExactly("anthropic", "bedrock");
    }

    @Test
    void twoAdaptersForOneTypeAreRejected() {
        assertThatThrownBy(() -> new ProviderRegistry(List.of(adapter("x"), adapter("x"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'x'");
    }

    @Test
    void targetIdIsProviderSlashModel() {
        Provider p = new Provider(
                "or",
                new io.junction.core.config.ProviderSpec("x", null, null, null, null, null, null, null),
                adapter("x"));
        Target t = new Target(p, "meta/llama");

        assertThat(t.id()).isEqualTo("or/meta/llama");
        assertThat(t.toString()).isEqualTo("or/meta/llama");
        assertThat(p.toString()).doesNotContain("apiKey=").contains("type=x");
    }
}
