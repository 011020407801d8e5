package io.junction.core.cache;

import static io.junction.core.cache.CacheKeyTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.cache.CachePolicy.Decision;
import io.junction.core.config.CacheSpec;
import io.junction.core.schema.ChatRequest;
import org.junit.jupiter.api.Test;

class CachePolicyTest {
    private static final CacheSpec ON = new CacheSpec(true, null, null, null, null, null, null, null);
    private static final CacheSpec ALWAYS = new CacheSpec(true, null, null, null, null, null, null, "always");
    private static final CacheSpec OFF = CacheSpec.DEFAULTS;

    private static ChatRequest req(String params) {
        return parse("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]"
                + (params.isEmpty() ? "" : ", " + params) + "}");
    }

    @Test
    void offByDefault() {
        assertThat(OFF.enabled()).isFalse();
        assertThat(CachePolicy.decide(OFF, null, null, req("\"temperature\": 0")))
                .isEqualTo(Decision.OFF);
        assertThat(CachePolicy.decide(OFF, true, "refresh", req(""))).isEqualTo(Decision.OFF);
    }

    @Test
    void deterministicModeCachesTemperatureZeroOrASeedOnly() {
        assertThat(CachePolicy.decide(ON, null, null, req("\"temperature\": 0")))
                .isEqualTo(Decision.LOOKUP);
        assertThat(CachePolicy.decide(ON, null, null, req("\"seed\": 42, \"temperature\": 0.9")))
                .isEqualTo(Decision.LOOKUP);
        assertThat(CachePolicy.decide(ON, null, null, req("\"temperature\": 0.2")))
                .isEqualTo(Decision.BYPASS);
        assertThat(CachePolicy.decide(ON, null, null, req("")))
                .as("default temperature is 1")
                .isEqualTo(Decision.BYPASS);
    }

    @Test
    void modeAlwaysCachesAnything() {
        assertThat(CachePolicy.decide(ALWAYS, null, null, req("\"temperature\": 1.3")))
                .isEqualTo(Decision.LOOKUP);
    }

    @Test
    void headerNoStoreAndRefresh() {
        ChatRequest r = req("\"temperature\": 0");
        assertThat(CachePolicy.decide(ON, null, "no-store", r)).isEqualTo(Decision.BYPASS);
        assertThat(CachePolicy.decide(ON, null, " No-Store ", r)).isEqualTo(Decision.BYPASS);
        assertThat(CachePolicy.decide(ON, null, "refresh", r)).isEqualTo(Decision.REFRESH);
        assertThat(Decision.REFRESH.reads()).isFalse();
        assertThat(Decision.REFRESH.writes()).isTrue();
        assertThat(Decision.LOOKUP.reads()).isTrue();
        assertThat(Decision.BYPASS.writes()).isFalse();
        assertThat(CachePolicy.decide(ON, null, "refresh", req("\"temperature\": 0.5")))
                .as("refresh does not make a non-deterministic request cacheable")
                .isEqualTo(Decision.BYPASS);
        assertThatThrownBy(() -> CachePolicy.decide(ON, null, "force", r))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid header 'x-junction-cache': expected no-store or refresh, got 'force'.");
        assertThatThrownBy(() -> CachePolicy.decide(OFF, null, "yes", r))
                .as("a bad value is an error even with the cache off")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aliasFlagOverridesTheMode() {
        assertThat(CachePolicy.decide(ON, true, null, req("\"temperature\": 0.7")))
                .isEqualTo(Decision.LOOKUP);
        assertThat(CachePolicy.decide(ALWAYS, false, null, req("\"temperature\": 0")))
                .isEqualTo(Decision.BYPASS);
        assertThat(CachePolicy.decide(ON, false, "refresh", req("\"seed\": 1"))).isEqualTo(Decision.BYPASS);
    }

    @Test
    void logprobsAreNeverCached() {
        assertThat(CachePolicy.decide(ALWAYS, true, null, req("\"temperature\": 0, \"logprobs\": true")))
                .isEqualTo(Decision.BYPASS);
    }
}
