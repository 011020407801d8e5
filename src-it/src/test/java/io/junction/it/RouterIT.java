package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router against a faulty upstream: same-target retries with backoff and Retry-After, the TTFT
 * deadline, and the request deadline — each test counts the upstream calls it caused.
 */
class RouterIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String TEXT_JSON = "openai/chat-completion.text.json";
    private static final String TOOL_SSE = "openai/chat-completion.tool-calls.stream.sse";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        String extra = """
                  retrier: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-r, read_timeout_ms: 5000, retry: { max_retries: 1, initial_backoff_ms: 50, max_backoff_ms: 50 } }
                """.formatted(upstream.port());
        junction = JunctionProcess.start("router", port -> Configs.standard(port, upstream.port(), extra));
    }

    @AfterAll
    static void stop() {
        try {
            if (junction != null) {
                junction.close();
            }
        } finally {
            upstream.stop();
        }
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
    }

    private static HttpResponse<String> chat(String json, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + junction.port() + CHAT))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + Configs.KEY)
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String ask(String model, boolean stream) {
        return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"route me\"}]}";
    }

    @Test
    void a503ThenSuccessIsRetriedOnTheSameTarget() throws Exception {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .inScenario("flap")
                .whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withBody("{\"error\":{\"message\":\"busy\"}}"))
                .willSetStateTo("recovered"));
        upstream.stubFor(post(urlEqualTo(CHAT))
                .inScenario("flap")
                .whenScenarioStateIs("recovered")
                .willReturn(okJson(Fixtures.text(TEXT_JSON))));

        HttpResponse<String> r = chat(ask("retrier/gpt-4.1-nano", false));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-junction-provider")).hasValue("retrier");
        assertThat(r.headers().firstValue("x-junction-attempt-log"))
                .hasValue("retrier/gpt-4.1-nano 503, retrier/gpt-4.1-nano 200");
        upstream.verify(exactly(2), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void retryAfterIsWaitedForBeforeTheRetry() throws Exception {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .inScenario("limited")
                .whenScenarioStateIs(STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("retry-after-ms", "400")
                        .withBody("{\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limit_error\"}}"))
                .willSetStateTo("ok"));
        upstream.stubFor(post(urlEqualTo(CHAT))
                .inScenario("limited")
                .whenScenarioStateIs("ok")
                .willReturn(okJson(Fixtures.text(TEXT_JSON))));

        assertThat(chat(ask("retrier/gpt-4.1-nano", false)).statusCode()).isEqualTo(200);

        List<LoggedRequest> calls = upstream.findAll(postRequestedFor(urlEqualTo(CHAT)));
        assertThat(calls).hasSize(2);
        long gapMs = calls.get(1).getLoggedDate().getTime()
                - calls.get(0).getLoggedDate().getTime();
        assertThat(gapMs)
                .as("the retry waited for Retry-After (400 ms), not the 50 ms backoff")
                .isGreaterThanOrEqualTo(380);
    }

    @Test
    void aFirstByteSlowerThanMaxTtftFailsOverToTheFallback() throws Exception {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withHeader("content-type", "text/event-stream")
                        .withBody(Fixtures.text(TOOL_SSE))
                        .withFixedDelay(3000)));
        String body = ask("up/gpt-4o-mini", true)
                .replace(
                        "\"stream\"",
                        "\"max_ttft_ms\":300,\"fallbacks\":[\"mock/echo\"],\"stream_options\":{\"include_usage\":true},\"stream\"");
        long t0 = System.nanoTime();
        HttpResponse<String> r = chat(body);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ms)
                .as("answered by the fallback well before the slow upstream's 3 s")
                .isLessThan(2500);
        assertThat(r.body())
                .contains("\"model\":\"echo\"")
                .contains("\"content\":\"route\"")
                .endsWith("data: [DONE]\n\n");
        JsonNode usageChunk = Fixtures.parse(lastData(r.body()));
        JsonNode attempts = usageChunk.at("/extra_fields/attempts");
        assertThat(attempts.get(0).get("target").asText()).isEqualTo("up/gpt-4o-mini");
        assertThat(attempts.get(0).get("error_code").asText()).isEqualTo("ttft_timeout");
        awaitUpstreamCalls(1, 5000);
    }

    @Test
    void anUpstreamThatNeverAnswersIsBoundedByTheRequestDeadline() throws Exception {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(okJson(Fixtures.text(TEXT_JSON)).withFixedDelay(4000)));
        long t0 = System.nanoTime();
        HttpResponse<String> r = chat(ask("up/gpt-4o-mini", false), "x-junction-timeout-ms", "500");
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(Fixtures.parse(r.body()).at("/error/code").asText()).isEqualTo("request_timeout");
        assertThat(ms).isBetween(400L, 3000L);
        awaitUpstreamCalls(1, 6000);
    }

    /**
     * WireMock logs a request with a fixed delay only when that delay is over (even if the client left),
     * so wait, bounded, for it to show up before counting; else it would land in the next test.
     */
    private static void awaitUpstreamCalls(int expected, long maxMs) throws InterruptedException {
        long deadline = System.nanoTime() + maxMs * 1_000_000;
        while (upstream.findAll(postRequestedFor(urlEqualTo(CHAT))).size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        upstream.verify(exactly(expected), postRequestedFor(urlEqualTo(CHAT)));
    }

    /** The payload of the last {@code data:} event before {@code [DONE]}. */
    private static String lastData(String sse) {
        String[] events = sse.split("\n\n");
        return events[events.length - 2].substring("data: ".length());
    }
}
