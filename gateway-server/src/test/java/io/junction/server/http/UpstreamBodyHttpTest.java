package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an OpenAI-format upstream receives: the client's own bytes, with the target's model put in and
 * Junction's fields left out ({@code ChatRequestSource}), for the first attempt; the request serialized
 * anew for a retry, when it changed in more than that (an alias's system prompt), or when its body is
 * too large to hold. Netty's
 * leak detector (paranoid in tests) checks that the held body is released however the call ends.
 */
class UpstreamBodyHttpTest {
    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";

    private static final List<String> received = new CopyOnWriteArrayList<>();
    /** How many of the next requests the upstream fails with a 500. */
    private static final AtomicInteger failNext = new AtomicInteger();

    private static HttpServer upstream;
    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/v1/chat/completions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(body);
            try (ex) {
                boolean fail = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                boolean stream = body.contains("\"stream\":true");
                byte[] answer = (fail
                                ? "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"
                                : stream
                                        ? "data: "
                                                + COMPLETION
                                                        .replace("chat.completion", "chat.completion.chunk")
                                                        .replace("\"message\"", "\"delta\"")
                                                + "\n\ndata: [DONE]\n\n"
                                        : COMPLETION)
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("content-type", stream && !fail ? "text/event-stream" : "application/json");
                ex.sendResponseHeaders(fail ? 500 : 200, answer.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(answer);
                }
            }
        });
        upstream.start();
        gw = new TestGateway("""
                providers:
                  oai: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: up, models: [gpt-4.1], retry: { max_retries: 1, initial_backoff_ms: 1 } }
                models:
                  fast: { targets: [oai/gpt-4.1] }
                  briefed: { targets: [oai/gpt-4.1], system_prompt: "You are {{name}}." }
                """.formatted(upstream.getAddress().getPort()));
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.stop(0);
    }

    @BeforeEach
    void clear() {
        received.clear();
        failNext.set(0);
    }

    @Test
    void theUpstreamGetsTheClientsBytesWithItsModel() throws Exception {
        String body = "{\"model\": \"fast\", \"temperature\": 1, \"messages\": [{\"role\": \"user\", \"content\": "
                + "\"caf\\u00e9\", \"name\": null}], \"tags\": [\"t\"], \"fallbacks\": [\"oai/gpt-4.1\"], "
                + "\"x_vendor\": {\"a\": null}, \"seed\": null}";
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(received)
                .containsExactly("{\"model\":\"gpt-4.1\",\"temperature\": 1, \"messages\": [{\"role\": \"user\", "
                        + "\"content\": \"caf\\u00e9\", \"name\": null}],\"x_vendor\": {\"a\": null}}");
    }

    @Test
    void aRetryIsSerialized() throws Exception {
        failNext.set(1);
        String body =
                "{\"model\":\"oai/gpt-4.1\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(received).hasSize(2);
        // the first attempt gets the client's bytes; they are let go once sent, so the retry is serialized
        assertThat(received.get(0)).isEqualTo(body.replace("oai/gpt-4.1", "gpt-4.1"));
        assertThat(received.get(1)).startsWith("{\"model\":\"gpt-4.1\"").contains("\"temperature\":1.0");
        assertThat(Json.MAPPER.readTree(received.get(1)))
                .isEqualTo(Json.MAPPER.readTree(received.get(0).replace("\"temperature\":1", "\"temperature\":1.0")));
    }

    @Test
    void aStreamAsksForUsageInTheSplicedBody() throws Exception {
        String body = "{\"model\":\"fast\",\"stream\":true,\"stream_options\":{\"x_opt\":1},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":1}";
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(received)
                .containsExactly("{\"model\":\"gpt-4.1\",\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true,\"x_opt\":1},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":1}");
    }

    @Test
    void aRequestChangedByTheGatewayIsSerialized() throws Exception {
        String body = "{\"model\":\"briefed\",\"temperature\":1,\"system_prompt_args\":{\"name\":\"Ada\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(received).hasSize(1);
        assertThat(received.get(0))
                .contains("\"temperature\":1.0")
                .contains("You are Ada.")
                .doesNotContain("system_prompt_args");
    }

    @Test
    void aBodyTooLargeToHoldIsSerialized() throws Exception {
        String text = "x".repeat(io.junction.core.schema.ChatRequestSource.MAX_HELD_BYTES);
        String body = "{\"model\":\"fast\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"" + text
                + "\"}]}";
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).startsWith("{\"model\":\"gpt-4.1\"").contains("\"temperature\":1.0");
    }
}
