package io.junction.provider.anthropic;

import static io.junction.provider.anthropic.AnthropicTestSupport.ADAPTER;
import static io.junction.provider.anthropic.AnthropicTestSupport.request;
import static io.junction.provider.anthropic.AnthropicTestSupport.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.ProviderSpec;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.transport.UpstreamRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Registration, options, URL and headers of the {@code anthropic} type. */
class AnthropicAdapterTest {
    private static final String HI = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @Test
    void registeredThroughServiceLoader() {
        ProviderRegistry registry = ProviderRegistry.load();
        assertThat(registry.get("anthropic")).isInstanceOf(AnthropicAdapter.class);
        assertThat(registry.types()).contains("anthropic", "openai", "mock");
        assertThat(ADAPTER.optionKeys())
                .containsExactlyInAnyOrder(
                        "anthropic_version", "default_max_tokens", "thinking_budgets", "anthropic_beta");
    }

    @ParameterizedTest(name = "base_url {0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                "none                              | https://api.anthropic.com/v1/messages",
                "https://api.anthropic.com         | https://api.anthropic.com/v1/messages",
                "https://api.anthropic.com/        | https://api.anthropic.com/v1/messages",
                "http://127.0.0.1:8089/proxy//     | http://127.0.0.1:8089/proxy/v1/messages",
                "https://gw.example.com/anthropic/v1/ | https://gw.example.com/anthropic/v1/messages",
            })
    void urlIsTheApiRootPlusV1Messages(String baseUrl, String expected) {
        UpstreamRequest up = ADAPTER.encode(request(HI), target(baseUrl, Map.of(), Map.of()));
        assertThat(up.uri()).hasToString(expected);
        assertThat(up.method()).isEqualTo("POST");
    }

    @Test
    void headersCarryKeyVersionAndSpecHeaders() {
        UpstreamRequest up = ADAPTER.encode(request(HI), target(null, Map.of("x-team", "blue"), Map.of()));
        assertThat(up.headers())
                .containsExactly(
                        Map.entry("content-type", "application/json"),
                        Map.entry("accept", "application/json"),
                        Map.entry("x-api-key", "sk-ant-test"),
                        Map.entry("anthropic-version", "2023-06-01"),
                        Map.entry("x-team", "blue"));
        assertThat(up.stream()).isFalse();
        assertThat(up.connectTimeout()).isEqualTo(Duration.ofMillis(10_000));
        assertThat(up.readTimeout()).isEqualTo(Duration.ofMillis(600_000));
        assertThat(up.toString()).doesNotContain("sk-ant-test");
    }

    @Test
    void optionsSetVersionAndBetaAndSpecHeadersWin() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("anthropic_version", "2024-01-01");
        options.put("anthropic_beta", List.of("prompt-caching-2024-07-31", "output-128k-2025-02-19"));
        UpstreamRequest up = ADAPTER.encode(
                request("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                target(null, Map.of("anthropic-version", "2099-12-31"), options));
        assertThat(up.headers())
                .containsEntry("anthropic-version", "2099-12-31")
                .containsEntry("anthropic-beta", "prompt-caching-2024-07-31,output-128k-2025-02-19")
                .containsEntry("accept", "text/event-stream");
        assertThat(up.stream()).isTrue();

        UpstreamRequest single =
                ADAPTER.encode(request(HI), target(Map.of("anthropic_version", "2024-01-01", "anthropic_beta", "x-1")));
        assertThat(single.headers())
                .containsEntry("anthropic-version", "2024-01-01")
                .containsEntry("anthropic-beta", "x-1");
    }

    @Test
    void noKeyNoKeyHeader() {
        UpstreamRequest up = ADAPTER.encode(request(HI), target(null, null, Map.of(), Map.of()));
        assertThat(up.headers()).doesNotContainKey("x-api-key").doesNotContainKey("authorization");
    }

    private static ProviderSpec spec(Map<String, Object> options) {
        return new ProviderSpec("anthropic", null, "k", null, null, null, null, new LinkedHashMap<>(options));
    }

    @Test
    void validateAcceptsGoodOptions() {
        ADAPTER.validate(spec(Map.of()));
        ADAPTER.validate(spec(Map.of(
                "anthropic_version",
                "2023-06-01",
                "default_max_tokens",
                8192,
                "thinking_budgets",
                Map.of("low", 4000, "max", "100000"),
                "anthropic_beta",
                "a,b")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "default_max_tokens: expected a whole number of at least 1, got 0",
                "default_max_tokens: expected a whole number, got 'lots'",
                "thinking_budgets.high: expected a whole number of at least 1024, got 100",
                "thinking_budgets.huge: unknown reasoning effort",
                "thinking_budgets: expected a map",
                "anthropic_version: expected a non-empty string",
                "anthropic_beta: expected a string or a list of strings",
            })
    void validateRejectsBadOptionsNamingTheKey(String expectedMessageStart) {
        Map<String, Object> bad =
                switch (expectedMessageStart.substring(0, expectedMessageStart.indexOf(':'))) {
                    case "default_max_tokens" ->
                        Map.of("default_max_tokens", expectedMessageStart.contains("'lots'") ? "lots" : 0);
                    case "thinking_budgets.high" -> Map.of("thinking_budgets", Map.of("high", 100));
                    case "thinking_budgets.huge" -> Map.of("thinking_budgets", Map.of("huge", 5000));
                    case "thinking_budgets" -> Map.of("thinking_budgets", 5000);
                    case "anthropic_version" -> Map.of("anthropic_version", " ");
                    default -> Map.of("anthropic_beta", 42);
                };
        assertThatThrownBy(() -> ADAPTER.validate(spec(bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(expectedMessageStart);
    }
}
