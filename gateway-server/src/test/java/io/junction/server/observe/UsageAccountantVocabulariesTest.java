package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.JunctionConfig;
import io.junction.core.route.ModelResolver;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.usage.TokenEstimator.Method;
import io.junction.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UsageAccountantVocabulariesTest {
    private static final ProviderRegistry REGISTRY = ProviderRegistry.load();
    private static final ConfigLoader LOADER = new ConfigLoader(REGISTRY, name -> "k");

    /** The resolver the server builds from the config (its providers and the aliases' targets). */
    private static ModelResolver load(String yaml) {
        JunctionConfig c = LOADER.load("test.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        return new ModelResolver(c, REGISTRY);
    }

    @Test
    void theShippedMockConfigLoadsNoVocabulary() {
        ModelResolver c = load("""
                providers:
                  mock: {models: [echo]}
                models:
                  default: {targets: [mock/echo]}
                """);
        assertThat(UsageAccountant.vocabularies(c)).isEmpty();
    }

    @Test
    void aliasTargetsAndProviderModelListsBothCount() {
        ModelResolver c = load("""
                providers:
                  oai: {type: openai, api_key: "${OPENAI_API_KEY}", models: [gpt-3.5-turbo]}
                  claude: {type: anthropic, api_key: "${ANTHROPIC_API_KEY}"}
                models:
                  fast: {targets: [oai/gpt-4.1-mini, claude/claude-haiku-4-5]}
                """);
        assertThat(UsageAccountant.vocabularies(c)).containsExactlyInAnyOrder(Method.O200K, Method.CL100K);

        ModelResolver current = load("""
                providers:
                  oai: {type: openai, api_key: "${OPENAI_API_KEY}"}
                models:
                  fast: {targets: [oai/gpt-4.1-mini]}
                """);
        assertThat(UsageAccountant.vocabularies(current)).containsExactly(Method.O200K);
    }
}
