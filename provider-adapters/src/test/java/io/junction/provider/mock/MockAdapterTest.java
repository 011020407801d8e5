package io.junction.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockAdapterTest {
    private final MockAdapter adapter = new MockAdapter();

    private static ProviderSpec spec(Map<String, Object> options) {
        return new ProviderSpec("mock", null, null, null, null, null, null, new LinkedHashMap<>(options));
    }

    @Test
    void bothAdaptersAreFoundThroughTheServiceLoader() {
        ProviderRegistry registry = ProviderRegistry.load();

        assertThat(registry.types()).contains("mock", "openai");
        assertThat(registry.get("mock")).isInstanceOf(MockAdapter.class);
        assertThat(registry.get("mock").optionKeys())
                .containsExactlyInAnyOrder("first_token_delay_ms", "chunk_delay_ms", "fail_status");
    }

    @Test
    void validOptionsPass() {
        adapter.validate(spec(Map.of()));
        adapter.validate(spec(Map.of("first_token_delay_ms", 10, "chunk_delay_ms", "5", "fail_status", 503)));
        adapter.validate(spec(Map.of("fail_status", 400)));
        adapter.validate(spec(Map.of("fail_status", 599)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"first_token_delay_ms", "chunk_delay_ms", "fail_status"})
    void negativeOrNonNumericOptionsAreRejectedByName(String key) {
        assertThatThrownBy(() -> adapter.validate(spec(Map.of(key, -1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key);
        assertThatThrownBy(() -> adapter.validate(spec(Map.of(key, "soon"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 302, 399, 600, 1})
    void failStatusMustBeAnErrorStatus(int status) {
        assertThatThrownBy(() -> adapter.validate(spec(Map.of("fail_status", status))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fail_status");
    }

    @Test
    void encodeCarriesTheOptionsAndAnUpstreamBodyWithUsageForcedWhenStreaming() throws IOException {
        Target t = new Target(
                new Provider("demo", spec(Map.of("first_token_delay_ms", 7, "fail_status", 429)), adapter), "m1");
        ChatRequest r = new ChatRequest.Builder()
                .model("m1").messages(List.of(ChatMessage.of("user", "hi"))).stream(true)
                        .fallbacks(List.of("x"))
                        .build();

        UpstreamRequest up = adapter.encode(r, t);

        assertThat(up.uri().toString()).isEqualTo("mock://demo/v1/chat/completions");
        assertThat(up.stream()).isTrue();
        assertThat(up.headers())
                .containsEntry("first_token_delay_ms", "7")
                .containsEntry("chunk_delay_ms", "0")
                .containsEntry("fail_status", "429");
        JsonNode body = Json.MAPPER.readTree(up.body());
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(body.has("fallbacks")).isFalse();
    }

    @Test
    void theMockAlwaysUsesItsOwnTransport() {
        UpstreamTransport network = (r, e, l) -> {
            throw new AssertionError("the network must not be used");
        };

        UpstreamTransport used = adapter.transport(network);

        assertThat(used).isNotSameAs(network).isInstanceOf(MockTransport.class);
        assertThat(adapter.transport(null)).isSameAs(used);
        assertThat(((ProviderAdapter) adapter).type()).isEqualTo("mock");
    }
}
