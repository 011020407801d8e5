package io.junction.provider.gemini;

import static io.junction.provider.gemini.GeminiTestSupport.ADAPTER;
import static io.junction.provider.gemini.GeminiTestSupport.request;
import static io.junction.provider.gemini.GeminiTestSupport.target;
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

/** Registration, options, URL and headers of the {@code gemini} type. */
class GeminiAdapterTest {
    private static final String HI = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    private static final String HI_STREAM =
            "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @Test
    void registeredThroughServiceLoader() {
        ProviderRegistry registry = ProviderRegistry.load();
        assertThat(registry.get("gemini")).isInstanceOf(GeminiAdapter.class);
        assertThat(registry.types()).contains("gemini", "anthropic", "openai", "mock");
        assertThat(ADAPTER.type()).isEqualTo("gemini");
        assertThat(ADAPTER.optionKeys())
                .containsExactlyInAnyOrder(
                        "api_version",
                        "thinking_budgets",
                        "schema_mode",
                        "safety_settings",
                        "thought_signature_placeholder");
    }

    @ParameterizedTest(name = "base_url {0}, model {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                "none                                              | gemini-2.5-flash | https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
                "https://generativelanguage.googleapis.com          | gemini-2.5-flash | https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
                "https://generativelanguage.googleapis.com/         | gemini-2.5-flash | https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
                "https://generativelanguage.googleapis.com/v1beta/  | gemini-2.5-flash | https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
                "http://127.0.0.1:8089/proxy//                      | gemini-2.5-flash | http://127.0.0.1:8089/proxy/v1beta/models/gemini-2.5-flash:generateContent",
                "none                                              | models/gemini-3-pro-preview | https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-preview:generateContent",
                "none                                              | tunedModels/my-model-7 | https://generativelanguage.googleapis.com/v1beta/tunedModels/my-model-7:generateContent",
                "none                                              | odd name | https://generativelanguage.googleapis.com/v1beta/models/odd%20name:generateContent",
            })
    void urlIsTheApiRootPlusVersionModelAndMethod(String baseUrl, String model, String expected) {
        UpstreamRequest up =
                ADAPTER.encode(request(HI).withModel(model), target(baseUrl, "k", Map.of(), Map.of(), model));
        assertThat(up.uri()).hasToString(expected);
        assertThat(up.method()).isEqualTo("POST");
        assertThat(up.stream()).isFalse();
    }

    @Test
    void streamsUseStreamGenerateContentWithAltSse() {
        UpstreamRequest up = ADAPTER.encode(request(HI_STREAM).withModel("gemini-2.5-pro"), target());
        assertThat(up.uri())
                .hasToString(
                        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
        assertThat(up.stream()).isTrue();
        assertThat(up.headers()).containsEntry("accept", "text/event-stream");

        UpstreamRequest slash = ADAPTER.encode(
                request(HI_STREAM).withModel("gemini-2.5-pro"),
                target("https://generativelanguage.googleapis.com/", Map.of(), Map.of()));
        assertThat(slash.uri()).isEqualTo(up.uri());
    }

    @Test
    void apiVersionOption() {
        UpstreamRequest up =
                ADAPTER.encode(request(HI).withModel("gemini-2.5-flash"), target(Map.of("api_version", "v1")));
        assertThat(up.uri())
                .hasToString("https://generativelanguage.googleapis.com/v1/models/gemini-2.5-flash:generateContent");
        UpstreamRequest already = ADAPTER.encode(
                request(HI).withModel("gemini-2.5-flash"),
                target("https://proxy.example.com/google/v1/", Map.of(), Map.of("api_version", "v1")));
        assertThat(already.uri())
                .hasToString("https://proxy.example.com/google/v1/models/gemini-2.5-flash:generateContent");
    }

    @Test
    void headersCarryTheKeyAndSpecHeadersWhichWin() {
        UpstreamRequest up = ADAPTER.encode(request(HI), target(null, Map.of("x-team", "blue"), Map.of()));
        assertThat(up.headers())
                .containsExactly(
                        Map.entry("content-type", "application/json"),
                        Map.entry("accept", "application/json"),
                        Map.entry("x-goog-api-key", "AIza-test-key"),
                        Map.entry("x-team", "blue"));
        assertThat(up.connectTimeout()).isEqualTo(Duration.ofMillis(10_000));
        assertThat(up.readTimeout()).isEqualTo(Duration.ofMillis(600_000));
        assertThat(up.toString()).doesNotContain("AIza-test-key");
        // the key never goes in the URL (no ?key=)
        assertThat(up.uri().toString()).doesNotContain("key");

        UpstreamRequest overridden =
                ADAPTER.encode(request(HI), target(null, Map.of("x-goog-api-key", "other"), Map.of()));
        assertThat(overridden.headers()).containsEntry("x-goog-api-key", "other");
    }

    @Test
    void noKeyNoKeyHeader() {
        UpstreamRequest up = ADAPTER.encode(request(HI), target(null, null, Map.of(), Map.of(), "m"));
        assertThat(up.headers()).doesNotContainKey("x-goog-api-key").doesNotContainKey("authorization");
        UpstreamRequest empty = ADAPTER.encode(request(HI), target(null, "", Map.of(), Map.of(), "m"));
        assertThat(empty.headers()).doesNotContainKey("x-goog-api-key");
    }

    private static ProviderSpec spec(Map<String, Object> options) {
        return new ProviderSpec("gemini", null, "k", null, null, null, null, new LinkedHashMap<>(options));
    }

    @Test
    void validateAcceptsGoodOptions() {
        ADAPTER.validate(spec(Map.of()));
        ADAPTER.validate(spec(Map.of(
                "api_version",
                "v1alpha",
                "thinking_budgets",
                Map.of("none", 128, "low", "2048", "high", "high", "max", -1),
                "schema_mode",
                "openapi",
                "safety_settings",
                List.of(Map.of("category", "HARM_CATEGORY_HARASSMENT", "threshold", "BLOCK_ONLY_HIGH")),
                "thought_signature_placeholder",
                "never")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "api_version: expected an API version such as 'v1beta' or 'v1', got '1beta'",
                "thinking_budgets.high: expected a token budget of at least -1 (dynamic) or 0 (off), got -2",
                "thinking_budgets.low: expected a token budget (a whole number, -1 for dynamic) or a thinking level",
                "thinking_budgets.huge: unknown reasoning effort",
                "thinking_budgets: expected a map",
                "schema_mode: expected 'json_schema' or 'openapi', got 'yaml'",
                "safety_settings: expected a list",
                "safety_settings[0].threshold: expected a non-empty string",
                "safety_settings[1]: expected a map",
                "thought_signature_placeholder: expected 'auto', 'always' or 'never', got 'sometimes'",
            })
    void validateRejectsBadOptionsNamingTheKey(String expectedMessageStart) {
        Map<String, Object> bad =
                switch (expectedMessageStart.substring(0, expectedMessageStart.indexOf(':'))) {
                    case "api_version" -> Map.of("api_version", "1beta");
                    case "thinking_budgets.high" -> Map.of("thinking_budgets", Map.of("high", -2));
                    case "thinking_budgets.low" -> Map.of("thinking_budgets", Map.of("low", "lots"));
                    case "thinking_budgets.huge" -> Map.of("thinking_budgets", Map.of("huge", 5000));
                    case "thinking_budgets" -> Map.of("thinking_budgets", 5000);
                    case "schema_mode" -> Map.of("schema_mode", "yaml");
                    case "safety_settings" -> Map.of("safety_settings", "BLOCK_NONE");
                    case "safety_settings[0].threshold" ->
                        Map.of("safety_settings", List.of(Map.of("category", "HARM_CATEGORY_HARASSMENT")));
                    case "safety_settings[1]" ->
                        Map.of(
                                "safety_settings",
                                List.of(Map.of("category", "HARM_CATEGORY_HARASSMENT", "threshold", "OFF"), "x"));
                    default -> Map.of("thought_signature_placeholder", "sometimes");
                };
        assertThatThrownBy(() -> ADAPTER.validate(spec(bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(expectedMessageStart);
    }
}
