package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Budgets and rate limits through the built jar (memory limits store): a spent budget is refused
 * before anything goes upstream, rpm caps answer 429 with OpenAI's rate-limit headers (also on
 * streams), and a team's cap is shared by its keys.
 */
class GovernanceIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String BUDGET_KEY = "sk-budget";
    private static final String RPM_KEY = "sk-rpm";
    private static final String TEAM_A = "sk-team-a";
    private static final String TEAM_B = "sk-team-b";

    static WireMockServer upstream;
    static JunctionProcess junction;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        // a recorded OpenAI answer: 16 prompt + 363 completion tokens
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(Fixtures.text("openai/chat-completion.text.json"))));
        junction = JunctionProcess.start(
                "governance", port -> """
                server: { host: 127.0.0.1, port: %d, extra_fields: true }
                teams:
                  research: { limits: { rpm: 2 } }
                keys:
                  - { key: %s, name: budget-bot, models: ["up/*"], budget: { usd: 0.001, period: 1d } }
                  - { key: %s, name: rpm-bot, limits: { rpm: 3 } }
                  - { key: %s, name: team-a, team: research }
                  - { key: %s, name: team-b, team: research }
                  - { key: sk-conc, name: conc-bot, limits: { concurrent: 1 } }
                providers:
                  paced: { type: mock, models: [echo], chunk_delay_ms: 100 }
                  up:   { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-up, models: [gpt-4o-mini], retry: { max_retries: 0 } }
                  mock: { type: mock, models: [echo] }
                pricing:
                  "up/*": { input: 10, output: 10 }
                ledger: { type: none }
                """.formatted(port, BUDGET_KEY, RPM_KEY, TEAM_A, TEAM_B, upstream.port()));
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

    private static HttpResponse<String> chat(String key, String model, boolean stream) {
        return Clients.postJson(
                junction,
                CHAT,
                key,
                "{\"model\":\"" + model + "\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}");
    }

    private static JsonNode error(HttpResponse<String> r) {
        return Fixtures.parse(r.body()).path("error");
    }

    @Test
    void aSpentBudgetIsRefusedBeforeAnyUpstreamCall() throws InterruptedException {
        HttpResponse<String> first = chat(BUDGET_KEY, "up/gpt-4o-mini", false);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        // 379 tokens at $10 per 1M = $0.00379, over the $0.001 budget; charged when the call ends
        assertThat(first.headers().firstValue("x-junction-cost-usd")).hasValue("0.00379");
        upstream.verify(1, postRequestedFor(urlEqualTo(CHAT)));
        Thread.sleep(100); // the charge lands just after the response bytes leave

        HttpResponse<String> refused = chat(BUDGET_KEY, "up/gpt-4o-mini", false);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(error(refused).path("code").asText()).isEqualTo("budget_exceeded");
        assertThat(error(refused).path("message").asText())
                .contains("key 'budget-bot'")
                .contains("$0.0038 spent of $0.00 this 1d period");
        long retryAfter =
                Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 86_400L);
        // refused before routing: the upstream saw nothing more
        upstream.verify(1, postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void rpmCapAnswers429WithOpenAiRateLimitHeadersOnJsonAndStreams() {
        List<String> remaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = chat(RPM_KEY, "mock/echo", i == 1);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
            assertThat(ok.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
            remaining.add(
                    ok.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
            if (i == 1) {
                assertThat(ok.headers().firstValue("content-type").orElseThrow())
                        .startsWith("text/event-stream");
                assertThat(ok.body()).contains("data: [DONE]");
            }
        }
        assertThat(remaining).containsExactly("2", "1", "0");
        HttpResponse<String> refused = chat(RPM_KEY, "mock/echo", true);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(error(refused).path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error(refused).path("message").asText()).contains("3 requests per minute");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests"))
                .hasValue("0");
    }

    @Test
    void aTeamCapIsSharedByItsKeys() {
        assertThat(chat(TEAM_A, "mock/echo", false).statusCode()).isEqualTo(200);
        assertThat(chat(TEAM_B, "mock/echo", false).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = chat(TEAM_B, "mock/echo", false);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(error(refused).path("message").asText()).contains("team 'research'");
        String metrics = Clients.get(junction, "/metrics", null).body();
        assertThat(metrics).contains("junction_limit_rejections_total{limit=\"requests\",scope=\"team\"} 1.0");
    }

    @Test
    void aConcurrencyCapRefusesASecondCallWhileTheFirstRunsAndFreesItsLeaseAfter() throws Exception {
        // a stream of 8 words, one every 100 ms: once its first word arrived, it holds the key's one slot
        String slow = "{\"model\":\"paced/echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"a b c d e f g h\"}]}";
        try (RawHttp stream = new RawHttp(junction.port())) {
            stream.write(RawHttp.post(junction.port(), CHAT, "sk-conc", slow, null));
            stream.readUntil("\"content\":\"a");
            HttpResponse<String> second = chat("sk-conc", "mock/echo", false);
            assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
            assertThat(error(second).path("code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(error(second).path("message").asText()).contains("at most 1 at once");
            stream.readUntil("data: [DONE]");
        }
        // the lease is given back as the stream ends (just after its last bytes leave: allow a moment)
        HttpResponse<String> after = chat("sk-conc", "mock/echo", false);
        for (int i = 0; i < 20 && after.statusCode() == 429; i++) {
            Thread.sleep(50);
            after = chat("sk-conc", "mock/echo", false);
        }
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    @Test
    void spendSurvivesARestartThroughTheUsageLedger() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("junction-governance-it");
        String ledger = dir.resolve("usage.db").toString().replace("\\", "/");
        java.util.function.IntFunction<String> config = port -> """
                server: { host: 127.0.0.1, port: %d }
                keys:
                  - { key: sk-restart, name: restart-bot, budget: { usd: 0.001, period: month } }
                providers:
                  up: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-up, retry: { max_retries: 0 } }
                pricing:
                  "up/*": { input: 10, output: 10 }
                ledger: { type: sqlite, path: "%s", flush_interval_ms: 100 }
                """.formatted(port, upstream.port(), ledger);
        int before = upstream.countRequestsMatching(
                        postRequestedFor(urlEqualTo(CHAT)).build())
                .getCount();
        try (JunctionProcess first = JunctionProcess.start("governance-restart-1", config)) {
            HttpResponse<String> ok = Clients.postJson(
                    first,
                    CHAT,
                    "sk-restart",
                    "{\"model\":\"up/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        } // SIGTERM: the ledger is flushed before exit
        try (JunctionProcess second = JunctionProcess.start("governance-restart-2", config)) {
            HttpResponse<String> refused = Clients.postJson(
                    second,
                    CHAT,
                    "sk-restart",
                    "{\"model\":\"up/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(error(refused).path("code").asText()).isEqualTo("budget_exceeded");
            assertThat(second.log()).contains("spend of 1 key/team scope(s) restored from the usage ledger");
        }
        assertThat(upstream.countRequestsMatching(
                                postRequestedFor(urlEqualTo(CHAT)).build())
                        .getCount())
                .isEqualTo(before + 1);
    }
}
