package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Router policy over HTTP with built-in mocks: deadlines, keep-alives, header controls, breakers, admin. */
class RoutingPolicyHttpTest {
    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = new TestGateway("""
                server: { host: 127.0.0.1, port: 0, stream_keepalive_ms: 100 }
                admin: { key: admin-secret }
                providers:
                  mock: {}
                  slow: { type: mock, first_token_delay_ms: 450 }
                  down:
                    type: mock
                    fail_status: 503
                    retry: { max_retries: 0 }
                    circuit_breaker: { consecutive_failures: 2, cooldown_ms: 60000 }
                  capped: { type: mock, limits: { rpm: 1 } }
                ab_campaigns:
                  launch: { arms: [ { name: old, model: mock/echo, weight: 1 }, { name: new, model: mock/echo-2, weight: 1 } ] }
                models:
                  patient: { targets: [slow/x] }
                  impatient: { targets: [slow/x, mock/echo], ttft_timeout_ms: 150 }
                """);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";
    }

    @Test
    void aSlowFirstTokenGetsSseKeepAlivesThenTheAnswer() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", body("patient", true));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith(": ping\n\n");
        assertThat(r.body().split(": ping\n\n", -1).length - 1)
                .as("pings at 100 ms while waiting ~450 ms")
                .isBetween(2, 5);
        assertThat(r.body()).contains("\"content\":\"hi\"").endsWith("data: [DONE]\n\n");
        int lastPing = r.body().lastIndexOf(": ping");
        assertThat(lastPing)
                .as("no ping after the first data event")
                .isLessThan(r.body().indexOf("data: "));
    }

    @Test
    void theAliasTtftDeadlineFailsOverToTheNextTarget() throws Exception {
        String withUsage = body("impatient", true)
                .replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        HttpResponse<String> r = gw.post("/v1/chat/completions", withUsage);
        assertThat(r.statusCode()).isEqualTo(200);
        // A keep-alive (every 100 ms) may already have sent the headers naming the first target; the
        // chunks and the final extra_fields say who answered.
        assertThat(r.body()).contains("\"model\":\"echo\"").doesNotContain("\"model\":\"x\"");
        assertThat(r.body()).contains("\"extra_fields\":{\"provider\":\"mock\"").endsWith("data: [DONE]\n\n");
        assertThat(r.body()).contains("\"error_code\":\"ttft_timeout\"");
    }

    @Test
    void maxTtftMsInTheBodyAndInAHeader() throws Exception {
        String withBody = body("slow/x", true)
                .replace("\"stream\"", "\"max_ttft_ms\":100,\"fallbacks\":[\"mock/echo\"],\"stream\"");
        HttpResponse<String> r = gw.post("/v1/chat/completions", withBody);
        assertThat(r.body()).contains("\"model\":\"echo\"").doesNotContain("\"model\":\"x\"");
        HttpResponse<String> h = gw.post(
                "/v1/chat/completions",
                body("slow/x", true),
                Map.of("x-junction-max-ttft-ms", "100", "x-junction-fallbacks", "mock/echo"));
        assertThat(h.body())
                .contains("\"model\":\"echo\"")
                .doesNotContain("\"model\":\"x\"")
                .endsWith("data: [DONE]\n\n");
    }

    @Test
    void aHedgedCallIsAnsweredByTheFasterTarget() throws Exception {
        String body = "{\"model\":\"slow/x\",\"fallbacks\":[\"mock/echo\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"race\"}]}";
        long t0 = System.nanoTime();
        HttpResponse<String> r = gw.post("/v1/chat/completions", body, Map.of("x-junction-hedge", "50"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-junction-provider")).hasValue("mock");
        assertThat(ms).as("well before the slow target's 450 ms").isLessThan(400);
        JsonNode attempts = Json.MAPPER.readTree(r.body()).at("/extra_fields/attempts");
        assertThat(attempts.findValuesAsText("error_code")).contains("hedge_lost");
    }

    @Test
    void aRequestTimeoutHeaderBoundsTheCall() throws Exception {
        HttpResponse<String> r =
                gw.post("/v1/chat/completions", body("slow/x", false), Map.of("x-junction-timeout-ms", "100"));
        assertThat(r.statusCode()).isEqualTo(504);
        JsonNode e = Json.MAPPER.readTree(r.body());
        assertThat(e.at("/error/code").asText()).isEqualTo("request_timeout");
        HttpResponse<String> bad =
                gw.post("/v1/chat/completions", body("slow/x", false), Map.of("x-junction-timeout-ms", "soon"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(bad.body()).at("/error/param").asText()).isEqualTo("x-junction-timeout-ms");
    }

    @Test
    void aProviderAtItsConfiguredRpmIsSkippedAndAloneItIs429WithRetryAfter() throws Exception {
        String model = "{\"model\":\"capped/x\",\"fallbacks\":[\"mock/echo\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        HttpResponse<String> first = gw.post("/v1/chat/completions", model);
        assertThat(first.headers().firstValue("x-junction-provider")).hasValue("capped");
        HttpResponse<String> second = gw.post("/v1/chat/completions", model);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("x-junction-provider")).hasValue("mock");
        JsonNode attempts = Json.MAPPER.readTree(second.body()).at("/extra_fields/attempts");
        assertThat(attempts.get(0).get("target").asText()).isEqualTo("capped/x");
        assertThat(attempts.get(0).get("error_code").asText()).isEqualTo("provider_rate_limited");

        HttpResponse<String> alone = gw.post("/v1/chat/completions", body("capped/x", false));
        assertThat(alone.statusCode()).isEqualTo(429);
        assertThat(Json.MAPPER.readTree(alone.body()).at("/error/code").asText())
                .isEqualTo("rate_limit_exceeded");
        assertThat(alone.headers().firstValue("retry-after").map(Long::parseLong))
                .hasValueSatisfying(s -> assertThat(s).isBetween(1L, 60L));

        JsonNode routes = Json.MAPPER.readTree(gw.get("/admin/routes", Map.of("authorization", "Bearer admin-secret"))
                .body());
        JsonNode local = routes.get("local_limits");
        assertThat(local.findValuesAsText("provider")).containsExactly("capped");
        assertThat(local.get(0).get("rpm").asLong()).isEqualTo(1);
        assertThat(local.get(0).get("requests_last_60s").asLong()).isEqualTo(1);
        assertThat(routes.get("rate_limits").isArray()).isTrue();
        assertThat(gw.get("/metrics", Map.of()).body())
                .contains("junction_provider_ratelimit_skips_total{provider=\"capped\"} 2.0");
    }

    @Test
    void aFailingTargetOpensItsBreakerWhichShowsInAdminAndMetrics() throws Exception {
        String model =
                "{\"model\":\"down/x\",\"fallbacks\":[\"mock/echo\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        for (int i = 0; i < 2; i++) {
            assertThat(gw.post("/v1/chat/completions", model).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> skipped = gw.post("/v1/chat/completions", model);
        assertThat(skipped.statusCode()).isEqualTo(200);
        JsonNode attempts = Json.MAPPER.readTree(skipped.body()).at("/extra_fields/attempts");
        assertThat(attempts.get(0).get("error_code").asText()).isEqualTo("circuit_open");
        assertThat(attempts.get(0).get("latency_ms").asLong()).isZero();

        assertThat(gw.get("/admin/routes", Map.of()).statusCode()).isEqualTo(401);
        assertThat(gw.get("/admin/routes", Map.of("authorization", "Bearer nope"))
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> routes = gw.get("/admin/routes", Map.of("authorization", "Bearer admin-secret"));
        assertThat(routes.statusCode()).isEqualTo(200);
        JsonNode circuits = Json.MAPPER.readTree(routes.body()).get("circuits");
        assertThat(circuits.findValuesAsText("target")).contains("down/x", "mock/echo");
        for (JsonNode c : circuits) {
            if (c.get("target").asText().equals("down/x")) {
                assertThat(c.get("state").asText()).isEqualTo("open");
            }
        }
        String metrics = gw.get("/metrics", Map.of()).body();
        assertThat(metrics).contains("junction_circuit_state{target=\"down/x\"} 1.0");
        assertThat(metrics).contains("junction_upstream_attempts_total{outcome=\"skipped\",provider=\"down\"}");
        assertThat(metrics).containsPattern("junction_fallbacks_total [1-9]");
    }

    @Test
    void anAbCampaignPicksAStickyArmAndReportsIt() throws Exception {
        String body = "{\"model\":\"mock/echo\",\"ab_campaign\":\"launch\",\"session_id\":\"s-42\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        JsonNode first =
                Json.MAPPER.readTree(gw.post("/v1/chat/completions", body).body());
        String arm = first.at("/extra_fields/ab_arm").asText();
        assertThat(arm).isIn("old", "new");
        assertThat(first.at("/model").asText()).isEqualTo(arm.equals("old") ? "echo" : "echo-2");
        for (int i = 0; i < 5; i++) {
            JsonNode again =
                    Json.MAPPER.readTree(gw.post("/v1/chat/completions", body).body());
            assertThat(again.at("/extra_fields/ab_arm").asText()).isEqualTo(arm);
        }
        assertThat(gw.get("/metrics", Map.of()).body())
                .containsPattern("junction_ab_assignments_total\\{arm=\"" + arm + "\",campaign=\"launch\"} [6-9]");
        HttpResponse<String> unknown = gw.post("/v1/chat/completions", body.replace("launch", "nope"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(unknown.body()).at("/error/param").asText())
                .isEqualTo("ab_campaign");
    }

    @Test
    void providerPreferencesAreValidatedAndApplied() throws Exception {
        String body = "{\"model\":\"impatient\",\"provider\":{\"only\":[\"mock\"]},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-junction-attempt-log")).hasValue("mock/echo 200");
        HttpResponse<String> bad = gw.post("/v1/chat/completions", body.replace("[\"mock\"]", "[\"mock\",\"azure\"]"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(bad.body()).at("/error/param").asText()).isEqualTo("provider.only[1]");
    }

    @Test
    void systemPromptArgsMissingAValueIs400() throws Exception {
        String body = "{\"model\":\"mock/echo\",\"system_prompt_args\":{\"a\":\"1\"},"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"{{a}} and {{b}}\"},{\"role\":\"user\",\"content\":\"x\"}]}";
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(r.body()).at("/error/param").asText()).isEqualTo("system_prompt_args.b");
    }

    @Test
    void adminIsRefusedWhenNoAdminKeyIsConfigured() throws Exception {
        try (TestGateway plain = new TestGateway("providers:\n  mock: {}\n")) {
            HttpResponse<String> r = plain.get("/admin/routes", Map.of("authorization", "Bearer anything"));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(Json.MAPPER.readTree(r.body()).at("/error/code").asText())
                    .isEqualTo("admin_disabled");
        }
    }
}
