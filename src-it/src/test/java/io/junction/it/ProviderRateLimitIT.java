package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-provider rate limits end to end: upstream A says in its headers that it has no requests left
 * for 30 s, so the next request goes straight to upstream B and A sees nothing more; a model whose
 * only target is spent is answered 429 with Retry-After without calling the provider.
 */
class ProviderRateLimitIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String ADMIN = "admin-ratelimit";

    static WireMockServer a;
    static WireMockServer b;
    static JunctionProcess junction;

    @BeforeAll
    static void start() {
        a = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        a.start();
        b = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        b.start();
        // A's last request of its window: 200, with the OpenAI-style headers saying so
        a.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("content-type", "application/json")
                        .withHeader("x-ratelimit-limit-requests", "100")
                        .withHeader("x-ratelimit-remaining-requests", "0")
                        .withHeader("x-ratelimit-reset-requests", "30s")
                        .withHeader("x-ratelimit-limit-tokens", "40000")
                        .withHeader("x-ratelimit-remaining-tokens", "39000")
                        .withHeader("x-ratelimit-reset-tokens", "1.5s")
                        .withBody(Fixtures.text("openai/chat-completion.text.json"))));
        b.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("content-type", "application/json")
                        .withBody(Fixtures.text("openai/chat-completion.text.json"))));
        String extra = """
                  pa: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-a, retry: { max_retries: 0 } }
                  pb: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-b, retry: { max_retries: 0 } }
                """.formatted(a.port(), b.port());
        junction = JunctionProcess.start(
                "ratelimit",
                port -> Configs.standard(port, b.port(), extra)
                        + "  pair: { targets: [pa/gpt-4o-mini, pb/gpt-4o-mini] }\n"
                        + "admin: { key: " + ADMIN + " }\n");
    }

    @AfterAll
    static void stop() {
        try {
            if (junction != null) {
                junction.close();
            }
        } finally {
            a.stop();
            b.stop();
        }
    }

    private static HttpResponse<String> chat(String model) {
        return Clients.postJson(
                junction,
                CHAT,
                Configs.KEY,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void aProviderWithNoRequestsLeftIsSkippedUntilItsResetWithoutBeingCalled() throws Exception {
        HttpResponse<String> first = chat("pair");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-junction-provider")).hasValue("pa");

        HttpResponse<String> second = chat("pair");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("x-junction-provider")).hasValue("pb");
        assertThat(second.headers().firstValue("x-junction-attempt-log"))
                .hasValue("pa/gpt-4o-mini 429, pb/gpt-4o-mini 200");
        JsonNode attempts = Fixtures.JSON.readTree(second.body()).at("/extra_fields/attempts");
        assertThat(attempts.get(0).get("error_code").asText()).isEqualTo("provider_rate_limited");
        assertThat(attempts.get(0).get("latency_ms").asLong()).isZero();

        // the only target spent: 429 with Retry-After, nothing sent
        HttpResponse<String> alone = chat("pa/gpt-4o-mini");
        assertThat(alone.statusCode()).isEqualTo(429);
        JsonNode error = Fixtures.JSON.readTree(alone.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.get("type").asText()).isEqualTo("rate_limit_error");
        assertThat(alone.headers().firstValue("retry-after").map(Long::parseLong))
                .hasValueSatisfying(
                        s -> assertThat(s).as("time left of A's 30 s").isBetween(1L, 30L));

        a.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
        b.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));

        JsonNode routes = Fixtures.JSON.readTree(
                Clients.get(junction, "/admin/routes", ADMIN).body());
        JsonNode row = routes.get("rate_limits").get(0);
        assertThat(row.get("target").asText()).isEqualTo("pa/gpt-4o-mini");
        assertThat(row.get("remaining_requests").asLong()).isZero();
        assertThat(row.get("limit_requests").asLong()).isEqualTo(100);
        assertThat(row.get("requests_reset_ms").asLong()).isBetween(1L, 30_000L);
        assertThat(row.get("remaining_tokens").asLong()).isEqualTo(39_000);
        assertThat(row.get("skipped_for_ms").asLong()).isBetween(1L, 30_000L);

        String scrape = Clients.get(junction, "/metrics", null).body();
        assertThat(Metrics.value(scrape, "junction_provider_ratelimit_skips_total", Map.of("provider", "pa")))
                .isEqualTo(2.0);
    }
}
