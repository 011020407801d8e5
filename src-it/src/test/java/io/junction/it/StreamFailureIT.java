package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streams that go wrong after they started: the upstream breaks mid-stream (the client must see an
 * error event and no clean {@code [DONE]}), or the client goes away (Junction must drop the upstream).
 */
class StreamFailureIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String TOOL_STREAM = "openai/chat-completion.tool-calls.stream.sse";
    private static final int EVENTS_BEFORE_CUT = 3;

    static WireMockServer upstream;
    static RawSocketUpstream cutter;
    /** Sends the first events, then nothing for longer than Junction's read timeout for it. */
    static RawSocketUpstream staller;

    static SlowSseUpstream slow;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        cutter = new RawSocketUpstream(StreamFailureIT::firstEventsThenClose);
        staller = new RawSocketUpstream(out -> {
            firstEventsThenClose(out);
            Thread.sleep(3000);
        });
        slow = new SlowSseUpstream();
        String extra = """
                  cutter: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-cutter, read_timeout_ms: 5000, retry: { max_retries: 0 } }
                  slow: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-slow, read_timeout_ms: 5000, retry: { max_retries: 0 } }
                  staller: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-staller, read_timeout_ms: 500, retry: { max_retries: 0 } }
                """.formatted(cutter.port(), slow.port(), staller.port());
        junction = JunctionProcess.start("stream-failure", port -> Configs.standard(port, upstream.port(), extra));
        client = Clients.sdk(junction, Configs.KEY);
    }

    @AfterAll
    static void stop() {
        try {
            if (client != null) {
                client.close();
            }
            if (junction != null) {
                junction.close();
            }
        } finally {
            upstream.stop();
            cutter.close();
            staller.close();
            slow.close();
        }
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
        slow.clearOutcomes();
    }

    /** 200, chunked SSE: the first recorded events, then the socket closes with no terminating chunk. */
    private static void firstEventsThenClose(OutputStream out) throws IOException, InterruptedException {
        RawSocketUpstream.sseHeaders(out);
        List<String> events = Fixtures.sseData(Fixtures.text(TOOL_STREAM));
        for (int i = 0; i < EVENTS_BEFORE_CUT; i++) {
            RawSocketUpstream.chunk(out, "data: " + events.get(i) + "\n\n");
            Thread.sleep(20);
        }
    }

    private static String streamBody(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of the UK?\"}]}";
    }

    private static String expectedPrefix() {
        List<String> events = Fixtures.sseData(Fixtures.text(TOOL_STREAM));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < EVENTS_BEFORE_CUT; i++) {
            sb.append("data: ").append(events.get(i)).append("\n\n");
        }
        return sb.toString();
    }

    /** The body must be the relayed events, then exactly one error event, and nothing else. */
    private static JsonNode assertEndsWithErrorEvent(String body) {
        assertThat(body).startsWith(expectedPrefix());
        String tail = body.substring(expectedPrefix().length());
        assertThat(tail).startsWith("data: {\"error\":").endsWith("}\n\n");
        assertThat(body).doesNotContain("[DONE]");
        List<String> tailEvents = Fixtures.sseData(tail);
        assertThat(tailEvents).hasSize(1);
        JsonNode error = Fixtures.parse(tailEvents.get(0)).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isNotBlank();
        return error;
    }

    @Test
    void upstreamConnectionCutMidStreamEndsWithAnErrorEventAndNoDone() {
        int before = cutter.requests();

        HttpResponse<String> r = Clients.postJson(junction, CHAT, Configs.KEY, streamBody("cutter/gpt-4o-mini"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode error = assertEndsWithErrorEvent(r.body());
        assertThat(error.path("code").asText()).isEqualTo("upstream_unavailable");
        assertThat(cutter.requests() - before).isEqualTo(1);
    }

    @Test
    void upstreamStreamThatEndsCleanlyButIncompleteEndsWithAnErrorEvent() {
        // Valid HTTP (Content-Length body), but the SSE stops after three events: no finish, no [DONE].
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(expectedPrefix())));

        HttpResponse<String> r = Clients.postJson(junction, CHAT, Configs.KEY, streamBody("managed"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode error = assertEndsWithErrorEvent(r.body());
        assertThat(error.path("code").asText()).isEqualTo("bad_upstream_response");
        // Committed after the first chunk: no failover to the alias's mock target.
        assertThat(r.headers().firstValue("x-junction-provider")).hasValue("up");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void upstreamErrorEventMidStreamIsRelayedAndTheSdkThrows() {
        String error = "{\"error\":{\"message\":\"The server had an error while processing your request.\","
                + "\"type\":\"server_error\",\"param\":null,\"code\":null}}";
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(expectedPrefix() + "data: " + error + "\n\n")));

        List<ChatCompletionChunk> received = new ArrayList<>();
        Throwable thrown = catchThrowable(() -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat()
                    .completions()
                    .createStreaming(ChatCompletionCreateParams.builder()
                            .model("up/gpt-4o-mini")
                            .addUserMessage("What is the capital of the UK?")
                            .build())) {
                s.stream().forEach(received::add);
            }
        });

        assertThat(received).hasSize(EVENTS_BEFORE_CUT);
        assertThat(thrown).isInstanceOf(SseException.class);
        assertThat(((OpenAIServiceException) thrown).body().toString()).contains("The server had an error");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void sdkSeesAnErrorWhenTheUpstreamCutsTheStream() {
        List<ChatCompletionChunk> received = new ArrayList<>();
        Throwable thrown = catchThrowable(() -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat()
                    .completions()
                    .createStreaming(ChatCompletionCreateParams.builder()
                            .model("cutter/gpt-4o-mini")
                            .addUserMessage("What is the capital of the UK?")
                            .build())) {
                s.stream().forEach(received::add);
            }
        });

        assertThat(received).hasSize(EVENTS_BEFORE_CUT);
        assertThat(thrown).isInstanceOf(SseException.class);
        assertThat(((SseException) thrown).code()).hasValue("upstream_unavailable");
    }

    @Test
    void upstreamStallingMidStreamPastTheReadTimeoutEndsWithATimeoutErrorEvent() {
        int before = staller.requests();

        HttpResponse<String> r = Clients.postJson(junction, CHAT, Configs.KEY, streamBody("staller/gpt-4o-mini"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode error = assertEndsWithErrorEvent(r.body());
        // Ended by Junction's 500 ms read timeout, not by the upstream closing after 3 s.
        assertThat(error.path("code").asText()).isEqualTo("upstream_timeout");
        assertThat(staller.requests() - before).isEqualTo(1);
    }

    @Test
    void clientAbortMidStreamClosesTheUpstreamConnection() throws Exception {
        int requestsBefore = slow.requests();
        long closedAt;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), junction.port())) {
            socket.setSoTimeout(5000);
            String body = streamBody("slow/slow-model");
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
            while (events < 2 && (line = in.readLine()) != null) {
                if (line.startsWith("data: {")) {
                    events++;
                }
            }
            assertThat(events).isEqualTo(2);
            closedAt = System.nanoTime();
        } // the client goes away mid-stream

        SlowSseUpstream.Outcome outcome = slow.nextOutcome(5000);
        assertThat(outcome)
                .as("the upstream stream ended within 5 s of the client leaving")
                .isNotNull();
        assertThat(outcome.writeFailed())
                .as("the upstream saw its connection closed, not a completed stream")
                .isTrue();
        assertThat(outcome.chunksWritten()).isLessThan(SlowSseUpstream.LONG_CHUNKS / 2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(outcome.endedAtNanos() - closedAt))
                .isLessThan(Duration.ofSeconds(5).toMillis());
        assertThat(slow.requests() - requestsBefore).isEqualTo(1);

        // Junction is fine afterwards, and so is its connection pool to that upstream.
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("slow/slow-model")
                        .addUserMessage(SlowSseUpstream.SHORT_MARKER)
                        .build())) {
            s.stream().forEach(chunks::add);
        }
        assertThat(Sdk.text(chunks)).isEqualTo("w0 w1 w2 ");
        assertThat(slow.requests() - requestsBefore).isEqualTo(2);
        SlowSseUpstream.Outcome second = slow.nextOutcome(5000);
        assertThat(second).isNotNull();
        assertThat(second.writeFailed()).isFalse();

        // The aborted request is counted as a client abort.
        String metrics = Clients.get(junction, "/metrics", null).body();
        assertThat(Metrics.requests(metrics, "chat.completions", "slow/slow-model", "slow", 499))
                .isEqualTo(1.0);
    }

    @Test
    void clientAbortWhileANonStreamAnswerIsStillArrivingClosesTheUpstreamConnection() throws Exception {
        int requestsBefore = slow.requests();
        String body = "{\"model\":\"slow/slow-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        long closedAt;
        try (RawHttp http = new RawHttp(junction.port())) {
            http.write(RawHttp.post(junction.port(), CHAT, Configs.KEY, body, "abort-2"));
            // Junction is now collecting the (slow) upstream body for a non-stream answer.
            Thread.sleep(400);
            closedAt = System.nanoTime();
        }

        SlowSseUpstream.Outcome outcome = slow.nextOutcome(5000);
        assertThat(outcome)
                .as("the upstream stream ended within 5 s of the client leaving")
                .isNotNull();
        assertThat(outcome.writeFailed()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(outcome.endedAtNanos() - closedAt))
                .isLessThan(5000);
        assertThat(slow.requests() - requestsBefore).isEqualTo(1);
    }
}
