package io.junction.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.schema.ChatRequest;
import io.junction.core.validate.RequestParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
    static ChatRequest parse(String json) {
        return RequestParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static final List<String> TARGETS = List.of("oai/gpt-4o-mini", "mock/echo");
    private static final String BASE = """
            {"model": "managed", "temperature": 0, "max_tokens": 50,
             "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
             "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string"}}}}}],
             "tool_choice": "auto", "response_format": {"type": "json_object"}}""";

    /** BASE with the fields of {@code fields} (a JSON object's members) set or replaced. */
    private static String with(String fields) {
        try {
            var tree =
                    (com.fasterxml.jackson.databind.node.ObjectNode) io.junction.core.schema.Json.MAPPER.readTree(BASE);
            tree.setAll((com.fasterxml.jackson.databind.node.ObjectNode)
                    io.junction.core.schema.Json.MAPPER.readTree("{" + fields + "}"));
            return tree.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String key(String json) {
        return CacheKey.of("key:team-a", TARGETS, parse(json));
    }

    @Test
    void fieldOrderDoesNotMatterAtAnyDepth() {
        String reordered = """
                {"response_format": {"type": "json_object"}, "tool_choice": "auto",
                 "tools": [{"function": {"parameters": {"properties": {"a": {"type": "string"}}, "type": "object"}, "name": "f"}, "type": "function"}],
                 "messages": [{"content": "Be brief.", "role": "system"}, {"content": "Hi", "role": "user"}],
                 "max_tokens": 50, "temperature": 0.0, "model": "managed"}""";
        assertThat(key(reordered)).isEqualTo(key(BASE)).startsWith(CacheKey.PREFIX);
    }

    @Test
    void theTargetSetIsInTheKeyNotTheirOrderNorTheNameTheClientUsed() {
        ChatRequest r = parse(BASE);
        String k = CacheKey.of("global", TARGETS, r);
        assertThat(CacheKey.of("global", List.of("mock/echo", "oai/gpt-4o-mini"), r))
                .as("a strategy's per-call order")
                .isEqualTo(k);
        assertThat(CacheKey.of("global", TARGETS, r.withModel("other-alias-same-targets")))
                .isEqualTo(k);
        assertThat(CacheKey.of("global", List.of("oai/gpt-4o"), r)).isNotEqualTo(k);
    }

    @Test
    void everySamplingParameterAndAnswerShapingFieldChangesTheKey() {
        String base = key(BASE);
        for (String change : List.of(
                "\"temperature\": 0.1",
                "\"top_p\": 0.5",
                "\"max_tokens\": 51",
                "\"max_completion_tokens\": 50",
                "\"stop\": [\"x\"]",
                "\"n\": 2",
                "\"presence_penalty\": 0.5",
                "\"frequency_penalty\": 0.5",
                "\"logit_bias\": {\"50256\": -100}",
                "\"seed\": 7",
                "\"reasoning_effort\": \"low\"",
                "\"tool_choice\": \"none\"",
                "\"response_format\": {\"type\": \"text\"}",
                "\"parallel_tool_calls\": false",
                "\"unknown_vendor_param\": 1",
                "\"messages\": [{\"role\": \"user\", \"content\": \"Hi!\"}]",
                "\"tools\": []")) {
            assertThat(key(with(change))).as(change).isNotEqualTo(base);
        }
    }

    @Test
    void deliveryAndAccountingFieldsDoNotChangeTheKey() {
        String base = key(BASE);
        for (String same : List.of(
                "\"stream\": true",
                "\"stream\": true, \"stream_options\": {\"include_usage\": true}",
                "\"user\": \"u-1\"",
                "\"metadata\": {\"a\": \"b\"}",
                "\"store\": true",
                "\"service_tier\": \"auto\"",
                "\"tags\": [\"t\"]",
                "\"session_id\": \"s\"",
                "\"fallbacks\": [\"mock/echo\"]",
                "\"max_ttft_ms\": 100")) {
            assertThat(key(with(same))).as(same).isEqualTo(base);
        }
    }

    @Test
    void scopesSeparateTenants() {
        ChatRequest r = parse(BASE);
        String a = CacheKey.of("key:team-a", TARGETS, r);
        assertThat(CacheKey.of("key:team-b", TARGETS, r)).isNotEqualTo(a);
        assertThat(CacheKey.of("team:team-a", TARGETS, r)).isNotEqualTo(a);
        assertThat(CacheKey.of("global", TARGETS, r)).isNotEqualTo(a);
    }

    @Test
    void theKeyIsADigestAndCarriesNoSecretOrPrompt() {
        String secret = "sk-live-very-secret-123";
        ChatRequest r = parse(BASE);
        String k = CacheKey.of("key:" + secret, TARGETS, r);
        assertThat(k).matches("jc1:[0-9a-f]{64}").doesNotContain(secret).doesNotContain("team-a");
        assertThat(CacheKey.canonical(TARGETS, r))
                .contains("\"$targets\":[\"mock/echo\",\"oai/gpt-4o-mini\"]")
                .doesNotContain("managed")
                .doesNotContain("sk-");
    }
}
