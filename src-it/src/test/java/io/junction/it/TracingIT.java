package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing through the built jar: with {@code tracing.enabled: true}, spans go out as OTLP/HTTP
 * protobuf to a collector (WireMock on 127.0.0.1 accepting {@code POST /v1/traces}), in the client's
 * trace, and the provider gets the attempt span's id in its {@code traceparent}. The export is
 * batched (every 5 s by default), so the check polls, bounded at 30 s.
 */
class TracingIT {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";

    static WireMockServer upstream;
    static WireMockServer collector;
    static JunctionProcess junction;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1,"
                                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
                                + "{\"role\":\"assistant\",\"content\":\"traced\"},\"finish_reason\":\"stop\"}],"
                                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10}}")));
        collector = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        collector.start();
        collector.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
        junction = JunctionProcess.start(
                "tracing", port -> Configs.standard(port, upstream.port(), "") + """
                        tracing:
                          enabled: true
                          endpoint: "http://127.0.0.1:%d/v1/traces"
                          service_name: junction-it
                          headers: { x-collector-token: it-collector-secret }
                        """.formatted(collector.port()));
    }

    @AfterAll
    static void stop() {
        try {
            if (junction != null) {
                junction.close();
            }
        } finally {
            upstream.stop();
            collector.stop();
        }
    }

    @Test
    void spansReachTheCollectorInTheClientsTraceAndTheProviderHangsUnderTheAttempt() throws Exception {
        HttpResponse<String> r = Clients.send(HttpRequest.newBuilder(junction.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + Configs.KEY)
                .header("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"managed\",\"messages\":[{\"role\":\"user\",\"content\":\"trace me\"}]}"))
                .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        // the provider got the trace, with the attempt span (not the client's span) as its parent
        List<LoggedRequest> sent = upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")));
        assertThat(sent).hasSize(1);
        String upstreamTraceparent = sent.get(0).getHeader("traceparent");
        assertThat(upstreamTraceparent).matches("00-" + TRACE_ID + "-[0-9a-f]{16}-01");
        String attemptSpanId = upstreamTraceparent.substring(36, 52);
        assertThat(attemptSpanId).isNotEqualTo(CLIENT_SPAN);

        // the collector got an OTLP/HTTP protobuf export holding that trace and that attempt span
        byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
        byte[] attemptSpan = HexFormat.of().parseHex(attemptSpanId);
        byte[] clientSpan = HexFormat.of().parseHex(CLIENT_SPAN);
        LoggedRequest export = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (export == null && System.nanoTime() < deadline) {
            for (LoggedRequest e : collector.findAll(postRequestedFor(urlEqualTo("/v1/traces")))) {
                if (contains(e.getBody(), traceId) && contains(e.getBody(), attemptSpan)) {
                    export = e;
                }
            }
            if (export == null) {
                Thread.sleep(200);
            }
        }
        assertThat(export)
                .as("an OTLP export with trace %s within 30 s\n%s", TRACE_ID, junction.logTail(40))
                .isNotNull();
        assertThat(export.getHeader("content-type")).isEqualTo("application/x-protobuf");
        assertThat(export.getHeader("x-collector-token")).isEqualTo("it-collector-secret");
        byte[] body = export.getBody();
        assertThat(contains(body, clientSpan))
                .as("the server span's parent is the client's span")
                .isTrue();
        for (String text : List.of(
                "junction-it",
                "chat managed",
                "chat gpt-4o-mini",
                "gen_ai.usage.input_tokens",
                "gen_ai.provider.name")) {
            assertThat(contains(body, text.getBytes(StandardCharsets.UTF_8)))
                    .as("the export holds '%s'", text)
                    .isTrue();
        }
        assertThat(junction.log()).doesNotContain("it-collector-secret");
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
