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

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Cluster-wide cache hits: two Junction processes with {@code cache.store: redis} on one Redis and
 * one counting WireMock upstream. An answer fetched through node A is a hit on node B, as JSON and
 * as a stream, with no further upstream call. The Redis is the one {@code .ci/redis.sh} starts
 * ({@code JUNCTION_TEST_REDIS_URL}); without it the test is reported skipped.
 */
class RedisCacheIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String KEY = "sk-redis-cache";
    private static final String URL = System.getenv("JUNCTION_TEST_REDIS_URL");

    private static String config(int port, int upstream, String prefix) {
        return """
                server: { host: 127.0.0.1, port: %d, extra_fields: true }
                keys:
                  - { key: %s, name: shared-app }
                providers:
                  up: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-up, retry: { max_retries: 0 } }
                models:
                  managed: { targets: [up/gpt-4o-mini] }
                cache: { enabled: true, store: redis, url: "%s", prefix: %s, ttl: 10m }
                ledger: { type: none }
                """.formatted(port, KEY, upstream, URL, prefix);
    }

    private static HttpResponse<String> chat(JunctionProcess j, String body) {
        return Clients.send(HttpRequest.newBuilder(j.uri(CHAT))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static String cacheHeader(HttpResponse<String> r) {
        return r.headers().firstValue("x-junction-cache").orElse(null);
    }

    private static List<JsonNode> sse(String body) {
        List<JsonNode> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.startsWith("data: ") && !event.equals("data: [DONE]")) {
                out.add(Fixtures.parse(event.substring(6)));
            }
        }
        return out;
    }

    @Test
    void anAnswerFetchedByOneNodeIsAHitOnTheOther() throws Exception {
        Assumptions.assumeTrue(
                URL != null,
                "no Redis: run '. .ci/redis.sh' first (CI does) to set JUNCTION_TEST_REDIS_URL;"
                        + " the cluster-wide cache test is SKIPPED");
        WireMockServer upstream =
                new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        try {
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
            // a prefix of its own: a rerun never sees this run's entries
            String prefix = "jit-" + UUID.randomUUID().toString().substring(0, 8);
            try (JunctionProcess a = JunctionProcess.start("rcache-a", port -> config(port, upstream.port(), prefix));
                    JunctionProcess b =
                            JunctionProcess.start("rcache-b", port -> config(port, upstream.port(), prefix))) {
                for (JunctionProcess j : List.of(a, b)) {
                    awaitCacheReady(j);
                }
                String prompt = "cluster-wide " + prefix;
                String json = "{\"model\":\"managed\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\""
                        + prompt + "\"}]}";
                HttpResponse<String> first = chat(a, json);
                assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
                assertThat(cacheHeader(first)).isEqualTo("MISS");
                assertThat(upstreamCalls(upstream, prompt)).isEqualTo(1);

                // node A's write is fire-and-forget: give it a moment to reach Redis
                HttpResponse<String> onB = null;
                for (int i = 0; i < 50; i++) {
                    onB = chat(b, json);
                    if ("HIT".equals(cacheHeader(onB))) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(onB.statusCode()).isEqualTo(200);
                assertThat(cacheHeader(onB))
                        .as("node B answers from node A's entry")
                        .isEqualTo("HIT");
                assertThat(upstreamCalls(upstream, prompt))
                        .as("no call beyond node A's")
                        .isEqualTo(1);
                JsonNode fromA = Fixtures.parse(first.body());
                JsonNode fromB = Fixtures.parse(onB.body());
                assertThat(fromB.path("choices")).isEqualTo(fromA.path("choices"));
                assertThat(fromB.path("usage")).isEqualTo(fromA.path("usage"));
                assertThat(fromB.at("/extra_fields/cache").asText()).isEqualTo("hit");
                assertThat(onB.headers().firstValue("x-junction-cost-usd")).hasValue("0");
                assertThat(onB.headers().firstValue("x-junction-provider")).hasValue("up");

                // the same entry replayed by node B as a stream
                String stream = json.replace(
                        "\"temperature\":0,",
                        "\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true},");
                HttpResponse<String> streamed = chat(b, stream);
                assertThat(streamed.statusCode()).isEqualTo(200);
                assertThat(cacheHeader(streamed)).isEqualTo("HIT");
                assertThat(streamed.headers().firstValue("content-type").orElse(""))
                        .startsWith("text/event-stream");
                assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
                List<JsonNode> chunks = sse(streamed.body());
                StringBuilder text = new StringBuilder();
                for (JsonNode c : chunks) {
                    for (JsonNode ch : c.path("choices")) {
                        text.append(ch.path("delta").path("content").asText(""));
                    }
                }
                assertThat(text.toString())
                        .isEqualTo(fromA.at("/choices/0/message/content").asText());
                assertThat(chunks.get(chunks.size() - 1).path("usage")).isEqualTo(fromA.path("usage"));
                assertThat(upstreamCalls(upstream, prompt)).isEqualTo(1);

                String metricsB = Clients.get(b, "/metrics", null).body();
                assertThat(metricsB)
                        .contains("junction_cache_requests_total{result=\"hit\"}")
                        .contains("junction_cache_errors_total{op=\"get\"} 0.0");
            }
        } finally {
            upstream.stop();
        }
    }

    private static int upstreamCalls(WireMockServer upstream, String prompt) {
        return upstream.findAll(postRequestedFor(urlEqualTo(CHAT)).withRequestBody(containing(prompt)))
                .size();
    }

    /** Until /ready reports the cache's Redis connected (it connects in the background). */
    private static void awaitCacheReady(JunctionProcess j) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> ready;
        do {
            ready = Clients.get(j, "/ready", null);
            if (ready.statusCode() == 200 && !ready.body().contains("degraded")) {
                break;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"cache\":{\"ok\":true,\"detail\":\"redis ");
    }
}
