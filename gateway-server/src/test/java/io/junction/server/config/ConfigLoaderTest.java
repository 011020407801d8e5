package io.junction.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.JunctionConfig;
import io.junction.core.config.ProviderSpec;
import io.junction.core.spi.ProviderRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final ProviderRegistry REGISTRY = ProviderRegistry.load();
    private final Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-from-env", "PORT", "9090", "EMPTY", "");
    private final ConfigLoader loader = new ConfigLoader(REGISTRY, env::get);

    private JunctionConfig load(String yaml) {
        return loader.load("test.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    private void assertError(String yaml, String expectedMessage) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessage(expectedMessage);
    }

    @Test
    void loadsTheDocumentedShape() {
        JunctionConfig c = load("""
                server:
                  host: 0.0.0.0
                  port: ${PORT}
                keys:
                  - key: sk-client
                    name: team-a
                    models: ["oai/*", managed]
                providers:
                  oai:
                    type: openai
                    base_url: https://api.openai.com/v1
                    api_key: ${OPENAI_API_KEY}
                    organization: org-1
                  openai: {}
                  mock: { chunk_delay_ms: 5 }
                models:
                  managed:
                    targets: [oai/gpt-4o-mini, mock/echo]
                """);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.server().port()).isEqualTo(9090);
        assertThat(c.server().maxBodyBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(c.keys()).singleElement().satisfies(k -> {
            assertThat(k.name()).isEqualTo("team-a");
            assertThat(k.models()).containsExactly("oai/*", "managed");
        });
        ProviderSpec oai = c.providers().get("oai");
        assertThat(oai.apiKey()).isEqualTo("sk-from-env");
        assertThat(oai.options()).containsEntry("organization", "org-1");
        assertThat(c.providers().get("openai").type())
                .as("type defaults to the name")
                .isEqualTo("openai");
        assertThat(c.providers().get("mock").type()).isEqualTo("mock");
        assertThat(c.models().get("managed").targets()).containsExactly("oai/gpt-4o-mini", "mock/echo");
    }

    @Test
    void interpolatesDefaultsAndEscapes() {
        JunctionConfig c = load("""
                server: { host: "${NOPE:-127.0.0.2}", port: "${EMPTY:-7000}" }
                providers:
                  p: { type: openai, api_key: "pre-$${NOT_A_VAR}-${OPENAI_API_KEY}" }
                """);
        assertThat(c.server().host()).isEqualTo("127.0.0.2");
        assertThat(c.server().port()).isEqualTo(7000);
        assertThat(c.providers().get("p").apiKey()).isEqualTo("pre-${NOT_A_VAR}-sk-from-env");
    }

    @Test
    void unsetVariableNamesThePathAndTheVariable() {
        assertError(
                "providers:\n  oai:\n    type: openai\n    api_key: ${MISSING_KEY}\n",
                "test.yaml: providers.oai.api_key: environment variable MISSING_KEY is not set"
                        + " (write ${MISSING_KEY:-default} to give a default)");
    }

    @Test
    void unknownTopLevelKey() {
        assertError(
                "servr: {}\n",
                "test.yaml: unknown key 'servr' (known keys: ab_campaigns, admin, cache, keys, ledger, limits_store, logging, metrics, models, pricing, providers, routing, server, teams, tracing)");
    }

    @Test
    void unknownNestedKeyNamesItsParent() {
        assertThatThrownBy(() -> load("server:\n  prot: 1\n"))
                .hasMessageStartingWith("test.yaml: server: unknown key 'prot' (known keys: ")
                .hasMessageContaining("port");
    }

    @Test
    void wrongTypeNamesThePath() {
        assertError("server:\n  port: eighty\n", "test.yaml: server.port: expected a whole number, got 'eighty'");
        assertThatThrownBy(() -> load("keys:\n  key: x\n")).hasMessageStartingWith("test.yaml: keys: expected a list");
    }

    @Test
    void unknownProviderType() {
        assertError(
                "providers:\n  x:\n    type: nosuch\n",
                "test.yaml: providers.x.type: unknown provider type 'nosuch' (known types: "
                        + String.join(", ", REGISTRY.types()) + ")");
    }

    @Test
    void missingTypeWhenTheNameIsNotAType() {
        assertThatThrownBy(() -> load("providers:\n  corp: { base_url: 'http://x' }\n"))
                .hasMessageStartingWith("test.yaml: providers.corp.type: missing, and 'corp' is not a provider type");
    }

    @Test
    void unknownProviderSpecificKey() {
        assertThatThrownBy(() -> load("providers:\n  oai: { type: openai, chunk_delay_ms: 3 }\n"))
                .hasMessageStartingWith("test.yaml: providers.oai: unknown key 'chunk_delay_ms' for type 'openai'");
    }

    @Test
    void aliasTargetNamingAnUnknownProvider() {
        assertError(
                "providers:\n  oai: { type: openai }\nmodels:\n  managed:\n    targets: [oai/gpt-4o, anthropic/claude]\n",
                "test.yaml: models.managed.targets[1]: unknown provider 'anthropic' (configured providers: oai)");
    }

    @Test
    void aliasTargetThatIsNotProviderSlashModel() {
        assertError(
                "providers:\n  oai: { type: openai }\nmodels:\n  m:\n    targets: [gpt-4o]\n",
                "test.yaml: models.m.targets[0]: 'gpt-4o' is not <provider>/<model>");
        assertError(
                "models:\n  m: { targets: [] }\n", "test.yaml: models.m.targets: an alias needs at least one target");
    }

    @Test
    void badBaseUrl() {
        assertError(
                "providers:\n  oai: { type: openai, base_url: 'ftp://example.com' }\n",
                "test.yaml: providers.oai.base_url: expected an http:// or https:// URL, got 'ftp://example.com'");
    }

    @Test
    void keysMustBePresentAndDistinct() {
        assertError("keys:\n  - name: a\n", "test.yaml: keys[0].key: missing or empty");
        assertError(
                "keys:\n  - key: same\n  - key: same\n", "test.yaml: keys[1].key: the same key is configured twice");
    }

    @Test
    void adapterValidationErrorsNameTheProvider() {
        assertError(
                "providers:\n  mock: { chunk_delay_ms: -1 }\n",
                "test.yaml: providers.mock: chunk_delay_ms: must not be negative");
        assertError(
                "providers:\n  mock: { fail_status: 200 }\n",
                "test.yaml: providers.mock: fail_status: expected an HTTP error status (400-599)");
    }

    @Test
    void routingKeysLoad() {
        JunctionConfig c = load("""
                providers:
                  pa: { type: mock, retry: { max_retries: 2, initial_backoff_ms: 10, max_backoff_ms: 100 }, ttft_timeout_ms: 900,
                        circuit_breaker: { consecutive_failures: 3, cooldown_ms: 5000 } }
                  pb: { type: mock }
                models:
                  split:
                    strategy: weighted
                    targets: [pa/x, { target: pb/y, weight: 3 }]
                    system_prompt: "Be brief."
                    ttft_timeout_ms: 1500
                routing: { retry_budget_ratio: 0.1 }
                ab_campaigns:
                  spring: { arms: [ { name: a, model: split, weight: 1 }, { name: b, model: pb/y } ] }
                """);
        assertThat(c.models().get("split").targets()).containsExactly("pa/x", "pb/y");
        assertThat(c.models().get("split").weights()).containsExactly(1.0, 3.0);
        assertThat(c.models().get("split").strategy()).isEqualTo("weighted");
        assertThat(c.models().get("split").systemPrompt()).isEqualTo("Be brief.");
        assertThat(c.providers().get("pa").retry().maxRetries()).isEqualTo(2);
        assertThat(c.providers().get("pa").circuitBreaker().consecutiveFailures())
                .isEqualTo(3);
        assertThat(c.providers().get("pb").retry().maxRetries()).as("default").isEqualTo(1);
        assertThat(c.routing().retryBudgetRatio()).isEqualTo(0.1);
        assertThat(c.abCampaigns().get("spring").arms())
                .extracting(a -> a.name() + "=" + a.weight())
                .containsExactly("a=1.0", "b=1.0");
    }

    @Test
    void providerLimitsLoadAndAreValidated() {
        JunctionConfig c = load("""
                providers:
                  pa: { type: mock, limits: { rpm: 500, tpm: 200000 } }
                  pb: { type: mock, limits: { tpm: 1000 } }
                  pc: { type: mock }
                """);
        assertThat(c.providers().get("pa").limits().rpm()).isEqualTo(500L);
        assertThat(c.providers().get("pa").limits().tpm()).isEqualTo(200_000L);
        assertThat(c.providers().get("pb").limits().rpm()).as("unset: no limit").isNull();
        assertThat(c.providers().get("pc").limits().any()).as("default: none").isFalse();
        assertError(
                "providers:\n  pa: { type: mock, limits: { rpm: 0 } }\n",
                "test.yaml: providers.pa.limits: rpm and tpm must be positive (omit one for no limit)");
        assertError(
                "providers:\n  pa: { type: mock, limits: { rpm: 10, tpm: -5 } }\n",
                "test.yaml: providers.pa.limits: rpm and tpm must be positive (omit one for no limit)");
        assertThatThrownBy(() -> load("providers:\n  pa: { type: mock, limits: { rpd: 10 } }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yaml: providers.pa.limits: unknown key 'rpd'");
        assertThatThrownBy(() -> load("providers:\n  pa: { type: mock, limits: { rpm: lots } }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yaml: providers.pa.limits.rpm: expected a whole number");
    }

    @Test
    void routingKeyErrors() {
        String providers = "providers:\n  pa: { type: mock }\n";
        assertError(
                "routing: { stream_commit: whenever }\n",
                "test.yaml: routing.stream_commit: expected first_token, first_chunk or a positive number of"
                        + " characters, got 'whenever'");
        assertThat(load("routing: { stream_commit: 40 }\n").routing().commitChars())
                .isEqualTo(40);
        assertThat(load("routing: { stream_commit: first_chunk }\n").routing().commitChars())
                .isEqualTo(-1);
        assertError(
                providers + "models:\n  m: { strategy: random, targets: [pa/x] }\n",
                "test.yaml: models.m.strategy: unknown strategy 'random' (known: fallback, weighted, least_latency, least_busy, cost)");
        assertError(
                providers + "models:\n  m: { targets: [ { target: pa/x, weight: 0 } ] }\n",
                "test.yaml: models.m.targets[0].weight: must be positive");
        assertThatThrownBy(() -> load(providers + "models:\n  m: { targets: [ { target: pa/x, wieght: 2 } ] }\n"))
                .hasMessageContaining("models.m")
                .hasMessageContaining("targets[0]: unknown key 'wieght' (known keys: target, weight)");
        assertError(
                providers + "ab_campaigns:\n  c: { arms: [ { name: a, model: nope } ] }\n",
                "test.yaml: ab_campaigns.c.arms[0].model: 'nope' is neither an alias nor <provider>/<model> for a configured provider");
        assertError(
                providers + "ab_campaigns:\n  c: { arms: [] }\n",
                "test.yaml: ab_campaigns.c.arms: a campaign needs at least one arm");
        assertError(
                "providers:\n  pa: { type: mock, retry: { max_retries: -1 } }\n",
                "test.yaml: providers.pa.retry: max_retries and backoffs must not be negative, and max_backoff_ms must be at least initial_backoff_ms");
    }

    @Test
    void portOutOfRange() {
        assertError("server: { port: 70000 }\n", "test.yaml: server.port: must be between 0 and 65535, got 70000");
    }

    @Test
    void transportIsOneOfTheNamedOnes() {
        assertThat(load("").server().transport()).isEqualTo("auto");
        assertThat(load("server: { transport: io_uring }\n").server().transport())
                .isEqualTo("io_uring");
        assertError(
                "server: { transport: uring }\n",
                "test.yaml: server.transport: must be one of auto, epoll, io_uring, nio, got 'uring'");
    }

    @Test
    void emptyFileMeansDefaults() {
        JunctionConfig c = load("");
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.providers()).isEmpty();
    }

    @Test
    void invalidYaml() {
        assertThatThrownBy(() -> load("server: [unclosed\n")).hasMessageStartingWith("test.yaml: not valid YAML: ");
        assertError("- a\n- b\n", "test.yaml: the top level must be a mapping (server:, providers:, models:, keys:)");
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Path f = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> loader.load(f)).hasMessage(f + ": file not found");
    }

    @Test
    void secretsDoNotAppearInToString() {
        JunctionConfig c =
                load("keys: [{key: sk-client-secret}]\nproviders:\n  oai: {type: openai, api_key: sk-prov-secret}\n");
        assertThat(c.toString()).doesNotContain("sk-client-secret").doesNotContain("sk-prov-secret");
    }

    @Test
    void shippedConfigsLoadAndTheEmbeddedCopyMatchesTheFile() throws Exception {
        Path shipped = Path.of("..", "config", "junction.yaml");
        JunctionConfig fromFile = new ConfigLoader(REGISTRY, name -> null).load(shipped);
        assertThat(fromFile.providers()).containsKey("mock");
        assertThat(fromFile.models()).containsKey("default");
        byte[] embedded;
        try (var in = getClass().getResourceAsStream("/junction-default.yaml")) {
            embedded = in.readAllBytes();
        }
        assertThat(new String(embedded, StandardCharsets.UTF_8))
                .as("gateway-server/src/main/resources/junction-default.yaml must equal config/junction.yaml")
                .isEqualTo(Files.readString(shipped));
        try (var examples = Files.list(Path.of("..", "config", "examples"))) {
            for (Path example :
                    examples.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                // only the secrets are set: every other variable must have a working default
                new ConfigLoader(REGISTRY, name -> name.endsWith("_KEY") ? "test-" + name : null).load(example);
            }
        }
    }

    @Test
    void observabilityKeysHaveDefaultsAndBind() {
        JunctionConfig d = load("providers: { mock: {} }\n");
        assertThat(d.pricing()).isEmpty();
        assertThat(d.ledger().type()).isEqualTo("sqlite");
        assertThat(d.ledger().path()).isEqualTo("data/junction-usage.db");
        assertThat(d.ledger().flushIntervalMs()).isEqualTo(1000);
        assertThat(d.ledger().batchSize()).isEqualTo(64); // SQLite, in Junction's process: short commits
        assertThat(load("providers: { mock: {} }\nledger: { type: postgres, url: \"jdbc:postgresql://db/j\" }\n")
                        .ledger()
                        .batchSize())
                .isEqualTo(500);
        assertThat(d.metrics().keyLabels()).isFalse();
        assertThat(d.logging().accessLog()).isTrue();
        assertThat(d.logging().logPayloads()).isFalse();

        JunctionConfig c = load("""
                providers: { oai: { type: openai } }
                pricing:
                  "oai/gpt-4o-mini": { input: 0.15, cached_input: 0.075, output: 0.60 }
                  "anthropic/claude-*": { input: 3.0, cache_write: 3.75, cached_input: 0.30, output: 15.0 }
                ledger: { type: postgres, url: "jdbc:postgresql://db:5432/junction", user: j, password: pw, batch_size: 50 }
                metrics: { key_labels: true, max_key_labels: 10 }
                logging: { log_payloads: true }
                """);
        assertThat(c.pricing().get("oai/gpt-4o-mini").cachedInput()).isEqualTo(0.075);
        assertThat(c.pricing().get("anthropic/claude-*").cacheWrite()).isEqualTo(3.75);
        assertThat(c.ledger().type()).isEqualTo("postgres");
        assertThat(c.ledger().batchSize()).isEqualTo(50);
        assertThat(c.ledger().toString()).doesNotContain("pw");
        assertThat(c.metrics().maxKeyLabels()).isEqualTo(10);
        assertThat(c.logging().logPayloads()).isTrue();
    }

    @Test
    void badObservabilityKeysAreRejectedWithTheirPath() {
        assertError(
                "pricing: { \"oai/x\": { input: 1.0, outptu: 2.0 } }\n",
                "test.yaml: pricing.oai/x: unknown key 'outptu' (known keys: cache_write, cached_input, input, output,"
                        + " reasoning)");
        assertError(
                "pricing: { \"oai/x\": { input: -1.0, output: 2.0 } }\n",
                "test.yaml: pricing.oai/x: prices must be non-negative numbers");
        assertError(
                "pricing: { \"gpt-4o\": { input: 1.0, output: 2.0 } }\n",
                "test.yaml: pricing.gpt-4o: the key must be <provider>/<model> (globs allowed), got 'gpt-4o'");
        assertError(
                "ledger: { type: mysql }\n", "test.yaml: ledger.type: expected sqlite, postgres or none, got 'mysql'");
        assertError(
                "ledger: { type: postgres }\n",
                "test.yaml: ledger.url: type postgres needs a JDBC URL (jdbc:postgresql://host:5432/database)");
        assertError(
                "ledger: { flush_interval_ms: 0 }\n",
                "test.yaml: ledger: queue_size and batch_size must be positive and flush_interval_ms between 1 and"
                        + " 60000");
        assertError("metrics: { max_key_labels: 0 }\n", "test.yaml: metrics.max_key_labels: must be positive");
    }

    private static final String GOV_BASE = "providers: { m: { type: mock } }\n";

    @Test
    void loadsTheGovernanceShapeOfTheIssue() {
        JunctionConfig c = load(GOV_BASE + """
                teams:
                  research: { budget: { usd: 500, period: month }, limits: { rpm: 600, tpm: 400000 } }
                keys:
                  - key: jk-a
                    name: research-bot
                    team: research
                    models: ["m/*"]
                    budget: { usd: 20, period: 1d }
                    limits: { rpm: 60, tpm: 100000, concurrent: 8 }
                    expires_at: 2030-01-01
                limits_store: { type: redis, url: "redis://127.0.0.1:6379", on_error: fail_closed }
                """);
        assertThat(c.teams().get("research").budget().usd()).isEqualTo(500.0);
        assertThat(c.teams().get("research").limits().tpm()).isEqualTo(400_000L);
        var k = c.keys().get(0);
        assertThat(k.team()).isEqualTo("research");
        assertThat(k.budget().period()).isEqualTo("1d");
        assertThat(k.limits().concurrent()).isEqualTo(8);
        assertThat(c.limitsStore().type()).isEqualTo("redis");
        assertThat(c.limitsStore().failClosed()).isTrue();
        assertThat(c.limitsStore().toString()).doesNotContain("6379");
    }

    @Test
    void governanceErrorsNameThePathAndTheProblem() {
        assertError(
                GOV_BASE + "keys: [ { key: a, team: nope } ]\nteams: { research: { limits: { rpm: 1 } } }\n",
                "test.yaml: keys[0].team: unknown team 'nope' (known: research)");
        assertError(
                GOV_BASE + "keys: [ { key: a, budget: { usd: 5, period: week } } ]\n",
                "test.yaml: keys[0].budget.period: invalid period 'week': expected month, <n>h or <n>d (e.g. 1h,"
                        + " 1d, 7d, 30d)");
        assertError(
                GOV_BASE + "teams: { t: { budget: { period: 1d } } }\n",
                "test.yaml: teams.t.budget.usd: required, a non-negative amount in US dollars");
        assertError(
                GOV_BASE + "keys: [ { key: a, limits: { rpm: 0 } } ]\n",
                "test.yaml: keys[0].limits.rpm: must be at least 1");
        assertError(
                GOV_BASE + "keys: [ { key: a }, { key: b, name: key-0 } ]\n",
                "test.yaml: keys[1].name: 'key-0' is used by another key (names identify keys in limits, budgets and"
                        + " the ledger)");
        assertError(
                GOV_BASE + "keys: [ { key: a, name: x }, { key: b, name: x } ]\n",
                "test.yaml: keys[1].name: 'x' is used by another key (names identify keys in limits, budgets and the"
                        + " ledger)");
        assertError(
                GOV_BASE + "keys: [ { key: a, expires_at: tomorrow } ]\n",
                "test.yaml: keys[0].expires_at: invalid expires_at 'tomorrow': expected an ISO-8601 instant"
                        + " (2027-01-31T00:00:00Z) or date");
        assertError(
                GOV_BASE + "limits_store: { type: redis }\n",
                "test.yaml: limits_store.url: type redis needs a URL (redis://host:6379, rediss:// for TLS)");
        assertError(
                GOV_BASE + "limits_store: { on_error: ignore }\n",
                "test.yaml: limits_store.on_error: expected fail_open or fail_closed, got 'ignore'");
    }

    @Test
    void runTimeKeySettingsOfAdmin() {
        JunctionConfig c = load("admin: { key: adm, key_pepper: \"0123456789abcdef\", keys_refresh_ms: 250 }\n");
        assertThat(c.admin().keyPepper()).isEqualTo("0123456789abcdef");
        assertThat(c.admin().keysRefreshMs()).isEqualTo(250L);
        assertThat(c.admin().toString()).doesNotContain("0123456789abcdef").doesNotContain("adm,");
        assertThat(load("admin: { key: adm }\n").admin().keysRefreshMs()).isEqualTo(5000L);
        assertError(
                "admin: { key: adm, key_pepper: short }\n",
                "test.yaml: admin.key_pepper: at least 16 characters (e.g. openssl rand -hex 32), or remove it to use"
                        + " a pepper generated and kept in the database");
        assertError(
                "admin: { key: adm, keys_refresh_ms: 10 }\n",
                "test.yaml: admin.keys_refresh_ms: expected 100..3600000");
    }

    @Test
    void cacheKeysHaveDefaultsAndBind() {
        JunctionConfig off = load("providers: { mock: {} }\n");
        assertThat(off.cache().enabled()).isFalse();
        assertThat(off.cache().ttlMillis()).isEqualTo(600_000);
        assertThat(off.cache().scope()).isEqualTo("key");
        assertThat(off.cache().mode()).isEqualTo("deterministic");
        JunctionConfig on = load("""
                providers: { mock: {} }
                models:
                  fresh: { targets: [mock/echo], cache: false }
                  sticky: { targets: [mock/echo], cache: true }
                cache: { enabled: true, ttl: 90s, max_entries: 500, scope: global, mode: always, store: memory }
                """);
        assertThat(on.cache().enabled()).isTrue();
        assertThat(on.cache().ttlMillis()).isEqualTo(90_000);
        assertThat(on.cache().effectiveMaxEntries()).isEqualTo(500);
        assertThat(on.cache().scope()).isEqualTo("global");
        assertThat(on.cache().mode()).isEqualTo("always");
        assertThat(on.models().get("fresh").cache()).isFalse();
        assertThat(on.models().get("sticky").cache()).isTrue();
        assertThat(load("cache: { enabled: true, ttl_ms: 1500 }\n").cache().ttlMillis())
                .isEqualTo(1500);
        assertThat(off.cache().effectiveTimeoutMs()).isEqualTo(50);
        assertThat(off.cache().effectivePrefix()).isEqualTo("junction");
    }

    @Test
    void aRedisCacheBindsDefaultsToTheLimitsStoresRedisAndNeverShowsItsUrl() {
        JunctionConfig own = load(
                "cache: { enabled: true, store: redis, url: \"redis://:s3cret@cache:6379/2\", timeout_ms: 80, prefix: prod }\n");
        assertThat(own.cache().redis()).isTrue();
        assertThat(own.cache().url()).isEqualTo("redis://:s3cret@cache:6379/2");
        assertThat(own.cache().effectiveTimeoutMs()).isEqualTo(80);
        assertThat(own.cache().effectivePrefix()).isEqualTo("prod");
        assertThat(own.cache().toString()).doesNotContain("s3cret").contains("<redacted>");
        JunctionConfig shared = load("limits_store: { type: redis, url: \"redis://:pw@limits:6379\" }\n"
                + "cache: { enabled: true, store: redis }\n");
        assertThat(shared.cache().url()).isEqualTo("redis://:pw@limits:6379");
        // a memory limits store has no URL to lend
        assertError(
                "limits_store: { type: memory }\ncache: { enabled: true, store: redis }\n",
                "test.yaml: cache.url: store redis needs a URL (redis://host:6379, rediss:// for TLS)");
    }

    @Test
    void badCacheKeysAreRejectedWithTheirPath() {
        assertError(
                "cache: { enabled: true, store: disk }\n",
                "test.yaml: cache.store: expected memory or redis, got 'disk'");
        assertError(
                "cache: { enabled: true, store: redis }\n",
                "test.yaml: cache.url: store redis needs a URL (redis://host:6379, rediss:// for TLS)");
        assertError(
                "cache: { enabled: true, store: redis, url: \"http://cache:6379\" }\n",
                "test.yaml: cache.url: store redis needs a URL (redis://host:6379, rediss:// for TLS)");
        assertError(
                "cache: { store: redis, url: \"redis://h:6379\", max_entries: 10 }\n",
                "test.yaml: cache.max_entries: applies to store memory only; bound a Redis cache with Redis's"
                        + " maxmemory and an eviction policy (e.g. allkeys-lru)");
        assertError(
                "cache: { store: redis, url: \"redis://h:6379\", timeout_ms: 0 }\n",
                "test.yaml: cache.timeout_ms: must be between 1 and 10000");
        assertError(
                "cache: { store: redis, url: \"redis://h:6379\", prefix: \"a b\" }\n",
                "test.yaml: cache.prefix: letters, digits and . _ - : { } only, got 'a b'");
        assertError("cache: { url: \"redis://h:6379\" }\n", "test.yaml: cache.url: only used with store: redis");
        assertError("cache: { timeout_ms: 20 }\n", "test.yaml: cache.timeout_ms: only used with store: redis");
        assertError("cache: { scope: tenant }\n", "test.yaml: cache.scope: expected key, team or global, got 'tenant'");
        assertError(
                "cache: { mode: sometimes }\n",
                "test.yaml: cache.mode: expected deterministic or always, got 'sometimes'");
        assertError(
                "cache: { ttl: 10 }\n",
                "test.yaml: cache.ttl: expected a duration such as 500ms, 30s, 10m, 1h or 1d, got '10'");
        assertError("cache: { ttl: 10m, ttl_ms: 5 }\n", "test.yaml: cache.ttl: give ttl or ttl_ms, not both");
        assertError("cache: { ttl_ms: 0 }\n", "test.yaml: cache.ttl_ms: must be positive");
        assertError("cache: { max_entries: 0 }\n", "test.yaml: cache.max_entries: must be positive");
        assertError(
                "cache: { max_entries: 5, max_bytes: 1000 }\n",
                "test.yaml: cache.max_entries: give max_entries or max_bytes, not both");
        assertError(
                "cache: { enabled: yes please }\n",
                "test.yaml: cache.enabled: expected true or false, got 'yes please'");
        assertThatThrownBy(() -> load("cache: { ttl_minutes: 5 }\n"))
                .hasMessageStartingWith("test.yaml: cache: unknown key 'ttl_minutes' (known keys: enabled, max_bytes,");
        // key names are unique whatever the cache scope (governance needs them too): see the governance test
    }

    @Test
    void tracingIsOffByDefaultAndItsSettingsAreBound() {
        JunctionConfig off = load("providers: { mock: {} }\n");
        assertThat(off.tracing().enabled()).isFalse();
        assertThat(off.tracing().endpoint()).isEqualTo("http://127.0.0.1:4318/v1/traces");
        assertThat(off.tracing().sampleRatio()).isEqualTo(1.0);
        assertThat(off.tracing().serviceName()).isEqualTo("junction");
        assertThat(off.logging().accessLogExclude()).containsExactly("/health", "/ready", "/metrics");

        JunctionConfig on = load("""
                providers: { mock: {} }
                tracing:
                  enabled: true
                  endpoint: https://otlp.example.com/v1/traces
                  sample_ratio: 0.25
                  service_name: gw-eu
                  headers: { x-api-key: "${OPENAI_API_KEY}" }
                  timeout_ms: 3000
                logging: { access_log_exclude: ["/health", "/admin/*"] }
                """);
        assertThat(on.tracing().enabled()).isTrue();
        assertThat(on.tracing().endpoint()).isEqualTo("https://otlp.example.com/v1/traces");
        assertThat(on.tracing().sampleRatio()).isEqualTo(0.25);
        assertThat(on.tracing().serviceName()).isEqualTo("gw-eu");
        assertThat(on.tracing().headers()).containsEntry("x-api-key", "sk-from-env");
        assertThat(on.tracing().timeoutMs()).isEqualTo(3000L);
        assertThat(on.tracing().toString()).contains("x-api-key").doesNotContain("sk-from-env");
        assertThat(on.logging().excluded("/admin/usage")).isTrue();
        assertThat(on.logging().excluded("/metrics")).isFalse();
    }

    @Test
    void badTracingSettingsAreReported() {
        String base = "providers: { mock: {} }\n";
        assertError(
                base + "tracing: { endpoint: \"127.0.0.1:4318\" }\n",
                "test.yaml: tracing.endpoint: expected an http:// or https:// URL of an OTLP/HTTP traces receiver (e.g."
                        + " http://127.0.0.1:4318/v1/traces), got '127.0.0.1:4318'");
        assertError(
                base + "tracing: { sample_ratio: 1.5 }\n",
                "test.yaml: tracing.sample_ratio: must be between 0 and 1, got 1.5");
        assertError(
                base + "tracing: { timeout_ms: 0 }\n", "test.yaml: tracing.timeout_ms: must be between 1 and 60000");
        assertError(
                base + "tracing: { headers: { \"bad header\": x } }\n",
                "test.yaml: tracing.headers: 'bad header' is not a valid header name");
        assertError(
                base + "logging: { access_log_exclude: [health] }\n",
                "test.yaml: logging.access_log_exclude[0]: expected a path starting with '/' (a trailing * matches a"
                        + " prefix), got 'health'");
    }
}
