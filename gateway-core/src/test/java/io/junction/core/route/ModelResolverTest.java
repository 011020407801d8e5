package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.junction.core.config.AliasSpec;
import io.junction.core.config.JunctionConfig;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelResolverTest {
    private final FakeAdapter fake = new FakeAdapter();
    private final ProviderAdapter other = new FakeAdapter() {
        @Override
        public String type() {
            return "other";
        }
    };
    private final ProviderRegistry registry = new ProviderRegistry(List.of(fake, other));

    private static ProviderSpec spec(String type) {
        return new ProviderSpec(type, null, null, null, null, null, null, null);
    }

    private ModelResolver resolver(Map<String, List<String>> aliases) {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        providers.put("openai", spec("fake"));
        providers.put("openrouter", spec("fake"));
        providers.put("local", spec("other"));
        Map<String, AliasSpec> models = new LinkedHashMap<>();
        aliases.forEach((k, v) -> models.put(k, new AliasSpec(v)));
        return new ModelResolver(new JunctionConfig(null, null, providers, models), registry);
    }

    private ModelResolver resolver() {
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        aliases.put("fast", List.of("openai/gpt-4o-mini", "openrouter/openai/gpt-4o-mini", "local/llama"));
        aliases.put("smart", List.of("openai/gpt-4o", "openai/gpt-4o-mini"));
        aliases.put("openai/gpt-4o", List.of("openrouter/openai/gpt-4o")); // an alias shaped like provider/model
        return resolver(aliases);
    }

    private static List<String> ids(List<Target> targets) {
        return targets.stream().map(Target::id).toList();
    }

    @Test
    void providersGetTheAdapterOfTheirType() {
        ModelResolver r = resolver();

        assertThat(r.providers()).containsOnlyKeys("openai", "openrouter", "local");
        assertThat(r.providers().get("openai").adapter()).isSameAs(fake);
        assertThat(r.providers().get("local").adapter()).isSameAs(other);
        assertThat(r.providers().get("openai").name()).isEqualTo("openai");
    }

    @Test
    void anAliasResolvesToItsTargetsInOrder() {
        List<Target> targets = resolver().resolve("fast");

        assertThat(ids(targets)).containsExactly("openai/gpt-4o-mini", "openrouter/openai/gpt-4o-mini", "local/llama");
        assertThat(targets.get(1).provider().name()).isEqualTo("openrouter");
        assertThat(targets.get(1).model()).isEqualTo("openai/gpt-4o-mini");
        assertThat(targets.get(2).adapter()).isSameAs(other);
    }

    @Test
    void providerSlashModelResolvesDirectly() {
        List<Target> targets = resolver().resolve("openai/gpt-4.1-nano");

        assertThat(targets).hasSize(1);
        assertThat(targets.get(0).provider().name()).isEqualTo("openai");
        assertThat(targets.get(0).model()).isEqualTo("gpt-4.1-nano");
    }

    @Test
    void theModelPartMayContainSlashes() {
        Target t = resolver()
                .resolve("openrouter/meta-llama/llama-3.1-8b-instruct:free")
                .get(0);

        assertThat(t.provider().name()).isEqualTo("openrouter");
        assertThat(t.model()).isEqualTo("meta-llama/llama-3.1-8b-instruct:free");
        assertThat(t.id()).isEqualTo("openrouter/meta-llama/llama-3.1-8b-instruct:free");
    }

    @Test
    void anAliasWinsOverTheSameNameReadAsProviderSlashModel() {
        assertThat(ids(resolver().resolve("openai/gpt-4o"))).containsExactly("openrouter/openai/gpt-4o");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-4o", "unknown/gpt-4o", "/gpt-4o", "openai/", "openai", "", "OpenAI/gpt-4o", "FAST"})
    void anythingElseIsA404ModelNotFound(String model) {
        GatewayException e =
                catchThrowableOfType(GatewayException.class, () -> resolver().resolve(model));

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.getMessage()).contains("'" + model + "'");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void aPlanWithoutFallbacksIsTheResolution() {
        ModelResolver r = resolver();

        assertThat(ids(r.plan("fast", null))).isEqualTo(ids(r.resolve("fast")));
        assertThat(ids(r.plan("fast", List.of()))).isEqualTo(ids(r.resolve("fast")));
    }

    @Test
    void fallbacksAreAppendedInOrder() {
        List<Target> plan = resolver().plan("openai/gpt-4o-mini", List.of("local/llama", "openrouter/x/y"));

        assertThat(ids(plan)).containsExactly("openai/gpt-4o-mini", "local/llama", "openrouter/x/y");
    }

    @Test
    void aFallbackAliasContributesAllItsTargets() {
        List<Target> plan = resolver().plan("local/llama", List.of("smart"));

        assertThat(ids(plan)).containsExactly("local/llama", "openai/gpt-4o", "openai/gpt-4o-mini");
    }

    @Test
    void duplicateTargetsAppearOnceAtTheirFirstPosition() {
        List<Target> plan = resolver().plan("smart", List.of("fast", "openai/gpt-4o-mini", "local/llama"));

        assertThat(ids(plan))
                .containsExactly("openai/gpt-4o", "openai/gpt-4o-mini", "openrouter/openai/gpt-4o-mini", "local/llama");
    }

    @Test
    void aFallbackIsResolvedLikeAModelSoAnAliasShadowsTheDirectReading() {
        // alias targets are always provider/model; a fallback name goes through alias lookup first
        List<Target> plan = resolver().plan("smart", List.of("openai/gpt-4o"));

        assertThat(ids(plan)).containsExactly("openai/gpt-4o", "openai/gpt-4o-mini", "openrouter/openai/gpt-4o");
    }

    @Test
    void anUnknownFallbackIsA400NamingItsIndex() {
        GatewayException e = catchThrowableOfType(
                GatewayException.class, () -> resolver().plan("fast", List.of("smart", "nope/model", "gpt-5")));

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("fallbacks[1]");
        assertThat(e.code()).isEqualTo("model_not_found");
        assertThat(e.getMessage()).contains("nope/model");
    }

    @Test
    void anUnknownPrimaryModelIsStillA404EvenWithFallbacks() {
        GatewayException e =
                catchThrowableOfType(GatewayException.class, () -> resolver().plan("nope", List.of("fast")));

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.param()).isEqualTo("model");
    }

    @Test
    void anAliasTargetingAnUnknownProviderIsAConfigError() {
        assertThatThrownBy(() -> resolver(Map.of("broken", List.of("openai/x", "azure/gpt-4o"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("broken")
                .hasMessageContaining("azure/gpt-4o");
    }

    @Test
    void aliasTargetListsAreImmutable() {
        List<Target> targets = resolver().resolve("fast");

        assertThatThrownBy(() -> targets.add(targets.get(0))).isInstanceOf(UnsupportedOperationException.class);
        assertThat(ids(resolver().resolve("fast"))).hasSize(3);
    }

    @Test
    void anAliasWithNoTargetsResolvesToAnEmptyList() {
        // AliasSpec accepts an empty list; RoutedCall rejects an empty plan, so this must be visible here
        ModelResolver r = resolver(Map.of("empty", List.of()));

        assertThat(r.resolve("empty")).isEmpty();
        assertThat(Arrays.asList(r.aliases().keySet().toArray())).containsExactly("empty");
    }
}
