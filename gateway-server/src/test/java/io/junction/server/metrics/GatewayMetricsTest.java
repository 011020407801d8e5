package io.junction.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.MetricsSpec;
import io.junction.core.pricing.Cost;
import io.junction.core.route.Attempt;
import io.junction.core.schema.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Label caps: models, keys and tags never grow the number of series past their limits. */
class GatewayMetricsTest {

    private static double counter(GatewayMetrics m, String name, String... tags) {
        var c = m.registry().find(name).tags(tags).counter();
        return c == null ? -1 : c.count();
    }

    @Test
    void keysAreOneSeriesUnlessEnabledThenCapped() {
        try (GatewayMetrics off = new GatewayMetrics()) {
            off.usage("oai", "m", "team-a").add(Usage.of(10, 1), null);
            off.usage("oai", "m", "team-b").add(Usage.of(5, 1), null);
            assertThat(counter(off, GatewayMetrics.TOKENS, "key", "all", "type", "prompt"))
                    .isEqualTo(15);
        }
        try (GatewayMetrics on = new GatewayMetrics(new MetricsSpec(true, 2))) {
            on.usage("oai", "m", "a").add(Usage.of(1, 0), Cost.of(0.5, 0, 0, 0));
            on.usage("oai", "m", "b").add(Usage.of(2, 0), null);
            on.usage("oai", "m", "c").add(Usage.of(4, 0), null);
            on.usage("oai", "m", "d").add(Usage.of(8, 0), null);
            assertThat(counter(on, GatewayMetrics.TOKENS, "key", "a", "type", "prompt"))
                    .isEqualTo(1);
            assertThat(counter(on, GatewayMetrics.TOKENS, "key", "b", "type", "prompt"))
                    .isEqualTo(2);
            assertThat(counter(on, GatewayMetrics.TOKENS, "key", "other", "type", "prompt"))
                    .isEqualTo(12);
            assertThat(counter(on, GatewayMetrics.COST, "key", "a")).isEqualTo(0.5);
        }
    }

    @Test
    void rateLimitSkipsAreCountedPerProviderAndAsSkippedAttempts() {
        try (GatewayMetrics m = new GatewayMetrics()) {
            m.attempts(
                    List.of(
                            new Attempt("oai/gpt-4o", 429, "provider_rate_limited", 0),
                            new Attempt("anthropic/claude", 503, "circuit_open", 0),
                            new Attempt("groq/llama", 200, null, 12)),
                    true);
            m.attempts(List.of(new Attempt("oai/gpt-4o", 429, "provider_rate_limited", 0)), false);
            m.attempts(List.of(new Attempt("oai/gpt-4o", 429, "rate_limit_exceeded", 30)), false);
            assertThat(counter(m, GatewayMetrics.RATELIMIT_SKIPS, "provider", "oai"))
                    .isEqualTo(2);
            assertThat(counter(m, GatewayMetrics.RATELIMIT_SKIPS, "provider", "anthropic"))
                    .isEqualTo(-1);
            assertThat(counter(m, GatewayMetrics.ATTEMPTS, "provider", "oai", "outcome", "skipped"))
                    .isEqualTo(2);
            assertThat(counter(m, GatewayMetrics.ATTEMPTS, "provider", "oai", "outcome", "error"))
                    .as("a provider's own 429 is an error, not a skip")
                    .isEqualTo(1);
            assertThat(m.scrape()).contains("junction_provider_ratelimit_skips_total{provider=\"oai\"} 2.0");
        }
    }

    @Test
    void modelLabelsAreCappedIntoOther() {
        try (GatewayMetrics m = new GatewayMetrics()) {
            for (int i = 0; i < GatewayMetrics.MAX_MODEL_TAGS + 5; i++) {
                m.usage("oai", "model-" + i, "k").add(Usage.of(1, 0), null);
            }
            assertThat(counter(m, GatewayMetrics.TOKENS, "model", "other", "type", "prompt"))
                    .isEqualTo(5);
            assertThat(m.registry()
                            .find(GatewayMetrics.TOKENS)
                            .tag("type", "prompt")
                            .counters())
                    .hasSize(GatewayMetrics.MAX_MODEL_TAGS + 1);
        }
    }

    @Test
    void tagCountersOnlyWhenEnabledAndCapped() {
        try (GatewayMetrics off = new GatewayMetrics()) {
            off.tags(List.of("prod"), Cost.of(1, 0, 0, 0));
            assertThat(off.registry().find(GatewayMetrics.TAG_REQUESTS).counters())
                    .isEmpty();
        }
        try (GatewayMetrics on = new GatewayMetrics(new MetricsSpec(false, 100, true, 2))) {
            on.tags(List.of("prod", "chat"), Cost.of(0.25, 0, 0, 0.25));
            on.tags(List.of("prod", "batch"), null);
            assertThat(counter(on, GatewayMetrics.TAG_REQUESTS, "tag", "prod")).isEqualTo(2);
            assertThat(counter(on, GatewayMetrics.TAG_COST, "tag", "prod")).isEqualTo(0.5);
            assertThat(counter(on, GatewayMetrics.TAG_REQUESTS, "tag", "chat")).isEqualTo(1);
            assertThat(counter(on, GatewayMetrics.TAG_REQUESTS, "tag", "other")).isEqualTo(1);
        }
    }

    @Test
    void inflightGoesUpAndDown() {
        try (GatewayMetrics m = new GatewayMetrics()) {
            m.callStarted();
            m.callStarted();
            m.callEnded();
            assertThat(m.registry().get(GatewayMetrics.INFLIGHT).gauge().value())
                    .isEqualTo(1);
        }
    }
}
