package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One access-log line per request to the other endpoints; probes and scrapes are left out by default. */
class RequestAccessLogHttpTest {
    private final Logger access = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        access.addAppender(lines);
    }

    @AfterEach
    void release() {
        access.detachAppender(lines);
    }

    /** The lines of {@code requestId} logged so far. */
    private List<JsonNode> linesFor(String requestId) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (ILoggingEvent e : List.copyOf(lines.list)) {
            JsonNode j = Json.MAPPER.readTree(e.getFormattedMessage());
            if (requestId.equals(j.path("request_id").asText())) {
                out.add(j);
            }
        }
        return out;
    }

    /**
     * Waits (bounded) for the line of {@code requestId}: it is handed to the writer thread right after
     * the response is sent, so the client may see the response first.
     */
    private JsonNode awaitLine(String requestId) throws Exception {
        long until = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
            RequestAccessLog.flush(1000);
            List<JsonNode> l = linesFor(requestId);
            if (!l.isEmpty()) {
                assertThat(l).as("one line per request").hasSize(1);
                return l.get(0);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no access-log line for " + requestId);
    }

    @Test
    void modelsAndAdminRequestsAreLoggedWithoutQueryOrSecretsAndProbesAreNot() throws Exception {
        try (TestGateway gw = new TestGateway("""
                keys:
                  - { key: sk-team-a, name: team-a, models: ["*"] }
                admin: { key: adm-secret }
                providers: { mock: {} }
                """)) {
            var models = gw.get(
                    "/v1/models?token=query-secret",
                    Map.of(
                            "authorization", "Bearer sk-team-a",
                            "x-request-id", "req-models",
                            "user-agent", "models-test/2.0",
                            "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
            assertThat(models.statusCode()).isEqualTo(200);
            var denied = gw.get("/admin/routes", Map.of("x-request-id", "req-denied"));
            assertThat(denied.statusCode()).isEqualTo(401);
            var routes =
                    gw.get("/admin/routes", Map.of("authorization", "Bearer adm-secret", "x-request-id", "req-routes"));
            assertThat(routes.statusCode()).isEqualTo(200);
            assertThat(gw.get("/health", Map.of("x-request-id", "req-health")).statusCode())
                    .isEqualTo(200);
            assertThat(gw.get("/metrics", Map.of("x-request-id", "req-metrics")).statusCode())
                    .isEqualTo(200);
            var refused = gw.post("/v1/chat/completions", "{\"model\":", Map.of("x-request-id", "req-bad-chat"));
            assertThat(refused.statusCode()).isEqualTo(401);

            JsonNode m = awaitLine("req-models");
            assertThat(m.get("type").asText()).isEqualTo("access");
            assertThat(m.get("endpoint").asText()).isEqualTo("models");
            assertThat(m.get("method").asText()).isEqualTo("GET");
            assertThat(m.get("path").asText()).isEqualTo("/v1/models");
            assertThat(m.get("status").asInt()).isEqualTo(200);
            assertThat(m.get("error_type").asText()).isEqualTo("none");
            assertThat(m.get("key").asText()).isEqualTo("team-a");
            assertThat(m.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(m.get("user_agent").asText()).isEqualTo("models-test/2.0");
            assertThat(m.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(m.get("latency_ms").asLong()).isNotNegative();
            assertThat(m.has("latency_us")).isTrue();

            JsonNode d = awaitLine("req-denied");
            assertThat(d.get("status").asInt()).isEqualTo(401);
            assertThat(d.get("error_type").asText()).isEqualTo("caller_auth");
            assertThat(d.get("key").isNull()).isTrue();
            assertThat(awaitLine("req-routes").get("key").asText()).isEqualTo("admin");
            // a chat request refused before its call was built (no ledger record) is logged here too
            assertThat(awaitLine("req-bad-chat").get("endpoint").asText()).isEqualTo("chat.completions");
            // same connection, so the probes' lines (had there been any) came before the refused chat's

            assertThat(linesFor("req-health"))
                    .as("probes are excluded by default")
                    .isEmpty();
            assertThat(linesFor("req-metrics")).isEmpty();
            assertThat(lines.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .noneMatch(l -> l.contains("query-secret") || l.contains("sk-team-a") || l.contains("adm-secret"));
        }
    }

    @Test
    void anEmptyExclusionListLogsProbesAndAccessLogFalseLogsNothing() throws Exception {
        try (TestGateway gw = new TestGateway("""
                providers: { mock: {} }
                logging: { access_log_exclude: [] }
                """)) {
            assertThat(gw.get("/health", Map.of("x-request-id", "req-h2")).statusCode())
                    .isEqualTo(200);
            assertThat(awaitLine("req-h2").get("endpoint").asText()).isEqualTo("health");
        }
        try (TestGateway gw = new TestGateway("""
                providers: { mock: {} }
                logging: { access_log: false, access_log_exclude: [] }
                """)) {
            assertThat(gw.get("/v1/models", Map.of("x-request-id", "req-off")).statusCode())
                    .isEqualTo(200);
            Thread.sleep(200);
            RequestAccessLog.flush(1000);
            assertThat(linesFor("req-off")).isEmpty();
        }
    }
}
