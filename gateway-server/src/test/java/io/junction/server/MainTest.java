package io.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void validateAcceptsAGoodConfig(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ok.yaml");
        Files.writeString(f, "providers:\n  mock: {}\nmodels:\n  a: { targets: [mock/x] }\n");
        assertThat(run("--validate", "--config", f.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("config OK").contains("1 providers, 1 aliases");
    }

    @Test
    void validateRejectsABadConfigWithTheExactError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "providers:\n  x: { type: nosuch }\n");
        assertThat(run("--validate", "--config", f.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("junction: config error: " + f + ": providers.x.type: unknown provider type 'nosuch'");
    }

    @Test
    void unknownArgumentsAreRejected() {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument '--frobnicate'");
        assertThat(run("--config")).isEqualTo(2);
    }

    @Test
    void helpExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--config FILE");
    }

    @Test
    void validateRejectsAnUnsetEnvironmentVariable(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("env.yaml");
        Files.writeString(f, "providers:\n  oai: { type: openai, api_key: \"${JUNCTION_TEST_SURELY_UNSET_VAR}\" }\n");
        assertThat(run("--validate", "--config", f.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("junction: config error: " + f + ": providers.oai.api_key: environment variable"
                        + " JUNCTION_TEST_SURELY_UNSET_VAR is not set (write ${JUNCTION_TEST_SURELY_UNSET_VAR:-default}"
                        + " to give a default)" + System.lineSeparator());
    }

    private static final String ROUTED = """
            server: { request_timeout_ms: 60000, stream_keepalive_ms: 0 }
            providers:
              up:   { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: sk-secret, connect_timeout_ms: 2000,
                      read_timeout_ms: 5000, ttft_timeout_ms: 3000,
                      retry: { max_retries: 2, initial_backoff_ms: 100, max_backoff_ms: 800 },
                      circuit_breaker: { consecutive_failures: 3, cooldown_ms: 5000 }, limits: { rpm: 500, tpm: 90000 } }
              mock: { models: [echo], circuit_breaker: { enabled: false } }
            models:
              managed: { targets: [up/gpt-4o-mini, mock/echo] }
              quick:   { targets: [mock/echo], ttft_timeout_ms: 700 }
            """;

    @Test
    void explainRoutePrintsTheChainInOrderWithItsPolicies(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, ROUTED);
        assertThat(run("--config", f.toString(), "--explain-route", "managed")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .startsWith("model 'managed': alias, 2 targets\n")
                .contains("strategy: ordered failover")
                .contains("request deadline: 60000 ms")
                .contains("stream keep-alive: off")
                .contains("first-token deadline (streams): each target's provider ttft_timeout_ms")
                .contains("\n1. up/gpt-4o-mini\n   provider: up (type openai, base_url http://127.0.0.1:9/v1)\n")
                .contains("   retry: up to 2 retries on the same target after a retryable failure; backoff 100 ms"
                        + " doubling up to 800 ms")
                .contains("   timeouts: connect 2000 ms, read 5000 ms, first token 3000 ms\n")
                .contains("   circuit breaker: on: opens after 3 consecutive failures or a 50% failure rate over the"
                        + " last 20 calls (once 10 are counted); stays open 5000 ms")
                .contains("\n2. mock/echo\n   provider: mock (type mock, base_url the type's default)\n")
                .contains("   circuit breaker: off\n")
                .contains("   local limits: 500 requests and 90000 tokens per minute per key, counted by this replica;"
                        + " skipped when reached\n")
                .doesNotContain("sk-secret");
        assertThat(text.indexOf("local limits")).as("only up has limits").isEqualTo(text.lastIndexOf("local limits"));
        assertThat(text.indexOf("1. up/gpt-4o-mini")).isLessThan(text.indexOf("2. mock/echo"));
    }

    @Test
    void explainRouteUsesTheAliasTtftAndResolvesProviderSlashModel(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, ROUTED);
        assertThat(run("--config", f.toString(), "--explain-route", "quick")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("700 ms for every target (models.quick.ttft_timeout_ms)")
                .contains("first token 700 ms (alias)");
        out.reset();
        assertThat(run("--config", f.toString(), "--explain-route", "mock/some-model"))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("model 'mock/some-model': provider/model, 1 target\n")
                .contains("1. mock/some-model");
    }

    @Test
    void explainRouteRejectsAnUnknownModelWithTheExactError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("routes.yaml");
        Files.writeString(f, ROUTED);
        assertThat(run("--config", f.toString(), "--explain-route", "gpt-5")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("junction: The model 'gpt-5' does not exist: it is neither a configured alias nor"
                        + " <provider>/<model> for a configured provider." + System.lineSeparator());
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(run("--explain-route")).isEqualTo(2);
    }

    @Test
    void explainRouteOnAnInvalidConfigReportsTheConfigError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "models:\n  a: { targets: [nope/x] }\n");
        assertThat(run("--config", f.toString(), "--explain-route", "a")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("junction: config error: " + f + ": models.a");
    }

    @Test
    void warmupServesItselfAndExits() {
        assertThat(run("--warmup")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("warmup done: 6 requests served");
    }
}
