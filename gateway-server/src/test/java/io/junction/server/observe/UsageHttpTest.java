package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage accounting through an in-process gateway and a scripted OpenAI upstream: cost and overhead
 * in extra_fields and headers, estimation when no usage comes, the ledger behind /admin/usage, and
 * the metrics. Ledger and metric checks wait (bounded) for the call's record, which is written
 * after the client has its last byte.
 */
class UsageHttpTest {
    @TempDir
    static Path dir;

    private static ScriptedOpenAi upstream;
    private static TestGateway gw;
    private static final Map<String, String> KEY = Map.of("authorization", "Bearer sk-a");
    private static final Map<String, String> ADMIN = Map.of("authorization", "Bearer adm");

    @BeforeAll
    static void start() throws Exception {
        upstream = new ScriptedOpenAi();
        gw = new TestGateway("""
                keys:
                  - { key: sk-a, name: team-a }
                admin: { key: adm }
                providers:
                  oai: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: up, models: [gpt-4o-mini], retry: { max_retries: 0 } }
                  mock: { models: [echo] }
                pricing:
                  "mock/*": { input: 1.0, output: 2.0 }
                ledger: { type: sqlite, path: "%s", flush_interval_ms: 20 }
                """.formatted(
                        upstream.port(), dir.resolve("data/usage.db").toString().replace("\\", "/")));
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    private static String chat(String model, String text, boolean stream, boolean includeUsage) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]"
                + (stream ? ",\"stream\":true" : "")
                + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"tags\":[\"" + text.toLowerCase(java.util.Locale.ROOT) + "\"]}";
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** The /admin/usage row for {@code group} (grouped by tag), or null. */
    private static JsonNode tagRow(String tag) {
        try {
            JsonNode body = json(gw.get("/admin/usage?group_by=tag", ADMIN));
            for (JsonNode row : body.get("rows")) {
                if (row.get("group").asText().equals(tag)) {
                    return row;
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void nonStreamedAnswerCarriesCostAndOverheadInExtraFieldsAndHeaders() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", chat("oai/gpt-4o-mini", "plain", false, false), KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        // gpt-4o-mini (shipped): 800 x 0.15 + 200 x 0.075 + 100 x 0.60 per 1M
        double expected = 800 * 0.15e-6 + 200 * 0.075e-6 + 100 * 0.60e-6;
        assertThat(r.headers().firstValue("x-junction-cost-usd")).hasValue("0.000195");
        JsonNode ef = json(r).get("extra_fields");
        assertThat(ef.at("/cost/total").asDouble()).isCloseTo(expected, within(1e-12));
        assertThat(ef.at("/cost/input").asDouble()).isCloseTo(800 * 0.15e-6, within(1e-12));
        assertThat(ef.at("/cost/cached_input").asDouble()).isCloseTo(200 * 0.075e-6, within(1e-12));
        assertThat(ef.at("/cost/output").asDouble()).isCloseTo(100 * 0.60e-6, within(1e-12));
        assertThat(ef.get("usage_estimated").asBoolean()).isFalse();
        assertThat(ef.has("ttft_ms")).as("streams only").isFalse();
        long headerUs =
                Long.parseLong(r.headers().firstValue("x-junction-overhead-us").orElseThrow());
        assertThat(ef.get("overhead_us").asLong()).isBetween(0L, headerUs);
        assertThat(ef.get("attempts")).hasSize(1);
    }

    @Test
    void answerWithoutUsageIsEstimatedAndPriced() throws Exception {
        HttpResponse<String> r =
                gw.post("/v1/chat/completions", chat("oai/gpt-4o-mini", ScriptedOpenAi.NO_USAGE, false, false), KEY);
        JsonNode body = json(r);
        assertThat(body.has("usage"))
                .as("the provider's answer is relayed as sent")
                .isFalse();
        JsonNode ef = body.get("extra_fields");
        assertThat(ef.get("usage_estimated").asBoolean()).isTrue();
        assertThat(ef.at("/cost/output").asDouble())
                .as("2 tokens of 'hello world' at 0.60/1M")
                .isCloseTo(2 * 0.60e-6, within(1e-12));
        assertThat(ef.at("/cost/input").asDouble()).isPositive();
        await("the estimated ledger row", () -> tagRow("nousage") != null);
        JsonNode row = tagRow("nousage");
        assertThat(row.get("estimated_requests").asLong()).isEqualTo(1);
        assertThat(row.get("completion_tokens").asLong()).isEqualTo(2);
    }

    @Test
    void streamWithoutIncludeUsageStillRecordsTheProvidersUsage() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", chat("oai/gpt-4o-mini", "quiet", true, false), KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("hello").doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
        assertThat(upstream.bodies).anyMatch(b -> b.contains("quiet") && b.contains("\"include_usage\":true"));
        await("the ledger row", () -> tagRow("quiet") != null);
        JsonNode row = tagRow("quiet");
        assertThat(row.get("prompt_tokens").asLong()).isEqualTo(1000);
        assertThat(row.get("completion_tokens").asLong()).isEqualTo(100);
        assertThat(row.get("cached_tokens").asLong()).isEqualTo(200);
        assertThat(row.get("reasoning_tokens").asLong()).isEqualTo(40);
        assertThat(row.get("estimated_requests").asLong()).isZero();
        assertThat(row.get("cost_usd").asDouble()).isCloseTo(0.000195, within(1e-12));
    }

    @Test
    void streamWithIncludeUsageGetsCostAndTtftOnTheUsageChunk() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", chat("oai/gpt-4o-mini", "loud", true, true), KEY);
        String usageEvent = null;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {") && line.contains("\"usage\"")) {
                usageEvent = line.substring(6);
            }
        }
        assertThat(usageEvent).isNotNull();
        JsonNode ef = Json.MAPPER.readTree(usageEvent).get("extra_fields");
        assertThat(ef.at("/cost/total").asDouble()).isCloseTo(0.000195, within(1e-12));
        assertThat(ef.get("ttft_ms").asLong()).isNotNegative();
        assertThat(ef.get("overhead_us").asLong()).isNotNegative();
        assertThat(ef.get("usage_estimated").asBoolean()).isFalse();
    }

    @Test
    void streamWhoseProviderSendsNoUsageIsEstimatedFromWhatTheClientReceived() throws Exception {
        String marker = ScriptedOpenAi.NO_USAGE + "S";
        HttpResponse<String> r = gw.post("/v1/chat/completions", chat("oai/gpt-4o-mini", marker, true, true), KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        await("the estimated ledger row", () -> tagRow("nousages") != null);
        JsonNode row = tagRow("nousages");
        assertThat(row.get("estimated_requests").asLong()).isEqualTo(1);
        assertThat(row.get("completion_tokens").asLong())
                .as("'hello world' in o200k_base")
                .isEqualTo(2);
        assertThat(row.get("prompt_tokens").asLong()).isPositive();
    }

    @Test
    void unknownModelHasANullCostNoHeaderAndIsCounted() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", chat("oai/my-finetune", "ft", false, false), KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode ef = json(r).get("extra_fields");
        assertThat(ef.has("cost")).isTrue();
        assertThat(ef.get("cost").isNull()).isTrue();
        assertThat(r.headers().firstValue("x-junction-cost-usd")).isEmpty();
        String metrics = gw.get("/metrics", Map.of()).body();
        assertThat(metrics).contains("junction_cost_unknown_model_total{model=\"my-finetune\",provider=\"oai\"} 1.0");
    }

    @Test
    void metricsShowTokensCostLatenciesAndErrorTypes() throws Exception {
        gw.post("/v1/chat/completions", chat("mock/echo", "metered", true, false), KEY);
        gw.post("/v1/chat/completions", chat("mock/echo", "metered", false, false), Map.of());
        await("the mock call's tokens", () -> {
            try {
                return gw.get("/metrics", Map.of())
                        .body()
                        .contains(
                                "junction_tokens_total{key=\"all\",model=\"mock/echo\",provider=\"mock\",type=\"prompt\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String m = gw.get("/metrics", Map.of()).body();
        assertThat(m).contains("junction_cost_usd_total{key=\"all\",model=\"mock/echo\",provider=\"mock\"}");
        assertThat(m).contains("junction_time_to_first_token_seconds_count{provider=\"mock\"}");
        assertThat(m).contains("junction_inter_chunk_seconds_bucket{provider=\"mock\"");
        assertThat(m).contains("junction_overhead_seconds_count");
        assertThat(m).contains("junction_inflight_requests");
        assertThat(m)
                .contains(
                        "junction_requests_total{endpoint=\"chat.completions\",error_type=\"caller_auth\",model=\"none\","
                                + "provider=\"none\",status=\"401\"}");
        assertThat(m).contains("junction_ledger_dropped_total{reason=\"queue_full\"} 0.0");
        assertThat(m).containsPattern("netty_allocator_memory_used\\{");
    }

    @Test
    void theGrafanaDashboardOnlyQueriesMetricsJunctionPublishes() throws Exception {
        gw.post("/v1/chat/completions", chat("mock/echo", "dash", true, false), KEY);
        gw.post("/v1/chat/completions", chat("oai/unpriced-model", "dash", false, false), KEY);
        await("the dashboard call's tokens", () -> {
            try {
                return gw.get("/metrics", Map.of()).body().contains("junction_time_to_first_token_seconds_bucket");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String scrape = gw.get("/metrics", Map.of()).body();
        String dashboard = java.nio.file.Files.readString(Path.of("../docker/grafana/junction-dashboard.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b((?:junction|netty|jvm)_[a-z_]+)")
                .matcher(dashboard);
        int names = 0;
        while (m.find()) {
            String name = m.group(1);
            names++;
            if (name.equals("junction_circuit_state")) {
                continue; // rows appear once a breaker exists (RoutingPolicyHttpTest covers it)
            }
            assertThat(scrape).as("dashboard metric " + name).containsPattern("(?m)^" + name + "[{ ]");
        }
        assertThat(names).isGreaterThan(10);
    }

    @Test
    void oneAccessLogLinePerRequestAndTheTraceparentGoesUpstream() throws Exception {
        ch.qos.logback.classic.Logger access =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AccessLog.LOGGER);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try {
            String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            HttpResponse<String> r = gw.post(
                    "/v1/chat/completions",
                    chat("oai/gpt-4o-mini", "traced", false, false),
                    Map.of(
                            "authorization", "Bearer sk-a",
                            "traceparent", tp,
                            "user-agent", "usage-test/1.0",
                            "x-request-id", "req-traced"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(upstream.traceparents).contains(tp);
            await("the access log line", () -> lines.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("req-traced")));
            String line = lines.list.stream()
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(l -> l.contains("req-traced"))
                    .findFirst()
                    .orElseThrow();
            JsonNode j = Json.MAPPER.readTree(line);
            assertThat(j.get("key").asText()).isEqualTo("team-a");
            assertThat(j.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(j.get("user_agent").asText()).isEqualTo("usage-test/1.0");
            assertThat(j.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(j.get("prompt_tokens").asInt()).isEqualTo(1000);
            assertThat(j.get("cost_usd").asDouble()).isCloseTo(0.000195, within(1e-12));
            assertThat(line).doesNotContain("sk-a").doesNotContain("traced\"}]").doesNotContain("hello world");
            assertThat(lines.list.stream().filter(e -> e.getFormattedMessage().contains("req-traced")))
                    .hasSize(1);
        } finally {
            access.detachAppender(lines);
        }
    }

    @Test
    void adminUsageNeedsTheAdminKeyAndSpeaksCsv() throws Exception {
        assertThat(gw.get("/admin/usage", Map.of()).statusCode()).isEqualTo(401);
        assertThat(gw.get("/admin/usage", KEY).statusCode()).isEqualTo(401);
        HttpResponse<String> bad = gw.get("/admin/usage?group_by=colour", ADMIN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).at("/error/param").asText()).isEqualTo("group_by");
        gw.post("/v1/chat/completions", chat("oai/gpt-4o-mini", "csv", false, false), KEY);
        await("the csv row", () -> tagRow("csv") != null);
        HttpResponse<String> csv = gw.get("/admin/usage.csv?group_by=key", ADMIN);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/csv"));
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0])
                .isEqualTo("group,requests,prompt_tokens,completion_tokens,cached_tokens,cache_write_tokens,"
                        + "reasoning_tokens,cost_usd,estimated_requests,unpriced_requests,failed_requests,cache_hits");
        assertThat(lines).anyMatch(l -> l.startsWith("team-a,"));
        JsonNode byKey = json(gw.get("/admin/usage?group_by=key", ADMIN));
        assertThat(byKey.get("object").asText()).isEqualTo("usage_report");
        assertThat(byKey.get("group_by").asText()).isEqualTo("key");
        assertThat(byKey.at("/totals/requests").asLong()).isPositive();
    }
}
