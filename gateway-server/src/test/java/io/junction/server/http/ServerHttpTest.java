package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP surface of an in-process server, with built-in mock providers only (no network beyond loopback). */
class ServerHttpTest {
    private static TestGateway gw;
    private static final String HELLO =
            "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";
    private static final Map<String, String> KEY_A = Map.of("authorization", "Bearer sk-a");

    @BeforeAll
    static void start() throws Exception {
        gw = new TestGateway("""
                server: { host: 127.0.0.1, port: 0, max_body_bytes: 2048 }
                keys:
                  - { key: sk-a, name: a, models: ["*"] }
                  - { key: sk-mock-only, name: limited, models: ["mock/*"] }
                providers:
                  mock: { models: [echo] }
                  down: { type: mock, fail_status: 503 }
                  picky: { type: mock, fail_status: 400 }
                models:
                  resilient: { targets: [down/x, mock/echo] }
                  strict: { targets: [picky/x, mock/echo] }
                """);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void answersAndEchoesTheRequestId() throws Exception {
        HttpResponse<String> r = gw.post(
                "/v1/chat/completions", HELLO, Map.of("authorization", "Bearer sk-a", "x-request-id", "my-req-1"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).hasValue("my-req-1");
        JsonNode body = json(r);
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("hi there");
        assertThat(body.at("/extra_fields/provider").asText()).isEqualTo("mock");
        assertThat(body.at("/extra_fields/model_requested").asText()).isEqualTo("mock/echo");
        HttpResponse<String> r2 = gw.post("/v1/chat/completions", HELLO, KEY_A);
        assertThat(r2.headers().firstValue("x-request-id"))
                .hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    }

    @Test
    void authMissingWrongAndForbidden() throws Exception {
        HttpResponse<String> none = gw.post("/v1/chat/completions", HELLO);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(gw.post("/v1/chat/completions", HELLO, Map.of("authorization", "Bearer sk-wrong"))
                        .statusCode())
                .isEqualTo(401);
        String toResilient = HELLO.replace("mock/echo", "resilient");
        HttpResponse<String> forbidden =
                gw.post("/v1/chat/completions", toResilient, Map.of("authorization", "Bearer sk-mock-only"));
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).at("/error/type").asText()).isEqualTo("permission_error");
        String withFallback = HELLO.replace("\"messages\"", "\"fallbacks\":[\"resilient\"],\"messages\"");
        HttpResponse<String> fb =
                gw.post("/v1/chat/completions", withFallback, Map.of("authorization", "Bearer sk-mock-only"));
        assertThat(fb.statusCode()).isEqualTo(403);
        assertThat(json(fb).at("/error/param").asText()).isEqualTo("fallbacks[0]");
    }

    @Test
    void retryableFailureFallsOverToTheNextTarget() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", HELLO.replace("mock/echo", "resilient"), KEY_A);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-junction-provider")).hasValue("mock");
        // the default retry policy (max_retries: 1) tries the failing target once more first
        assertThat(r.headers().firstValue("x-junction-attempts")).hasValue("3");
        assertThat(r.headers().firstValue("x-junction-attempt-log")).hasValue("down/x 503, down/x 503, mock/echo 200");
        JsonNode attempts = json(r).at("/extra_fields/attempts");
        assertThat(attempts).hasSize(3);
        assertThat(attempts.get(0).get("target").asText()).isEqualTo("down/x");
        assertThat(attempts.get(0).get("status").asInt()).isEqualTo(503);
        assertThat(attempts.get(0).get("error_code").asText()).isEqualTo("mock_failure");
        assertThat(attempts.get(2).get("target").asText()).isEqualTo("mock/echo");
    }

    @Test
    void nonRetryableProviderErrorIsReturnedAsIs() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", HELLO.replace("mock/echo", "strict"), KEY_A);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("x-junction-attempts")).hasValue("1");
        assertThat(json(r).at("/error/message").asText()).contains("configured to fail with 400");
    }

    @Test
    void requestFallbacksAreTriedAfterTheModel() throws Exception {
        String body = HELLO.replace("mock/echo", "down/x")
                .replace("\"messages\"", "\"fallbacks\":[\"mock/echo\"],\"messages\"");
        HttpResponse<String> r = gw.post("/v1/chat/completions", body, KEY_A);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-junction-attempt-log")).hasValue("down/x 503, down/x 503, mock/echo 200");
    }

    @Test
    void unknownModelAndUnknownFallback() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", HELLO.replace("mock/echo", "gpt-9"), KEY_A);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).at("/error/code").asText()).isEqualTo("model_not_found");
        String body = HELLO.replace("\"messages\"", "\"fallbacks\":[\"nope\"],\"messages\"");
        HttpResponse<String> f = gw.post("/v1/chat/completions", body, KEY_A);
        assertThat(f.statusCode()).isEqualTo(400);
        assertThat(json(f).at("/error/param").asText()).isEqualTo("fallbacks[0]");
    }

    @Test
    void validationErrorNamesTheParam() throws Exception {
        HttpResponse<String> r =
                gw.post("/v1/chat/completions", HELLO.replace("\"messages\"", "\"top_p\":7,\"messages\""), KEY_A);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).at("/error/param").asText()).isEqualTo("top_p");
        HttpResponse<String> bad = gw.post("/v1/chat/completions", "{\"model\":", KEY_A);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void bodyOverTheLimitIs413WithAnOpenAiBody() throws Exception {
        String big = HELLO.replace("hi there", "x".repeat(4000));
        HttpResponse<String> r = gw.post("/v1/chat/completions", big, KEY_A);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).at("/error/code").asText()).isEqualTo("request_too_large");
        HttpRequest expect = HttpRequest.newBuilder(gw.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .expectContinue(true)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big))
                .build();
        HttpResponse<String> r2 = gw.client().send(expect, HttpResponse.BodyHandlers.ofString());
        assertThat(r2.statusCode()).isEqualTo(413);
        assertThat(json(r2).at("/error/code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void contentTypeMethodAndPath() throws Exception {
        HttpResponse<String> r = gw.post(
                "/v1/chat/completions", HELLO, Map.of("content-type", "text/plain", "authorization", "Bearer sk-a"));
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(gw.post(
                                "/v1/chat/completions",
                                HELLO,
                                Map.of(
                                        "content-type",
                                        "application/json; charset=utf-8",
                                        "authorization",
                                        "Bearer sk-a"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.get("/v1/chat/completions", KEY_A).statusCode()).isEqualTo(405);
        HttpResponse<String> nf = gw.get("/v2/nothing", Map.of());
        assertThat(nf.statusCode()).isEqualTo(404);
        assertThat(json(nf).at("/error/message").asText()).contains("/v2/nothing");
    }

    @Test
    void modelsAreListedPerKey() throws Exception {
        JsonNode all = json(gw.get("/v1/models", KEY_A));
        assertThat(all.at("/object").asText()).isEqualTo("list");
        assertThat(all.get("data").findValuesAsText("id")).containsExactly("resilient", "strict", "mock/echo");
        JsonNode limited = json(gw.get("/v1/models", Map.of("authorization", "Bearer sk-mock-only")));
        assertThat(limited.get("data").findValuesAsText("id")).containsExactly("mock/echo");
        HttpResponse<String> one = gw.get("/v1/models/mock/anything/with/slashes", KEY_A);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one).get("id").asText()).isEqualTo("mock/anything/with/slashes");
        assertThat(gw.get("/v1/models/nope", KEY_A).statusCode()).isEqualTo(404);
        assertThat(gw.get("/v1/models", Map.of()).statusCode()).isEqualTo(401);
    }

    @Test
    void streamsWordByWordAndEndsWithDone() throws Exception {
        String body = HELLO.replace("\"messages\"", "\"stream\":true,\"messages\"");
        HttpResponse<String> r = gw.post("/v1/chat/completions", body, KEY_A);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
        String[] events = r.body().split("\n\n");
        assertThat(events[events.length - 1]).isEqualTo("data: [DONE]");
        StringBuilder text = new StringBuilder();
        for (String e : events) {
            assertThat(e).startsWith("data: ");
            if (!e.equals("data: [DONE]")) {
                JsonNode chunk = Json.MAPPER.readTree(e.substring(6));
                assertThat(chunk.get("choices"))
                        .as("no usage-only chunk without include_usage")
                        .isNotEmpty();
                text.append(chunk.at("/choices/0/delta/content").asText(""));
            }
        }
        assertThat(text.toString()).isEqualTo("hi there");
    }

    @Test
    void healthAndMetrics() throws Exception {
        assertThat(gw.get("/health", Map.of()).statusCode()).isEqualTo(200);
        gw.post("/v1/chat/completions", HELLO, KEY_A);
        String metrics = gw.get("/metrics", Map.of()).body();
        assertThat(metrics)
                .contains(
                        "junction_requests_total{endpoint=\"chat.completions\",error_type=\"none\",model=\"mock/echo\",provider=\"mock\",status=\"200\"}");
        assertThat(metrics).contains("junction_request_duration_seconds_bucket");
        assertThat(metrics).contains("jvm_memory_used_bytes");
    }
}
