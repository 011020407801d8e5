package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A non-streamed answer from an OpenAI-format provider reaches the client as the provider sent it
 * (member order, nulls, empty arrays, escapes, number spellings, unknown fields), with only Junction's
 * {@code extra_fields} added before the closing brace. The input is a recorded OpenAI response.
 */
class ForwardedResponseHttpTest {
    private static final AtomicReference<String> BODY = new AtomicReference<>();
    private static String recorded;
    private static HttpServer upstream;
    private static TestGateway gw;
    private static TestGateway plain;

    @BeforeAll
    static void start() throws Exception {
        try (InputStream in =
                ForwardedResponseHttpTest.class.getResourceAsStream("/fixtures/openai/chat-completion.text.json")) {
            recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/v1/chat/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = BODY.get().getBytes(StandardCharsets.UTF_8);
            try (ex) {
                ex.getResponseHeaders().set("content-type", "application/json");
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
        });
        upstream.start();
        String providers = """
                providers:
                  oai: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: up, models: [gpt-4.1-nano], retry: { max_retries: 0 } }
                """.formatted(upstream.getAddress().getPort());
        gw = new TestGateway(providers);
        // its own server section: loopback and a free port, as TestGateway gives the others
        plain = new TestGateway("server: { host: 127.0.0.1, port: 0, extra_fields: false }\n" + providers);
    }

    @AfterAll
    static void stop() {
        gw.close();
        plain.close();
        upstream.stop(0);
    }

    private static HttpResponse<String> call(TestGateway g, String upstreamBody) throws Exception {
        BODY.set(upstreamBody);
        return g.post(
                "/v1/chat/completions",
                "{\"model\":\"oai/gpt-4.1-nano\",\"messages\":[{\"role\":\"user\",\"content\":\"a holiday\"}]}");
    }

    @Test
    void theRecordedBodyIsForwardedAsSentWithExtraFieldsAppended() throws Exception {
        HttpResponse<String> r = call(gw, recorded);
        assertThat(r.statusCode()).isEqualTo(200);
        String head = recorded.substring(0, recorded.lastIndexOf('}'));
        assertThat(r.body()).startsWith(head + ",\"extra_fields\":{").endsWith("}}");
        JsonNode extra = Json.MAPPER.readTree(r.body()).get("extra_fields");
        assertThat(extra.get("provider").asText()).isEqualTo("oai");
        assertThat(extra.get("model_requested").asText()).isEqualTo("oai/gpt-4.1-nano");
        assertThat(r.headers().firstValue("content-length"))
                .hasValue(Integer.toString(r.body().getBytes(StandardCharsets.UTF_8).length));
        // accounting still read the usage from the parsed answer
        assertThat(r.headers().firstValue(io.junction.server.sse.ChatResponder.COST_HEADER))
                .isPresent();
    }

    @Test
    void unknownNestedFieldsAndNumberSpellingsSurvive() throws Exception {
        String body = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4.1-nano\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\","
                + "\"x_vendor\":{\"score\":1.50E-3,\"list\":[null,{}]}},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}  \n";
        HttpResponse<String> r = call(gw, body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith(body.substring(0, body.lastIndexOf('}')) + ",\"extra_fields\":{");
        assertThat(r.body()).contains("\"score\":1.50E-3,\"list\":[null,{}]");
    }

    @Test
    void withExtraFieldsOffTheClientGetsTheUpstreamBytesExactly() throws Exception {
        HttpResponse<String> r = call(plain, recorded);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(recorded);
    }

    @Test
    void aBodyThatAlreadyCarriesExtraFieldsIsReencodedWithJunctionsOwn() throws Exception {
        String body = "{\"id\":\"c2\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4.1-nano\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                + "\"extra_fields\":{\"provider\":\"another-gateway\"}}";
        HttpResponse<String> r = call(gw, body);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = Json.MAPPER.readTree(r.body());
        assertThat(n.get("extra_fields").get("provider").asText()).isEqualTo("oai");
        assertThat(r.body().split("\"extra_fields\"", -1)).hasSize(2); // exactly one member
    }
}
