package io.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code server.transport}: each transport this machine offers serves a chat call end to end, client
 * side and upstream side (both run on the event loops' transport), as JSON and as a stream; a name
 * that is not a transport is refused. The whole suite can also be run on one transport with
 * {@code -Djunction.test.transport=...} (README, Development), which this test then follows.
 */
class TransportTest {
    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";
    private static final String CHUNK = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w%d \"},\"finish_reason\":null}]}";

    private static HttpServer upstream;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/v1/chat/completions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try (ex) {
                if (body.contains("\"stream\":true")) {
                    ex.getResponseHeaders().set("content-type", "text/event-stream");
                    ex.sendResponseHeaders(200, 0); // chunked: each event flushed on its own
                    try (OutputStream o = ex.getResponseBody()) {
                        for (int i = 0; i < 5; i++) {
                            o.write(("data: " + CHUNK.formatted(i) + "\n\n").getBytes(StandardCharsets.UTF_8));
                            o.flush();
                        }
                        o.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                    }
                } else {
                    byte[] answer = COMPLETION.getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().set("content-type", "application/json");
                    ex.sendResponseHeaders(200, answer.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(answer);
                    }
                }
            }
        });
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void eachAvailableTransportServesJsonAndStreams(String transport) throws Exception {
        String forced = System.getProperty("junction.transport", "");
        String expected = forced.isEmpty() ? transport : forced;
        assumeTrue(!expected.equals("epoll") || Epoll.isAvailable(), "epoll is not available here");
        assumeTrue(!expected.equals("io_uring") || IoUring.isAvailable(), "io_uring is not available here");
        try (TestGateway gw =
                new TestGateway("""
                server: { host: 127.0.0.1, port: 0, transport: %s }
                providers:
                  oai: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: up, models: [gpt-4.1] }
                """.formatted(transport, upstream.getAddress().getPort()))) {
            assertThat(gw.server().transport()).isEqualTo(expected);

            HttpResponse<String> json = gw.post(
                    "/v1/chat/completions",
                    "{\"model\":\"oai/gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(json.statusCode()).isEqualTo(200);
            assertThat(json.body()).contains("\"content\":\"ok\"").contains("\"total_tokens\":4");

            HttpResponse<String> sse = gw.post(
                    "/v1/chat/completions",
                    "{\"model\":\"oai/gpt-4.1\",\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(sse.statusCode()).isEqualTo(200);
            assertThat(sse.headers().firstValue("content-type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            for (int i = 0; i < 5; i++) {
                assertThat(sse.body()).contains("\"content\":\"w" + i + " \"");
            }
            assertThat(sse.body()).endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void aNameThatIsNotATransportIsRefused() {
        assertThatThrownBy(() -> JunctionServer.chooseTransport("uring"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("junction.transport: must be one of auto, epoll, io_uring, nio, got 'uring'");
        assertThat(JunctionServer.chooseTransport("nio").name()).isEqualTo("nio");
    }
}
