package io.junction.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.junction.core.config.ProviderSpec;
import io.junction.core.pricing.Cost;
import io.junction.core.pricing.PricingTable;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Provider;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.Target;
import io.junction.provider.anthropic.AnthropicAdapter;
import io.junction.provider.gemini.GeminiAdapter;
import io.junction.provider.openai.OpenAiAdapter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden costs: a provider's raw response body goes through its adapter's usage normalization, then
 * through the shipped price table ({@code config/pricing.yaml}) — the path every real call takes.
 * Expected numbers are worked out by hand from the published rates in that file.
 */
class UsageCostGoldenTest {
    private static final PricingTable PRICES = PricingTable.load(Map.of());
    private static final double EPS = 1e-12;

    private static Target target(String name, String type, ProviderAdapter adapter, String model) {
        return new Target(
                new Provider(name, new ProviderSpec(type, null, "k", null, null, null, null, null), adapter), model);
    }

    private static Usage decode(Target t, String body) {
        ChatRequest req = new ChatRequest.Builder()
                .model(t.model())
                .messages(List.of(ChatMessage.of("user", "hi")))
                .build();
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            ChatResponse r = t.adapter().decodeResponse(buf, req, t);
            return r.usage();
        } finally {
            buf.release();
        }
    }

    @Test
    void openAiCachedPromptAndReasoningTokens() {
        Target t = target("oai", "openai", new OpenAiAdapter(), "o4-mini-2025-04-16");
        Usage u = decode(t, """
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"o4-mini-2025-04-16",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":2000,"completion_tokens":1500,"total_tokens":3500,
                   "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
                   "completion_tokens_details":{"reasoning_tokens":1000,"audio_tokens":0}}}
                """);
        Cost c = PRICES.cost(t, u).orElseThrow();
        // o4-mini: input 1.10, cached_input 0.275, output 4.40 per 1M; reasoning billed as output
        assertThat(c.input()).isCloseTo(976 * 1.10e-6, within(EPS));
        assertThat(c.cachedInput()).isCloseTo(1024 * 0.275e-6, within(EPS));
        assertThat(c.cacheWrite()).isZero();
        assertThat(c.output()).isCloseTo(1500 * 4.40e-6, within(EPS));
        assertThat(c.total()).isCloseTo(0.0079552, within(EPS));
    }

    @Test
    void anthropicCacheReadsAndCacheCreationAreBilledApart() {
        Target t = target("claude", "anthropic", new AnthropicAdapter(), "claude-sonnet-4-5-20250929");
        String body = """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                 "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":100,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,
                          "output_tokens":300}}
                """;
        Usage mixed = decode(t, body.formatted(2000, 5000));
        assertThat(mixed.prompt()).isEqualTo(7100);
        assertThat(mixed.cached()).isEqualTo(5000);
        assertThat(PricingTable.cacheWriteTokens(mixed)).isEqualTo(2000);
        Cost c = PRICES.cost(t, mixed).orElseThrow();
        // Sonnet 4.5: input 3, 5m cache write 3.75, cache hit 0.30, output 15 per 1M
        assertThat(c.input()).isCloseTo(100 * 3e-6, within(EPS));
        assertThat(c.cachedInput()).isCloseTo(5000 * 0.30e-6, within(EPS));
        assertThat(c.cacheWrite()).isCloseTo(2000 * 3.75e-6, within(EPS));
        assertThat(c.output()).isCloseTo(300 * 15e-6, within(EPS));
        assertThat(c.total()).isCloseTo(0.0138, within(EPS));

        // the same 7000 prompt tokens cost 12.5x more written to the cache than read from it
        Cost allWritten = PRICES.cost(t, decode(t, body.formatted(7000, 0))).orElseThrow();
        Cost allRead = PRICES.cost(t, decode(t, body.formatted(0, 7000))).orElseThrow();
        assertThat(allWritten.cacheWrite()).isCloseTo(7000 * 3.75e-6, within(EPS));
        assertThat(allRead.cachedInput()).isCloseTo(7000 * 0.30e-6, within(EPS));
        assertThat(allWritten.cacheWrite() / allRead.cachedInput()).isCloseTo(12.5, within(1e-9));
    }

    @Test
    void geminiCachedContentAndThoughts() {
        Target t = target("gem", "gemini", new GeminiAdapter(), "gemini-2.5-flash");
        Usage u = decode(t, """
                {"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP",
                  "index":0}],
                 "usageMetadata":{"promptTokenCount":1000,"cachedContentTokenCount":400,
                   "candidatesTokenCount":200,"thoughtsTokenCount":300,"totalTokenCount":1500},
                 "modelVersion":"gemini-2.5-flash","responseId":"r1"}
                """);
        assertThat(u.prompt()).isEqualTo(1000);
        assertThat(u.cached()).isEqualTo(400);
        assertThat(u.completion()).isEqualTo(500);
        assertThat(u.reasoning()).isEqualTo(300);
        Cost c = PRICES.cost(t, u).orElseThrow();
        // 2.5 Flash: input 0.30, cached 0.03, output 2.50 per 1M; thoughts billed as output
        assertThat(c.input()).isCloseTo(600 * 0.30e-6, within(EPS));
        assertThat(c.cachedInput()).isCloseTo(400 * 0.03e-6, within(EPS));
        assertThat(c.output()).isCloseTo(500 * 2.50e-6, within(EPS));
        assertThat(c.total()).isCloseTo(0.001442, within(EPS));
    }

    @Test
    void aModelWithoutAPriceHasNoCost() {
        Target t = target("oai", "openai", new OpenAiAdapter(), "my-finetune");
        assertThat(PRICES.cost(t, Usage.of(10, 10))).isEmpty();
    }
}
