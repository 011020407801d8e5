package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The response cache end to end, through the built jar: a WireMock OpenAI upstream whose calls are
 * counted, the official SDK (JSON and SSE), per-key isolation, and the ledger row of a hit (cost 0,
 * {@code cache_hits}). Every test uses its own prompt, so tests never share cache entries.
 */
class CacheIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String ADMIN_KEY = "adm-cache-it";
    private static final String KEY_A = "sk-cache-a";
    private static final String KEY_B = "sk-cache-b";
    private static final String KEY_LEDGER = "sk-cache-ledger";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient clientA;
    static Path ledgerDir;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo(CHAT))
                .atPriority(1)
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream; charset=utf-8")
                        .withBody(Fixtures.jsonlAsSse("openai/chat-completion.text.stream.jsonl"))));
        upstream.stubFor(post(urlEqualTo(CHAT))
                .atPriority(5)
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(Fixtures.text("openai/chat-completion.text.json"))));
        ledgerDir = Files.createTempDirectory("junction-cache-it");
        String ledger = ledgerDir.resolve("usage.db").toString().replace("\\", "/");
        junction = JunctionProcess.start(
                "cache", port -> """
                server: { host: 127.0.0.1, port: %d, extra_fields: true }
                keys:
                  - { key: %s, name: tenant-a }
                  - { key: %s, name: tenant-b }
                  - { key: %s, name: ledger-k }
                providers:
                  up: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-up, retry: { max_retries: 0 } }
                models:
                  managed: { targets: [up/gpt-4o-mini] }
                cache: { enabled: true, ttl: 10m, max_entries: 1000, scope: key }
                admin: { key: %s }
                ledger: { type: sqlite, path: "%s", flush_interval_ms: 200 }
                """.formatted(port, KEY_A, KEY_B, KEY_LEDGER, upstream.port(), ADMIN_KEY, ledger));
        clientA = Clients.sdk(junction, KEY_A);
    }

    @AfterAll
    static void stop() {
        try {
            if (clientA != null) {
                clientA.close();
            }
            if (junction != null) {
                junction.close();
            }
        } finally {
            upstream.stop();
        }
    }

    /** Upstream calls whose body contains {@code prompt}. */
    private static int upstreamCalls(String prompt) {
        return upstream.findAll(postRequestedFor(urlEqualTo(CHAT)).withRequestBody(containing(prompt)))
                .size();
    }

    private static HttpResponse<String> chat(String key, String body, String cacheHeader) {
        HttpRequest.Builder b = HttpRequest.newBuilder(junction.uri(CHAT))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cacheHeader != null) {
            b.header("x-junction-cache", cacheHeader);
        }
        return Clients.send(b.build());
    }

    private static String body(String prompt, String params) {
        return "{\"model\":\"managed\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]"
                + (params.isEmpty() ? "" : "," + params) + "}";
    }

    private static String cacheHeader(HttpResponse<String> r) {
        return r.headers().firstValue("x-junction-cache").orElse(null);
    }

    @Test
    void theSecondIdenticalRequestIsAHitAndMakesNoUpstreamCall() {
        String prompt = "hit-miss prompt";
        HttpResponse<String> first = chat(KEY_A, body(prompt, "\"temperature\":0"), null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(first)).isEqualTo("MISS");
        assertThat(upstreamCalls(prompt)).isEqualTo(1);

        HttpResponse<String> second = chat(KEY_A, body(prompt, "\"temperature\":0"), null);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(second)).isEqualTo("HIT");
        assertThat(upstreamCalls(prompt)).as("served from the cache").isEqualTo(1);
        JsonNode a = Fixtures.parse(first.body());
        JsonNode h = Fixtures.parse(second.body());
        assertThat(h.path("choices")).isEqualTo(a.path("choices"));
        assertThat(h.at("/extra_fields/cache").asText()).isEqualTo("hit");
        assertThat(h.at("/extra_fields/cost/total").asDouble()).isZero();
        assertThat(second.headers().firstValue("x-junction-cost-usd")).hasValue("0");

        // the official SDK reads the hit like any answer
        ChatCompletion c = clientA.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("managed")
                        .addUserMessage(prompt)
                        .temperature(0.0)
                        .build());
        assertThat(c.choices().get(0).message().content())
                .hasValue(a.at("/choices/0/message/content").asText());
        assertThat(Sdk.extraFields(c._additionalProperties()).path("cache").asText())
                .isEqualTo("hit");
        assertThat(upstreamCalls(prompt)).isEqualTo(1);
    }

    @Test
    void noStoreNeitherReadsNorWritesAndRefreshReplacesTheEntry() {
        String prompt = "no-store prompt";
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"seed\":1"), "no-store")))
                .isEqualTo("BYPASS");
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"seed\":1"), null))).isEqualTo("MISS");
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"seed\":1"), "no-store")))
                .isEqualTo("BYPASS");
        assertThat(upstreamCalls(prompt)).isEqualTo(3);
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"seed\":1"), "refresh")))
                .isEqualTo("MISS");
        assertThat(upstreamCalls(prompt)).as("refresh skips the read").isEqualTo(4);
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"seed\":1"), null))).isEqualTo("HIT");
        assertThat(upstreamCalls(prompt)).isEqualTo(4);
        // not deterministic: never cached
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"temperature\":0.8"), null)))
                .isEqualTo("BYPASS");
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"temperature\":0.8"), null)))
                .isEqualTo("BYPASS");
        assertThat(upstreamCalls(prompt)).isEqualTo(6);
    }

    private static List<ChatCompletionChunk> stream(OpenAIClient client, String prompt) {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("managed")
                        .addUserMessage(prompt)
                        .temperature(0.0)
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            s.stream().forEach(chunks::add);
        }
        return chunks;
    }

    @Test
    void aStreamedHitIsReplayedAsSseTheSdkParses() {
        String prompt = "stream prompt";
        List<ChatCompletionChunk> fresh = stream(clientA, prompt);
        assertThat(upstreamCalls(prompt)).isEqualTo(1);
        List<ChatCompletionChunk> replayed = stream(clientA, prompt);
        assertThat(upstreamCalls(prompt)).as("the replay made no upstream call").isEqualTo(1);

        assertThat(Sdk.text(replayed)).isNotEmpty().isEqualTo(Sdk.text(fresh));
        ChatCompletionChunk last = replayed.get(replayed.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(16);
            assertThat(u.completionTokens()).isEqualTo(300);
        });
        assertThat(Sdk.extraFields(last._additionalProperties()).path("cache").asText())
                .isEqualTo("hit");
        assertThat(replayed).anySatisfy(c -> assertThat(c.choices()).anySatisfy(ch -> assertThat(ch.finishReason())
                .hasValue(ChatCompletionChunk.Choice.FinishReason.STOP)));
        assertThat(replayed)
                .extracting(ChatCompletionChunk::id)
                .containsOnly(replayed.get(0).id());

        // the raw body ends like a real stream
        HttpResponse<String> raw = chat(
                KEY_A,
                body(prompt, "\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}"),
                null);
        assertThat(cacheHeader(raw)).isEqualTo("HIT");
        List<String> data = Fixtures.sseData(raw.body());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        assertThat(Fixtures.isUsageChunk(data.get(data.size() - 2))).isTrue();
        // and the same request without stream is served as JSON from the streamed entry
        HttpResponse<String> json = chat(KEY_A, body(prompt, "\"temperature\":0"), null);
        assertThat(cacheHeader(json)).isEqualTo("HIT");
        assertThat(Fixtures.parse(json.body()).at("/choices/0/message/content").asText())
                .isEqualTo(Sdk.text(fresh));
        assertThat(upstreamCalls(prompt)).isEqualTo(1);
    }

    @Test
    void tenantsNeverSeeEachOthersAnswers() {
        String prompt = "tenant prompt";
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"temperature\":0"), null)))
                .isEqualTo("MISS");
        assertThat(cacheHeader(chat(KEY_B, body(prompt, "\"temperature\":0"), null)))
                .as("another key's entry is not visible")
                .isEqualTo("MISS");
        assertThat(upstreamCalls(prompt)).isEqualTo(2);
        assertThat(cacheHeader(chat(KEY_A, body(prompt, "\"temperature\":0"), null)))
                .isEqualTo("HIT");
        assertThat(cacheHeader(chat(KEY_B, body(prompt, "\"temperature\":0"), null)))
                .isEqualTo("HIT");
        assertThat(upstreamCalls(prompt)).isEqualTo(2);
    }

    @Test
    void aHitIsInTheLedgerWithCostZeroAndCounted() throws Exception {
        String prompt = "ledger prompt";
        String before = Clients.get(junction, "/metrics", null).body();
        assertThat(cacheHeader(chat(KEY_LEDGER, body(prompt, "\"temperature\":0"), null)))
                .isEqualTo("MISS");
        assertThat(cacheHeader(chat(KEY_LEDGER, body(prompt, "\"temperature\":0"), null)))
                .isEqualTo("HIT");
        assertThat(upstreamCalls(prompt)).isEqualTo(1);

        JsonNode row = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode r : Fixtures.parse(Clients.get(junction, "/admin/usage?group_by=key", ADMIN_KEY)
                            .body())
                    .path("rows")) {
                if (r.path("group").asText().equals("ledger-k")
                        && r.path("requests").asLong() == 2) {
                    row = r;
                }
            }
            if (row != null) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(row)
                .as("two ledger rows for ledger-k\n" + junction.logTail(30))
                .isNotNull();
        assertThat(row.path("cache_hits").asLong()).isEqualTo(1);
        // the fixture's usage, priced once (gpt-4o-mini: 0.15 / 0.60 per 1M): the hit added nothing
        assertThat(row.path("cost_usd").asDouble()).isCloseTo(16 * 0.15e-6 + 363 * 0.60e-6, within(1e-12));
        assertThat(row.path("prompt_tokens").asLong())
                .as("the hit keeps the cached usage")
                .isEqualTo(32);
        String csv = Clients.get(junction, "/admin/usage.csv?group_by=key", ADMIN_KEY)
                .body();
        assertThat(csv.lines().findFirst().orElseThrow()).endsWith(",cache_hits");

        String after = Clients.get(junction, "/metrics", null).body();
        assertThat(Metrics.value(after, "junction_cache_requests_total", java.util.Map.of("result", "hit"))
                        - Metrics.value(before, "junction_cache_requests_total", java.util.Map.of("result", "hit")))
                .isEqualTo(1);
        assertThat(Metrics.value(after, "junction_requests_total", java.util.Map.of("provider", "cache"))
                        - Metrics.value(before, "junction_requests_total", java.util.Map.of("provider", "cache")))
                .isEqualTo(1);
        assertThat(after).contains("junction_cache_entries ");
    }
}
