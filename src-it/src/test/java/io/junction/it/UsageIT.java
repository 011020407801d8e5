package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage accounting end to end, through the built jar: the ledger (SQLite in a temp directory, read
 * back through {@code /admin/usage}) and {@code /metrics}. Ledger rows are written by a background
 * thread after the response ends, so checks poll for them, bounded at 15 s.
 */
class UsageIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String ADMIN_KEY = "adm-usage-it";
    private static final String TEXT_STREAM = "openai/chat-completion.text.stream.jsonl";

    static WireMockServer upstream;
    static SlowSseUpstream slow;
    static JunctionProcess junction;
    static OpenAIClient client;
    static Path ledgerDir;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        // a real OpenAI stream (recorded) that ends with the usage chunk: 16 prompt, 300 completion tokens
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream; charset=utf-8")
                        .withBody(Fixtures.jsonlAsSse(TEXT_STREAM))));
        slow = new SlowSseUpstream();
        ledgerDir = Files.createTempDirectory("junction-usage-it");
        String extra = """
                  slow: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-slow, read_timeout_ms: 5000, retry: { max_retries: 0 } }
                """.formatted(slow.port());
        String ledger = ledgerDir.resolve("data/junction-usage.db").toString().replace("\\", "/");
        junction = JunctionProcess.start(
                "usage",
                port -> Configs.standard(port, upstream.port(), extra)
                        + "admin: { key: " + ADMIN_KEY + " }\n"
                        + "ledger: { type: sqlite, path: \"" + ledger + "\", flush_interval_ms: 200 }\n");
        client = Clients.sdk(junction, Configs.KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (client != null) {
                client.close();
            }
            if (junction != null) {
                junction.close();
            }
        } finally {
            upstream.stop();
            slow.close();
        }
        assertThat(ledgerDir.resolve("data/junction-usage.db"))
                .as("the ledger is a real database file, created on first start")
                .isRegularFile();
    }

    private static JsonNode usage(String query) {
        return Fixtures.parse(
                Clients.get(junction, "/admin/usage?" + query, ADMIN_KEY).body());
    }

    /** The row of {@code group}, polled until it appears (at most 15 s). */
    private static JsonNode awaitRow(String query, String group) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            for (JsonNode row : usage(query).path("rows")) {
                if (group.equals(row.path("group").asText())) {
                    return row;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no ledger row for '" + group + "' after 15 s; /admin/usage?" + query + " = "
                        + usage(query) + "\n" + junction.logTail(40));
            }
            Thread.sleep(100);
        }
    }

    /** A sample without labels ({@code name value}); 0 when absent. */
    private static double unlabelled(String scrape, String name) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).strip());
            }
        }
        return 0;
    }

    private static double metric(String scrape, String name, Map<String, String> labels) {
        return Metrics.value(scrape, name, labels);
    }

    @Test
    void aStreamWithoutIncludeUsageStillGetsALedgerRowWithTheProvidersUsage() throws Exception {
        String before = Clients.get(junction, "/metrics", null).body();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("up/gpt-4o-mini")
                        .addUserMessage("Write a short story.")
                        .build())) {
            s.stream().forEach(chunks::add);
        }
        assertThat(chunks).isNotEmpty();
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo(CHAT))))
                .anySatisfy(r -> assertThat(Fixtures.parse(r.getBodyAsString())
                                .at("/stream_options/include_usage")
                                .asBoolean())
                        .as("Junction asked the upstream for usage on the client's behalf")
                        .isTrue());

        JsonNode row = awaitRow("group_by=model", "gpt-4o-mini");
        assertThat(row.get("requests").asLong()).isEqualTo(1);
        assertThat(row.get("prompt_tokens").asLong()).isEqualTo(16);
        assertThat(row.get("completion_tokens").asLong()).isEqualTo(300);
        assertThat(row.get("estimated_requests").asLong()).isZero();
        // gpt-4o-mini (shipped price): 16 x 0.15 + 300 x 0.60 per 1M
        assertThat(row.get("cost_usd").asDouble()).isCloseTo(16 * 0.15e-6 + 300 * 0.60e-6, within(1e-12));
        assertThat(awaitRow("group_by=key", "team-a").get("requests").asLong()).isPositive();

        String after = Clients.get(junction, "/metrics", null).body();
        Map<String, String> prompt = Map.of("provider", "up", "type", "prompt");
        assertThat(metric(after, "junction_tokens_total", prompt) - metric(before, "junction_tokens_total", prompt))
                .isEqualTo(16);
        Map<String, String> completion = Map.of("provider", "up", "type", "completion");
        assertThat(metric(after, "junction_tokens_total", completion)
                        - metric(before, "junction_tokens_total", completion))
                .isEqualTo(300);
        Map<String, String> up = Map.of("provider", "up");
        assertThat(metric(after, "junction_cost_usd_total", up) - metric(before, "junction_cost_usd_total", up))
                .isCloseTo(16 * 0.15e-6 + 300 * 0.60e-6, within(1e-12));
        assertThat(metric(after, "junction_time_to_first_token_seconds_count", up)
                        - metric(before, "junction_time_to_first_token_seconds_count", up))
                .isEqualTo(1);
        Map<String, String> ok = Map.of("model", "up/gpt-4o-mini", "status", "200", "error_type", "none");
        assertThat(metric(after, "junction_requests_total", ok) - metric(before, "junction_requests_total", ok))
                .isEqualTo(1);
        assertThat(unlabelled(after, "junction_ledger_written_total"))
                .isGreaterThan(unlabelled(before, "junction_ledger_written_total"));
    }

    @Test
    void aClientAbortMidStreamIsBilledForWhatWasProducedAndMarkedEstimated() throws Exception {
        String before = Clients.get(junction, "/metrics", null).body();
        String body = "{\"model\":\"slow/slow-model\",\"stream\":true,\"tags\":[\"abort-it\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Count slowly.\"}]}";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), junction.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\n"
                            + "Host: 127.0.0.1:" + junction.port() + "\r\n"
                            + "Authorization: Bearer " + Configs.KEY + "\r\n"
                            + "Content-Type: application/json\r\n"
                            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                            + "\r\n"
                            + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            int events = 0;
            String line;
            while (events < 3 && (line = in.readLine()) != null) {
                if (line.startsWith("data: {")) {
                    events++;
                }
            }
            assertThat(events).isEqualTo(3);
        } // the client goes away mid-stream: the slow upstream still had ~190 chunks to send

        JsonNode row = awaitRow("group_by=tag", "abort-it");
        assertThat(row.get("requests").asLong()).isEqualTo(1);
        assertThat(row.get("estimated_requests").asLong()).isEqualTo(1);
        assertThat(row.get("failed_requests").asLong()).as("recorded as 499").isEqualTo(1);
        assertThat(row.get("prompt_tokens").asLong()).isPositive();
        // "w0 ", "w1 ", ... relayed before the abort was noticed: at least the 3 the client read
        assertThat(row.get("completion_tokens").asLong()).isBetween(3L, 100L);
        assertThat(row.get("unpriced_requests").asLong())
                .as("slow-model has no price")
                .isEqualTo(1);

        String after = Clients.get(junction, "/metrics", null).body();
        Map<String, String> cancelled = Map.of("provider", "slow", "status", "499", "error_type", "caller_cancelled");
        assertThat(metric(after, "junction_requests_total", cancelled)
                        - metric(before, "junction_requests_total", cancelled))
                .isEqualTo(1);
        Map<String, String> slowCompletion = Map.of("provider", "slow", "type", "completion");
        assertThat(metric(after, "junction_tokens_total", slowCompletion)
                        - metric(before, "junction_tokens_total", slowCompletion))
                .isEqualTo(row.get("completion_tokens").asDouble());
        assertThat(metric(after, "junction_cost_unknown_model_total", Map.of("provider", "slow")))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void adminUsageNeedsTheAdminKeyAndOffersCsv() {
        assertThat(Clients.get(junction, "/admin/usage", Configs.KEY).statusCode())
                .isEqualTo(401);
        var csv = Clients.get(junction, "/admin/usage.csv?group_by=provider", ADMIN_KEY);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.body()).startsWith("group,requests,prompt_tokens,");
    }
}
