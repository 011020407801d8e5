package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.TracingSpec;
import io.junction.server.TestGateway;
import io.junction.server.observe.trace.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenTelemetry spans of chat calls, exported (batched, as in production) to memory: the SERVER span
 * and one CLIENT span per upstream attempt, their attributes, the parent from an incoming
 * {@code traceparent}, and the attempt's span id in the {@code traceparent} sent upstream.
 */
class TracingHttpTest {
    private static final String INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String INCOMING_PARENT = "00f067aa0ba902b7";
    private static final String HELLO =
            "{\"model\":\"%s\",%s\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";

    private InMemorySpanExporter exporter;
    private Tracing tracing;
    private ScriptedOpenAi upstream;
    private TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        exporter = InMemorySpanExporter.create();
        tracing = Tracing.create(new TracingSpec(true, null, null, "junction-test", null, null), exporter);
        upstream = new ScriptedOpenAi();
        gw = new TestGateway("""
                providers:
                  mock: {}
                  down: { type: mock, fail_status: 503, retry: { max_retries: 1, initial_backoff_ms: 1, max_backoff_ms: 1 } }
                  up: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-up, retry: { max_retries: 0 } }
                models:
                  resilient: { targets: [down/x, mock/echo] }
                  to-up: { targets: [down/x, up/gpt-4o-mini] }
                cache: { enabled: true }
                """.formatted(upstream.port()), tracing);
    }

    @AfterEach
    void stop() {
        gw.close(); // closes the tracing too
        upstream.close();
    }

    /** Waits (bounded) until {@code n} spans were exported: the server span ends just after the response is written. */
    private List<SpanData> spans(int n) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            tracing.flush(Duration.ofSeconds(5));
            if (exporter.getFinishedSpanItems().size() >= n) {
                break;
            }
            Thread.sleep(10);
        }
        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans).as("exported spans").hasSize(n);
        return spans;
    }

    private static SpanData server(List<SpanData> spans) {
        List<SpanData> s =
                spans.stream().filter(d -> d.getKind() == SpanKind.SERVER).toList();
        assertThat(s).hasSize(1);
        return s.get(0);
    }

    /** CLIENT spans by attempt number. */
    private static List<SpanData> attempts(List<SpanData> spans) {
        return spans.stream()
                .filter(d -> d.getKind() == SpanKind.CLIENT)
                .sorted(Comparator.comparing(d -> d.getAttributes().get(AttributeKey.longKey("junction.attempt"))))
                .toList();
    }

    private static Object attr(SpanData s, String key) {
        return s.getAttributes().asMap().entrySet().stream()
                .filter(e -> e.getKey().getKey().equals(key))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    @Test
    void aPlainCallIsOneServerSpanWithOneAttemptSpanUnderIt() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", HELLO.formatted("mock/echo", "\"max_tokens\":50,"));
        assertThat(r.statusCode()).isEqualTo(200);

        List<SpanData> spans = spans(2);
        SpanData server = server(spans);
        SpanData attempt = attempts(spans).get(0);
        assertThat(server.getName()).isEqualTo("chat mock/echo");
        assertThat(server.getParentSpanContext().isValid()).as("a new trace").isFalse();
        assertThat(server.getResource().getAttribute(AttributeKey.stringKey("service.name")))
                .isEqualTo("junction-test");
        assertThat(attr(server, "gen_ai.operation.name")).isEqualTo("chat");
        assertThat(attr(server, "gen_ai.request.model")).isEqualTo("mock/echo");
        assertThat(attr(server, "gen_ai.request.max_tokens")).isEqualTo(50L);
        assertThat(attr(server, "gen_ai.provider.name")).isEqualTo("mock");
        assertThat(attr(server, "http.response.status_code")).isEqualTo(200L);
        assertThat(attr(server, "junction.attempts")).isEqualTo(1L);
        assertThat(attr(server, "junction.key")).isEqualTo("anonymous");
        assertThat(attr(server, "junction.request_id"))
                .isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(attr(server, "junction.stream")).isEqualTo(false);
        assertThat((Long) attr(server, "gen_ai.usage.input_tokens")).isPositive();
        assertThat((Long) attr(server, "gen_ai.usage.output_tokens")).isPositive();
        assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        assertThat(attempt.getName()).isEqualTo("chat echo");
        assertThat(attempt.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(attempt.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(attr(attempt, "junction.target")).isEqualTo("mock/echo");
        assertThat(attr(attempt, "gen_ai.request.model")).isEqualTo("echo");
        assertThat(attr(attempt, "http.response.status_code")).isEqualTo(200L);
        assertThat(attempt.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(attempt.getStartEpochNanos()).isGreaterThanOrEqualTo(server.getStartEpochNanos());
        assertThat(attempt.getEndEpochNanos()).isLessThanOrEqualTo(server.getEndEpochNanos());
    }

    @Test
    void aCacheHitIsAServerSpanWithoutAttempts() throws Exception {
        String body = HELLO.formatted("mock/echo", "\"temperature\":0,");
        assertThat(gw.post("/v1/chat/completions", body).headers().firstValue("x-junction-cache"))
                .hasValue("MISS");
        spans(2);
        exporter.reset();
        assertThat(gw.post("/v1/chat/completions", body).headers().firstValue("x-junction-cache"))
                .hasValue("HIT");
        SpanData hit = server(spans(1));
        assertThat(attr(hit, "junction.cache")).isEqualTo("hit");
        assertThat(attr(hit, "junction.attempts")).isEqualTo(0L);
        assertThat(attr(hit, "junction.cost_usd")).isEqualTo(0.0);
        assertThat(attr(hit, "http.response.status_code")).isEqualTo(200L);
        assertThat((Long) attr(hit, "gen_ai.usage.output_tokens")).isPositive();
    }

    @Test
    void aRetryThenAFallbackIsOneAttemptSpanEachTheFailedOnesInError() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", HELLO.formatted("resilient", ""));
        assertThat(r.statusCode()).isEqualTo(200);

        List<SpanData> spans = spans(4);
        SpanData server = server(spans);
        List<SpanData> attempts = attempts(spans);
        assertThat(attempts).hasSize(3);
        assertThat(attempts)
                .extracting(a -> attr(a, "junction.target"))
                .containsExactly("down/x", "down/x", "mock/echo");
        for (SpanData failed : attempts.subList(0, 2)) {
            assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(attr(failed, "http.response.status_code")).isEqualTo(503L);
            assertThat(attr(failed, "error.type")).isNotNull();
        }
        assertThat(attempts.get(2).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(attempts).allSatisfy(a -> assertThat(a.getParentSpanId()).isEqualTo(server.getSpanId()));
        assertThat(attr(server, "junction.attempts")).isEqualTo(3L);
        assertThat(attr(server, "junction.provider")).isEqualTo("mock");
        assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aStreamCarriesItsFirstTokenTimeAndUsage() throws Exception {
        HttpResponse<String> r = gw.post(
                "/v1/chat/completions",
                HELLO.formatted("mock/echo", "\"stream\":true,\"stream_options\":{\"include_usage\":true},"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("[DONE]");

        List<SpanData> spans = spans(2);
        SpanData server = server(spans);
        assertThat(attr(server, "junction.stream")).isEqualTo(true);
        assertThat(attr(server, "junction.ttft_ms")).isNotNull();
        assertThat((Long) attr(server, "gen_ai.usage.output_tokens")).isPositive();
        assertThat(attr(server, "gen_ai.response.model")).isNotNull();
        assertThat(attr(attempts(spans).get(0), "junction.stream")).isEqualTo(true);
    }

    @Test
    void anIncomingTraceparentIsTheParentAndEachAttemptSendsItsOwnSpanIdUpstream() throws Exception {
        HttpResponse<String> r = gw.post(
                "/v1/chat/completions",
                HELLO.formatted("to-up", ""),
                Map.of(
                        "traceparent",
                        "00-" + INCOMING_TRACE + "-" + INCOMING_PARENT + "-01",
                        "tracestate",
                        "congo=t61rcWkgMzE"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        List<SpanData> spans = spans(4); // server, down/x twice (503, retried), up/gpt-4o-mini
        SpanData server = server(spans);
        assertThat(server.getTraceId()).isEqualTo(INCOMING_TRACE);
        assertThat(server.getParentSpanId()).isEqualTo(INCOMING_PARENT);
        assertThat(server.getParentSpanContext().isRemote()).isTrue();
        List<SpanData> attempts = attempts(spans);
        assertThat(attempts).allSatisfy(a -> assertThat(a.getTraceId()).isEqualTo(INCOMING_TRACE));
        SpanData last = attempts.get(attempts.size() - 1);
        assertThat(attr(last, "junction.target")).isEqualTo("up/gpt-4o-mini");
        assertThat(attr(last, "server.address")).isEqualTo("127.0.0.1");
        assertThat(attr(last, "server.port")).isEqualTo((long) upstream.port());
        assertThat(attr(last, "gen_ai.provider.name")).isEqualTo("openai");
        assertThat(attr(last, "gen_ai.usage.input_tokens")).isEqualTo(1000L);
        assertThat(attr(server, "gen_ai.response.model")).isEqualTo("gpt-4o-mini");

        // the provider saw the attempt's span as its parent, not the client's or the server span's
        assertThat(upstream.traceparents).containsExactly("00-" + INCOMING_TRACE + "-" + last.getSpanId() + "-01");
    }

    @Test
    void withoutAnIncomingTraceparentTheUpstreamStillGetsTheAttemptSpan() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", HELLO.formatted("up/gpt-4o-mini", ""));
        assertThat(r.statusCode()).isEqualTo(200);
        List<SpanData> spans = spans(2);
        SpanData attempt = attempts(spans).get(0);
        assertThat(upstream.traceparents)
                .containsExactly("00-" + attempt.getTraceId() + "-" + attempt.getSpanId() + "-"
                        + attempt.getSpanContext().getTraceFlags().asHex());
        assertThat(attempt.getSpanContext().isSampled()).isTrue();
    }

    @Test
    void aFailedCallIsAnErrorSpanWithItsErrorType() throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", HELLO.formatted("down/x", ""));
        assertThat(r.statusCode()).isEqualTo(503);
        List<SpanData> spans = spans(3); // server, two attempts (one retry)
        SpanData server = server(spans);
        assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(server, "error.type")).isEqualTo("provider_unavailable");
        assertThat(attr(server, "http.response.status_code")).isEqualTo(503L);
    }

    @Test
    void theRequestDurationCarriesTheTraceIdAsAnExemplarInOpenMetrics() throws Exception {
        assertThat(gw.post("/v1/chat/completions", HELLO.formatted("mock/echo", ""))
                        .statusCode())
                .isEqualTo(200);
        String traceId = server(spans(2)).getTraceId();
        HttpResponse<String> om = gw.get("/metrics", Map.of("accept", "application/openmetrics-text"));
        assertThat(om.headers().firstValue("content-type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(om.body())
                .containsPattern("junction_request_duration_seconds_bucket\\{[^}]*endpoint=\"chat.completions\"[^}]*\\}"
                        + " \\d+ # \\{[^}]*trace_id=\"" + traceId + "\"");
        // the classic text format is unchanged
        HttpResponse<String> text = gw.get("/metrics", Map.of());
        assertThat(text.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(text.body()).doesNotContain("trace_id");
    }
}
