package io.junction.server.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import io.junction.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** In-process: the response cache against the built-in mock provider. */
@Timeout(60)
class ResponseCacheHttpTest {
    private static final String CONFIG = """
            providers:
              mock: { models: [echo] }
            models:
              chat: { targets: [mock/echo] }
              fresh: { targets: [mock/echo], cache: false }
            cache: { enabled: true, ttl: 10m, max_entries: 100 }
            """;

    private TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static String body(String model, String text, String params) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]"
                + (params.isEmpty() ? "" : "," + params) + "}";
    }

    private HttpResponse<String> post(String body, String cacheHeader) throws Exception {
        return gw.post(
                "/v1/chat/completions", body, cacheHeader == null ? Map.of() : Map.of("x-junction-cache", cacheHeader));
    }

    /**
     * {@code junction_requests_total} for chat with this provider label (any model, status, error type).
     * A call is counted just after its response is written, so this waits (up to 5 s) for at least
     * {@code atLeast}; an extra call still shows as a larger value.
     */
    private double upstreamCalls(String provider, double atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        double v;
        while ((v = sum("junction_requests_total", "provider=\"" + provider + "\"")) < atLeast
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(50); // a late, unexpected call would show up now
        return sum("junction_requests_total", "provider=\"" + provider + "\"");
    }

    private double sum(String name, String labelPart) {
        double total = 0;
        Matcher m = Pattern.compile("^" + name + "\\{([^}]*)}\\s+(\\S+)", Pattern.MULTILINE)
                .matcher(gw.server().metrics().scrape());
        while (m.find()) {
            if (m.group(1).contains(labelPart) && m.group(1).contains("endpoint=\"chat.completions\"")) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    private double cacheCounter(String result) {
        Matcher m = Pattern.compile(
                        "^junction_cache_requests_total\\{result=\"" + result + "\"}\\s+(\\S+)", Pattern.MULTILINE)
                .matcher(gw.server().metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static List<JsonNode> sse(String body) {
        List<JsonNode> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.startsWith("data: ") && !event.equals("data: [DONE]")) {
                out.add(parse(event.substring(6)));
            }
        }
        return out;
    }

    private static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String streamedText(String body) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : sse(body)) {
            for (JsonNode ch : c.path("choices")) {
                if (ch.path("delta").path("content").isTextual()) {
                    sb.append(ch.path("delta").path("content").asText());
                }
            }
        }
        return sb.toString();
    }

    @Test
    void aDeterministicRequestIsAnsweredOnceThenFromTheCache() throws Exception {
        gw = new TestGateway(CONFIG);
        String b = body("chat", "cache me please", "\"temperature\":0");
        HttpResponse<String> first = post(b, null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-junction-cache")).hasValue("MISS");
        assertThat(parse(first.body()).at("/extra_fields/cache").asText()).isEqualTo("miss");
        assertThat(upstreamCalls("mock", 1)).isEqualTo(1);

        HttpResponse<String> second = post(b, null);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("x-junction-cache")).hasValue("HIT");
        assertThat(second.headers().firstValue("x-junction-cost-usd")).hasValue("0");
        assertThat(second.headers().firstValue("x-junction-provider")).hasValue("mock");
        JsonNode a = parse(first.body());
        JsonNode h = parse(second.body());
        assertThat(h.path("choices")).isEqualTo(a.path("choices"));
        assertThat(h.path("usage")).isEqualTo(a.path("usage"));
        assertThat(h.path("id").asText())
                .startsWith("chatcmpl-")
                .isNotEqualTo(a.path("id").asText());
        assertThat(h.at("/extra_fields/cache").asText()).isEqualTo("hit");
        assertThat(h.at("/extra_fields/cost/total").asDouble()).isZero();
        assertThat(h.at("/extra_fields/attempts")).isEmpty();
        assertThat(upstreamCalls("mock", 1))
                .as("no second call to the provider")
                .isEqualTo(1);
        assertThat(upstreamCalls("cache", 1)).isEqualTo(1);
        assertThat(cacheCounter("miss")).isEqualTo(1);
        assertThat(cacheCounter("hit")).isEqualTo(1);
        assertThat(gw.server().metrics().scrape()).contains("junction_cache_entries 1.0");
    }

    @Test
    void aStreamedAnswerIsReplayedAsAStreamAndAsJson() throws Exception {
        gw = new TestGateway(CONFIG);
        String stream = body(
                "chat",
                "stream these words back",
                "\"seed\":7,\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        HttpResponse<String> first = post(stream, null);
        assertThat(first.headers().firstValue("x-junction-cache")).hasValue("MISS");
        assertThat(first.body()).endsWith("data: [DONE]\n\n");

        HttpResponse<String> second = post(stream, null);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(second.headers().firstValue("x-junction-cache")).hasValue("HIT");
        assertThat(second.body()).endsWith("data: [DONE]\n\n");
        assertThat(streamedText(second.body()))
                .isEqualTo(streamedText(first.body()))
                .isEqualTo("stream these words back");
        List<JsonNode> chunks = sse(second.body());
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage"))
                .isEqualTo(sse(first.body()).get(sse(first.body()).size() - 1).path("usage"));
        assertThat(usage.at("/extra_fields/cache").asText()).isEqualTo("hit");
        assertThat(chunks)
                .anySatisfy(c ->
                        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("stop"));

        // the same request without stream: the entry stored from the stream serves it as JSON
        HttpResponse<String> json = post(body("chat", "stream these words back", "\"seed\":7"), null);
        assertThat(json.headers().firstValue("x-junction-cache")).hasValue("HIT");
        assertThat(parse(json.body()).at("/choices/0/message/content").asText()).isEqualTo("stream these words back");
        assertThat(upstreamCalls("mock", 1)).isEqualTo(1);

        // and the other way round: a JSON answer replayed as a stream, without the usage chunk
        post(body("chat", "json first", "\"temperature\":0"), null);
        HttpResponse<String> asStream = post(body("chat", "json first", "\"temperature\":0,\"stream\":true"), null);
        assertThat(asStream.headers().firstValue("x-junction-cache")).hasValue("HIT");
        assertThat(streamedText(asStream.body())).isEqualTo("json first");
        assertThat(sse(asStream.body()))
                .noneSatisfy(c -> assertThat(c.has("usage")).isTrue());
        assertThat(upstreamCalls("mock", 2)).isEqualTo(2);
    }

    @Test
    void headersAndPolicy() throws Exception {
        gw = new TestGateway(CONFIG);
        String det = body("chat", "policy", "\"temperature\":0");
        assertThat(post(det, "no-store").headers().firstValue("x-junction-cache"))
                .hasValue("BYPASS");
        assertThat(post(det, null).headers().firstValue("x-junction-cache"))
                .as("no-store stored nothing")
                .hasValue("MISS");
        assertThat(post(det, null).headers().firstValue("x-junction-cache")).hasValue("HIT");
        assertThat(post(det, "no-store").headers().firstValue("x-junction-cache"))
                .as("no-store does not read either")
                .hasValue("BYPASS");
        assertThat(post(det, "refresh").headers().firstValue("x-junction-cache"))
                .hasValue("MISS");
        assertThat(upstreamCalls("mock", 4))
                .as("two no-store, the miss, the refresh")
                .isEqualTo(4);
        assertThat(post(det, null).headers().firstValue("x-junction-cache")).hasValue("HIT");

        HttpResponse<String> random = post(body("chat", "policy", "\"temperature\":0.7"), null);
        assertThat(random.headers().firstValue("x-junction-cache")).hasValue("BYPASS");
        assertThat(parse(random.body()).at("/extra_fields/cache").asText()).isEqualTo("bypass");
        assertThat(post(body("fresh", "policy", "\"temperature\":0"), null)
                        .headers()
                        .firstValue("x-junction-cache"))
                .hasValue("BYPASS");
        assertThat(post(body("fresh", "policy", "\"temperature\":0"), null)
                        .headers()
                        .firstValue("x-junction-cache"))
                .as("alias cache: false")
                .hasValue("BYPASS");

        HttpResponse<String> bad = post(det, "always");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(parse(bad.body()).at("/error/param").asText()).isEqualTo("x-junction-cache");
        assertThat(cacheCounter("bypass")).isEqualTo(5);
    }

    @Test
    void offMeansNoHeaderAndNoCaching() throws Exception {
        gw = new TestGateway(CONFIG.replace("enabled: true", "enabled: false"));
        String det = body("chat", "off", "\"temperature\":0");
        HttpResponse<String> a = post(det, null);
        HttpResponse<String> b = post(det, null);
        assertThat(a.headers().firstValue("x-junction-cache")).isEmpty();
        assertThat(b.headers().firstValue("x-junction-cache")).isEmpty();
        assertThat(parse(b.body()).at("/extra_fields").has("cache")).isFalse();
        assertThat(upstreamCalls("mock", 2)).isEqualTo(2);
    }

    @Test
    void aReloadKeepsTheCacheUnlessTheCacheSectionChanged() throws Exception {
        gw = new TestGateway(CONFIG);
        String det = body("chat", "survive a reload", "\"temperature\":0");
        assertThat(post(det, null).headers().firstValue("x-junction-cache")).hasValue("MISS");
        ConfigLoader loader = new ConfigLoader(io.junction.core.spi.ProviderRegistry.load(), n -> null);
        String server = "server: {host: 127.0.0.1, port: 0}\nledger: { type: none }\n";
        gw.server()
                .reload(load(
                        loader, server + CONFIG.replace("models:\n", "models:\n  other: { targets: [mock/echo] }\n")));
        assertThat(post(det, null).headers().firstValue("x-junction-cache")).hasValue("HIT");

        gw.server().reload(load(loader, server + CONFIG.replace("ttl: 10m", "ttl: 20m")));
        assertThat(post(det, null).headers().firstValue("x-junction-cache"))
                .as("a changed cache: section starts empty")
                .hasValue("MISS");
        assertThat(post(det, null).headers().firstValue("x-junction-cache")).hasValue("HIT");
    }

    private static String redisConfig(String url, String prefix, String ttl) {
        return """
                providers:
                  mock: { models: [echo] }
                models:
                  chat: { targets: [mock/echo] }
                cache: { enabled: true, ttl: %s, store: redis, url: "%s", prefix: %s, timeout_ms: 1000 }
                """.formatted(ttl, url, prefix);
    }

    /**
     * Two gateways sharing one Redis: an answer stored by one is a hit on the other (as JSON and as a
     * stream), and a reload that replaces the Redis client (a changed {@code cache:} section) still
     * finds the entries, which live in Redis. Needs {@code JUNCTION_TEST_REDIS_URL} (skipped without).
     */
    @Test
    void aRedisCacheIsSharedByTwoGatewaysAndOutlivesAReloadOfItsClient() throws Exception {
        String url = System.getenv("JUNCTION_TEST_REDIS_URL");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                url != null,
                "no Redis: run '. .ci/redis.sh' first (CI does); the shared response-cache test is SKIPPED");
        String prefix = "jt-http-" + Long.toHexString(System.nanoTime());
        gw = new TestGateway(redisConfig(url, prefix, "10m"));
        try (TestGateway other = new TestGateway(redisConfig(url, prefix, "10m"))) {
            awaitReady(gw);
            awaitReady(other);
            String det = body("chat", "shared through redis", "\"temperature\":0");
            HttpResponse<String> first = post(det, null);
            assertThat(first.headers().firstValue("x-junction-cache")).hasValue("MISS");
            // the write is fire-and-forget: wait until the other gateway sees it
            HttpResponse<String> hit = null;
            for (int i = 0; i < 100; i++) {
                hit = other.post("/v1/chat/completions", det, Map.of());
                if (hit.headers().firstValue("x-junction-cache").orElse("").equals("HIT")) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(hit.headers().firstValue("x-junction-cache")).hasValue("HIT");
            assertThat(parse(hit.body()).path("choices"))
                    .isEqualTo(parse(first.body()).path("choices"));
            HttpResponse<String> streamed = other.post(
                    "/v1/chat/completions",
                    body("chat", "shared through redis", "\"temperature\":0,\"stream\":true"),
                    Map.of());
            assertThat(streamed.headers().firstValue("x-junction-cache")).hasValue("HIT");
            assertThat(streamedText(streamed.body()))
                    .isEqualTo(
                            parse(first.body()).at("/choices/0/message/content").asText());
            assertThat(other.server().metrics().scrape()).contains("junction_cache_entries NaN");

            ConfigLoader loader = new ConfigLoader(io.junction.core.spi.ProviderRegistry.load(), n -> null);
            String server = "server: {host: 127.0.0.1, port: 0}\nledger: { type: none }\n";
            other.server().reload(load(loader, server + redisConfig(url, prefix, "20m")));
            awaitReady(other);
            assertThat(other.post("/v1/chat/completions", det, Map.of())
                            .headers()
                            .firstValue("x-junction-cache"))
                    .as("a new client, the same Redis entries")
                    .hasValue("HIT");
            assertThat(other.server().metrics().scrape())
                    .contains("junction_cache_errors_total{op=\"get\"} 0.0")
                    .contains("junction_cache_errors_total{op=\"put\"} 0.0");
        }
    }

    /** Until /ready says the cache's Redis is connected. */
    private static void awaitReady(TestGateway g) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String body;
        do {
            body = g.get("/ready", Map.of()).body();
            if (!body.contains("degraded")) {
                break;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        assertThat(body).contains("\"cache\":{\"ok\":true,\"detail\":\"redis 127.0.0.1:");
    }

    /** Redis down: every request is answered (a miss), errors are counted, /ready stays 200 and says why. */
    @Test
    void aRedisCacheThatIsDownNeverFailsARequest() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        gw = new TestGateway(redisConfig("redis://:hush@127.0.0.1:" + closed, "jt-down", "10m"));
        String det = body("chat", "redis is down", "\"temperature\":0");
        for (String params : List.of("\"temperature\":0", "\"temperature\":0,\"stream\":true")) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = post(body("chat", "redis is down", params), null);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("x-junction-cache")).hasValue("MISS");
            }
        }
        assertThat(post(det, null).statusCode()).isEqualTo(200);
        assertThat(upstreamCalls("mock", 5)).isEqualTo(5);
        assertThat(cacheCounter("miss")).isEqualTo(5);
        String metrics = gw.server().metrics().scrape();
        assertThat(metrics).contains("junction_cache_errors_total{op=\"get\"} 5.0");
        assertThat(metrics).contains("junction_cache_errors_total{op=\"put\"} 5.0");
        HttpResponse<String> ready = gw.get("/ready", Map.of());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body())
                .contains("\"cache\":{\"ok\":true,\"detail\":\"degraded")
                .contains("127.0.0.1:" + closed)
                .doesNotContain("hush");
    }

    private static io.junction.core.config.JunctionConfig load(ConfigLoader loader, String yaml) {
        return loader.load("reload.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }
}
