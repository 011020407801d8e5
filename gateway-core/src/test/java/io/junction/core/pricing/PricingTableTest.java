package io.junction.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.junction.core.config.PriceSpec;
import io.junction.core.schema.Usage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lookup order, model-id canonicalization, the cost formula and the shipped table's format. */
class PricingTableTest {
    private static final PriceSpec SHIPPED_MINI = new PriceSpec(0.15, 0.075, 0.60);
    private static final PriceSpec SHIPPED_4O = new PriceSpec(2.5, 1.25, 10.0);

    private static Map<String, PriceSpec> shipped() {
        Map<String, PriceSpec> m = new LinkedHashMap<>();
        m.put("openai/gpt-4o-mini", SHIPPED_MINI);
        m.put("openai/gpt-4o", SHIPPED_4O);
        m.put("anthropic/claude-sonnet-4-5", new PriceSpec(3.0, 0.30, 3.75, 15.0, null));
        m.put("bedrock/anthropic.claude-haiku-4-5", new PriceSpec(1.0, 0.10, 1.25, 5.0, null));
        return m;
    }

    private static PriceSpec price(PricingTable t, String name, String type, String model) {
        return t.lookup(name, type, model).map(PricingTable.Match::price).orElse(null);
    }

    @Test
    void shippedKeysMatchByProviderTypeWhateverTheProviderIsNamed() {
        PricingTable t = PricingTable.of(shipped(), Map.of());
        assertThat(price(t, "oai", "openai", "gpt-4o-mini")).isEqualTo(SHIPPED_MINI);
        assertThat(price(t, "openai", "openai", "gpt-4o")).isEqualTo(SHIPPED_4O);
        assertThat(t.lookup("oai", "openai", "gpt-4o-mini").orElseThrow().source())
                .isEqualTo("shipped");
        // another type with the same model name is not priced by the openai rows
        assertThat(t.lookup("az", "azure", "gpt-4o-mini")).isEmpty();
        assertThat(t.lookup("oai", "openai", "gpt-9")).isEmpty();
    }

    @Test
    void userEntriesByProviderNameBeatUserEntriesByTypeWhichBeatShipped() {
        PriceSpec byName = new PriceSpec(1.0, null, 1.0);
        PriceSpec byType = new PriceSpec(2.0, null, 2.0);
        Map<String, PriceSpec> user = new LinkedHashMap<>();
        user.put("openai/gpt-4o-mini", byType);
        user.put("oai/gpt-4o-mini", byName);
        PricingTable t = PricingTable.of(shipped(), user);
        assertThat(price(t, "oai", "openai", "gpt-4o-mini")).isEqualTo(byName);
        assertThat(t.lookup("oai", "openai", "gpt-4o-mini").orElseThrow().source())
                .isEqualTo("config");
        assertThat(price(t, "other", "openai", "gpt-4o-mini")).isEqualTo(byType);
        assertThat(price(t, "other", "openai", "gpt-4o")).isEqualTo(SHIPPED_4O);
    }

    @Test
    void exactBeatsGlobAndTheMostSpecificGlobWins() {
        PriceSpec any = new PriceSpec(9.0, null, 9.0);
        PriceSpec claude = new PriceSpec(3.0, null, 15.0);
        PriceSpec haiku = new PriceSpec(1.0, null, 5.0);
        PriceSpec exact = new PriceSpec(0.5, null, 0.5);
        Map<String, PriceSpec> user = new LinkedHashMap<>();
        user.put("anthropic/*", any);
        user.put("anthropic/claude-*", claude);
        user.put("anthropic/claude-*haiku*", haiku);
        user.put("anthropic/claude-special", exact);
        PricingTable t = PricingTable.of(Map.of(), user);
        assertThat(price(t, "anthropic", "anthropic", "claude-opus-4-5")).isEqualTo(claude);
        assertThat(price(t, "anthropic", "anthropic", "claude-haiku-4-5")).isEqualTo(haiku);
        assertThat(price(t, "anthropic", "anthropic", "claude-special")).isEqualTo(exact);
        assertThat(price(t, "anthropic", "anthropic", "gpt-4o")).isEqualTo(any);
    }

    @Test
    void datedVersionedAndRegionalModelIdsFindTheirBaseEntry() {
        PricingTable t = PricingTable.of(shipped(), Map.of());
        assertThat(price(t, "oai", "openai", "gpt-4o-mini-2024-07-18")).isEqualTo(SHIPPED_MINI);
        assertThat(price(t, "claude", "anthropic", "claude-sonnet-4-5-20250929"))
                .isNotNull();
        assertThat(price(t, "claude", "anthropic", "claude-sonnet-4-5-latest")).isNotNull();
        assertThat(price(t, "aws", "bedrock", "us.anthropic.claude-haiku-4-5-20251001-v1:0"))
                .isNotNull();
        assertThat(PricingTable.canonical("models/gemini-2.5-flash")).isEqualTo("gemini-2.5-flash");
        assertThat(PricingTable.canonical("global.anthropic.claude-haiku-4-5-20251001-v1:0"))
                .isEqualTo("anthropic.claude-haiku-4-5");
        // a different model that merely starts like a priced one is not priced by it
        assertThat(t.lookup("oai", "openai", "gpt-4o-mini-tts")).isEmpty();
    }

    @Test
    void costSplitsPromptIntoUncachedCachedAndCacheWritesAndCompletionIntoOutputAndReasoning() {
        PriceSpec p = new PriceSpec(2.0, 0.5, 4.0, 8.0, 16.0);
        Usage u = new Usage(
                1000,
                500,
                1500,
                new Usage.PromptTokensDetails(300, null, 200, null),
                new Usage.CompletionTokensDetails(100, null, null, null, null),
                null);
        Cost c = PricingTable.cost(p, u);
        assertThat(c.input()).isCloseTo(500 * 2.0e-6, within(1e-15));
        assertThat(c.cachedInput()).isCloseTo(300 * 0.5e-6, within(1e-15));
        assertThat(c.cacheWrite()).isCloseTo(200 * 4.0e-6, within(1e-15));
        assertThat(c.output()).isCloseTo(400 * 8.0e-6 + 100 * 16.0e-6, within(1e-15));
        assertThat(c.total()).isCloseTo(0.001 + 0.00015 + 0.0008 + 0.0032 + 0.0016, within(1e-15));
    }

    @Test
    void missingOptionalRatesFallBackToInputAndOutputAndBadCountsAreClamped() {
        PriceSpec p = new PriceSpec(1.0, null, null, 2.0, null);
        Usage u = new Usage(
                100,
                10,
                110,
                new Usage.PromptTokensDetails(400, null, 50, null), // cached > prompt: clamped
                new Usage.CompletionTokensDetails(20, null, null, null, null), // reasoning > completion
                null);
        Cost c = PricingTable.cost(p, u);
        assertThat(c.input()).isZero();
        assertThat(c.cachedInput()).isCloseTo(100e-6, within(1e-15));
        assertThat(c.cacheWrite()).isZero();
        assertThat(c.output()).isCloseTo(10 * 2e-6, within(1e-15));
        assertThat(Cost.format(c.total())).isEqualTo("0.00012");
    }

    @Test
    void unknownModelIsWarnedOnceAndHasNoCost() {
        PricingTable t = PricingTable.of(shipped(), Map.of());
        assertThat(t.warnUnknownOnce("oai/gpt-9")).isTrue();
        assertThat(t.warnUnknownOnce("oai/gpt-9")).isFalse();
        assertThat(t.warnUnknownOnce("oai/gpt-10")).isTrue();
    }

    @Test
    void parseRejectsUnknownFieldsAndNegativePrices() {
        String typo = "as_of: '2026-01-01'\nmodels:\n  openai/x: { input: 1, outptu: 2 }\n";
        assertThatThrownBy(() -> PricingTable.parse(new ByteArrayInputStream(typo.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("outptu");
        String negative = "models:\n  openai/x: { input: -1, output: 2 }\n";
        assertThatThrownBy(
                        () -> PricingTable.parse(new ByteArrayInputStream(negative.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("non-negative");
        assertThat(PricingTable.problem("nomodel", new PriceSpec(1.0, null, 1.0)))
                .contains("<provider>/<model>");
        assertThat(PricingTable.problem("a/b", new PriceSpec(1.0, null, null))).contains("required");
    }

    @Test
    void theShippedTableLoadsIsDatedAndPricesEveryMajorProviderType() {
        PricingTable.Shipped s = PricingTable.shipped();
        assertThat(s.asOf()).matches("\\d{4}-\\d{2}-\\d{2}");
        assertThat(s.models().keySet())
                .anyMatch(k -> k.startsWith("openai/"))
                .anyMatch(k -> k.startsWith("anthropic/"))
                .anyMatch(k -> k.startsWith("gemini/"))
                .anyMatch(k -> k.startsWith("bedrock/"))
                .anyMatch(k -> k.startsWith("cohere/"))
                .anyMatch(k -> k.startsWith("groq/"))
                .anyMatch(k -> k.startsWith("mistral/"))
                .anyMatch(k -> k.startsWith("deepseek/"));
        PricingTable t = PricingTable.load(Map.of());
        assertThat(price(t, "oai", "openai", "gpt-4o-mini-2024-07-18")).isEqualTo(new PriceSpec(0.15, 0.075, 0.60));
        assertThat(t.asOf()).isEqualTo(s.asOf());
    }
}
