package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How Junction copes with what real upstreams do on the wire: CRLF-separated SSE (sse-starlette's
 * default), events split at arbitrary byte boundaries (inside multi-byte UTF-8 characters), servers
 * that close keep-alive connections right after answering, and many concurrent calls.
 */
class UpstreamWireIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String TOOL_STREAM = "openai/chat-completion.tool-calls.stream.sse";
    private static final String TEXT_JSON = "openai/chat-completion.text.json";
    private static final String UNICODE = "naïve café — 東京 🚀 ok";

    static WireMockServer upstream;
    /** Streams a fixed SSE body in 3-byte pieces, then closes. */
    static RawSocketUpstream dribbler;
    /** Answers with a complete Content-Length body, then closes without saying so (no Connection: close). */
    static RawSocketUpstream closer;

    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        dribbler = new RawSocketUpstream(UpstreamWireIT::dribble);
        closer = new RawSocketUpstream(UpstreamWireIT::answerThenClose);
        String extra = """
                  dribbler: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-d, read_timeout_ms: 5000, retry: { max_retries: 0 } }
                  closer: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-c, read_timeout_ms: 5000, retry: { max_retries: 0 } }
                """.formatted(dribbler.port(), closer.port());
        junction = JunctionProcess.start("wire", port -> Configs.standard(port, upstream.port(), extra));
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
            dribbler.close();
            closer.close();
        }
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
    }

    static String unicodeSse() {
        StringBuilder sb = new StringBuilder();
        String[] parts = {"naïve ", "café — ", "東京 ", "🚀 ok"};
        for (String p : parts) {
            sb.append("data: ").append(SlowSseUpstream.chunk(p, null)).append("\n\n");
        }
        sb.append("data: ").append(SlowSseUpstream.chunk(null, "stop")).append("\n\n");
        return sb.append("data: [DONE]\n\n").toString();
    }

    private static void dribble(OutputStream out) throws IOException, InterruptedException {
        RawSocketUpstream.sseHeaders(out);
        byte[] body = unicodeSse().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < body.length; i += 3) {
            RawSocketUpstream.chunk(out, Arrays.copyOfRange(body, i, Math.min(body.length, i + 3)));
            if (i % 60 == 0) {
                Thread.sleep(1);
            }
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void answerThenClose(OutputStream out) throws IOException {
        byte[] body = Fixtures.text(TEXT_JSON).getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
    }

    @Test
    void crlfSeparatedSseIsUnderstood() {
        String crlf = Fixtures.text(TOOL_STREAM).replace("\n", "\r\n");
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(crlf)));

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("up/gpt-4o-mini")
                        .addUserMessage("What is the capital of the UK? Use the tool, then answer.")
                        .addFunctionTool(Sdk.getCapitalTool())
                        .build())) {
            s.stream().forEach(acc::accumulate);
        }

        ChatCompletion c = acc.chatCompletion();
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c.choices()
                        .get(0)
                        .message()
                        .toolCalls()
                        .orElseThrow()
                        .get(0)
                        .asFunction()
                        .function()
                        .arguments())
                .isEqualTo("{\"country\":\"UK\"}");
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void eventsSplitInsideMultiByteCharactersAreReassembledByteForByte() {
        int before = dribbler.requests();

        HttpResponse<String> r = Clients.postJson(
                junction,
                CHAT,
                Configs.KEY,
                "{\"model\":\"dribbler/m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(unicodeSse());
        assertThat(Fixtures.concatenatedContent(Fixtures.sseData(r.body()))).isEqualTo(UNICODE);
        assertThat(dribbler.requests() - before).isEqualTo(1);
    }

    @Test
    void upstreamThatClosesEveryConnectionAfterAnsweringStillServesEveryRequestOnce() {
        int before = closer.requests();
        for (int i = 0; i < 6; i++) {
            ChatCompletion c = client.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model("closer/gpt-4o-mini")
                            .addUserMessage("hello " + i)
                            .build());
            assertThat(c.id()).isEqualTo("chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU");
            assertThat(Sdk.extraFields(c._additionalProperties()).path("attempts"))
                    .hasSize(1);
            if (i % 2 == 1) {
                JunctionProcess.sleep(100); // let the close arrive while the connection idles in the pool
            }
        }
        assertThat(closer.requests() - before).isEqualTo(6);
    }

    @Test
    void concurrentCallsDoNotCrossTalk() throws Exception {
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(okJson(Fixtures.text(TEXT_JSON))));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> mockStreams = new ArrayList<>();
            List<Future<String>> upstreamCalls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String prompt = "prompt number " + i + " for the mock";
                mockStreams.add(pool.submit(() -> {
                    List<ChatCompletionChunk> chunks = new ArrayList<>();
                    try (StreamResponse<ChatCompletionChunk> s = client.chat()
                            .completions()
                            .createStreaming(ChatCompletionCreateParams.builder()
                                    .model("mock/echo")
                                    .addUserMessage(prompt)
                                    .build())) {
                        s.stream().forEach(chunks::add);
                    }
                    return Sdk.text(chunks);
                }));
                upstreamCalls.add(pool.submit(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("up/gpt-4o-mini")
                                .addUserMessage("hi")
                                .build())
                        .id()));
            }
            for (int i = 0; i < 12; i++) {
                assertThat(mockStreams.get(i).get(20, TimeUnit.SECONDS))
                        .isEqualTo("prompt number " + i + " for the mock");
                assertThat(upstreamCalls.get(i).get(20, TimeUnit.SECONDS))
                        .isEqualTo("chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU");
            }
        } finally {
            pool.shutdownNow();
        }
        upstream.verify(exactly(12), postRequestedFor(urlEqualTo(CHAT)));
    }

    @Test
    void aClientThatReadsSlowlyGetsTheWholeStreamThroughBackpressure() throws Exception {
        // ~1 MB of SSE to a reader with an 8 KiB TCP window: far more than the socket buffers and
        // Junction's write-buffer high-water mark (64 KiB) can hold.
        StringBuilder sse = new StringBuilder();
        StringBuilder expectedText = new StringBuilder();
        String word = "x".repeat(1000);
        int events = 1000;
        for (int i = 0; i < events; i++) {
            String content = i + word;
            expectedText.append(content);
            sse.append("data: ").append(SlowSseUpstream.chunk(content, null)).append("\n\n");
        }
        sse.append("data: ").append(SlowSseUpstream.chunk(null, "stop")).append("\n\n");
        sse.append("data: [DONE]\n\n");
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream")
                        .withBody(sse.toString())));

        int port = junction.port();
        try (RawHttp http = new RawHttp(port, 8192)) {
            http.write(RawHttp.post(
                    port,
                    CHAT,
                    Configs.KEY,
                    "{\"model\":\"up/gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    null));
            Thread.sleep(1500); // read nothing for a while: Junction must pause, not fail or buffer forever
            RawHttp.Response r = http.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(sse.toString());
            assertThat(Fixtures.concatenatedContent(Fixtures.sseData(r.body()))).isEqualTo(expectedText.toString());
        }
        upstream.verify(exactly(1), postRequestedFor(urlEqualTo(CHAT)));
    }
}
