package io.junction.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigRecordsTest {

    @Test
    void providerSpecDefaults() {
        ProviderSpec s = new ProviderSpec("openai", null, null, null, null, null, null, null);

        assertThat(s.connectTimeoutMs()).isEqualTo(10_000L);
        assertThat(s.readTimeoutMs()).isEqualTo(600_000L);
        assertThat(s.models()).isEmpty();
        assertThat(s.headers()).isEmpty();
        assertThat(s.options()).isEmpty();
    }

    @Test
    void providerSpecOptionsParseNumbersAndStrings() {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("a", 5);
        opts.put("b", " 42 ");
        opts.put("c", "text");
        ProviderSpec s = new ProviderSpec("mock", null, null, null, null, null, null, opts);

        assertThat(s.longOption("a", 0)).isEqualTo(5);
        assertThat(s.longOption("b", 0)).isEqualTo(42);
        assertThat(s.longOption("missing", 7)).isEqualTo(7);
        assertThat(s.stringOption("c", null)).isEqualTo("text");
        assertThat(s.stringOption("a", null)).isEqualTo("5");
        assertThat(s.stringOption("missing", "d")).isEqualTo("d");
        assertThatThrownBy(() -> s.longOption("c", 0)).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void withTypeKeepsEverythingElse() {
        ProviderSpec s = new ProviderSpec(
                null, "http://x", "sk", List.of("m"), Map.of("h", "v"), 1L, 2L, new LinkedHashMap<>(Map.of("o", 1)));

        ProviderSpec t = s.withType("openai");

        assertThat(t.type()).isEqualTo("openai");
        assertThat(t.baseUrl()).isEqualTo("http://x");
        assertThat(t.apiKey()).isEqualTo("sk");
        assertThat(t.models()).containsExactly("m");
        assertThat(t.headers()).containsEntry("h", "v");
        assertThat(t.connectTimeoutMs()).isEqualTo(1L);
        assertThat(t.readTimeoutMs()).isEqualTo(2L);
        assertThat(t.options()).containsEntry("o", 1);
    }

    @Test
    void secretsNeverAppearInToString() {
        ProviderSpec p = new ProviderSpec("openai", null, "sk-live-secret", null, null, null, null, null);
        KeySpec k = new KeySpec("jk-secret-key", "team-a", null);

        assertThat(p.toString()).doesNotContain("sk-live-secret").contains("<redacted>");
        assertThat(k.toString()).doesNotContain("jk-secret-key").contains("team-a");
    }

    @Test
    void aKeyWithoutModelsMayCallEverything() {
        assertThat(new KeySpec("k", "n", null).models()).containsExactly("*");
        assertThat(new KeySpec("k", "n", List.of()).models()).containsExactly("*");
        assertThat(new KeySpec("k", "n", List.of("fast")).models()).containsExactly("fast");
    }

    @Test
    void serverDefaults() {
        ServerSpec d = ServerSpec.DEFAULTS;

        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(d.port()).isEqualTo(8080);
        assertThat(d.maxBodyBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(d.extraFields()).isTrue();
        assertThat(d.idleTimeoutMs()).isEqualTo(120_000L);
        assertThat(new JunctionConfig(null, null, null, null).server()).isSameAs(ServerSpec.DEFAULTS);
        assertThat(new JunctionConfig(null, null, null, null).providers()).isEmpty();
    }

    @Test
    void aliasTargetsAreCopied() {
        List<String> targets = new java.util.ArrayList<>(List.of("a/b"));
        AliasSpec alias = new AliasSpec(targets);
        targets.add("c/d");

        assertThat(alias.targets()).containsExactly("a/b");
        assertThat(new AliasSpec(null).targets()).isEmpty();
    }
}
