package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI stream relay is byte-exact whichever way a chunk goes through Junction: plain chunks
 * (framed straight from the upstream's bytes, no {@code ChatChunk} built) and the ones that take the
 * full parse (tool calls, several choices, unusual fields) alike, each flushed as the upstream sent it;
 * the final usage chunk too, with Junction's {@code extra_fields} member added before its closing
 * brace.
 */
class PassThroughRelayHttpTest {
    private static final String HEAD =
            "\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"gpt-4.1\",\"system_fingerprint\":\"fp_x\",";

    /** What the upstream streams, one event each; the usage chunk is the last. */
    static final List<String> EVENTS = List.of(
            "{" + HEAD
                    + "\"service_tier\":\"default\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"q1\"}",
            "{" + HEAD
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Caf\\u00e9 \\\"quoted\\\" \\\\ \\ud83d\\ude00 é中😀\\n\"},\"logprobs\":null,\"finish_reason\":null}],\"obfuscation\":\"zz\"}",
            "{  \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"spaced\" } } ] , "
                    + HEAD.replace(",", ", ") + "\"x_vendor\":{\"nested\":[1,{\"a\":null}]}}",
            "{" + HEAD
                    + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get\",\"arguments\":\"{\\\"q\\\":[1,2]}\"}}]},\"finish_reason\":null}]}",
            "{" + HEAD
                    + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}},{\"index\":1,\"delta\":{\"content\":\"b\"}}]}",
            "{" + HEAD + "\"choices\":[]}",
            "{" + HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}",
            "{" + HEAD
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":null}},\"x_cost\":1.50E-5 }");

    static final List<String> NESTED_EVENTS = List.of(
            EVENTS.getFirst(),
            "{" + HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12},"
                    + "\"extra_fields\":{\"provider\":\"inner\"}}");

    private static HttpServer upstream;
    private static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.createContext("/v1/chat/completions", ex -> {
            // "nested": the upstream is itself a gateway whose usage chunk has its own extra_fields
            boolean nested = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).contains("nested");
            try (ex) {
                ex.getResponseHeaders().set("content-type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                OutputStream o = ex.getResponseBody();
                for (String e : nested ? NESTED_EVENTS : EVENTS) {
                    o.write(("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
                    o.flush();
                }
                o.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
            }
        });
        upstream.start();
        gw = new TestGateway("""
                providers:
                  oai: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: up, models: [gpt-4.1], retry: { max_retries: 0 } }
                """.formatted(upstream.getAddress().getPort()));
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.stop(0);
    }

    private static HttpResponse<String> stream(boolean includeUsage) throws Exception {
        return stream(includeUsage, "hi");
    }

    private static HttpResponse<String> stream(boolean includeUsage, String prompt) throws Exception {
        return gw.post(
                "/v1/chat/completions",
                "{\"model\":\"oai/gpt-4.1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                        + "\"}]"
                        + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                        + "}");
    }

    @Test
    void everyChunkReachesTheClientExactlyAsTheUpstreamSentIt() throws Exception {
        HttpResponse<String> r = stream(false);
        assertThat(r.statusCode()).isEqualTo(200);
        StringBuilder expected = new StringBuilder();
        for (String e : EVENTS.subList(0, EVENTS.size() - 1)) { // the client did not ask for usage
            expected.append("data: ").append(e).append("\n\n");
        }
        expected.append("data: [DONE]\n\n");
        assertThat(r.body()).isEqualTo(expected.toString());
    }

    @Test
    void theUsageChunkKeepsTheUpstreamsBytesWithExtraFieldsAdded() throws Exception {
        HttpResponse<String> r = stream(true);
        assertThat(r.statusCode()).isEqualTo(200);
        StringBuilder expected = new StringBuilder();
        for (String e : EVENTS.subList(0, EVENTS.size() - 1)) {
            expected.append("data: ").append(e).append("\n\n");
        }
        assertThat(r.body()).startsWith(expected.toString()).endsWith("data: [DONE]\n\n");
        String last = r.body().substring(expected.length(), r.body().length() - "data: [DONE]\n\n".length());
        assertThat(last).startsWith("data: ").endsWith("\n\n");
        // the upstream's own bytes up to its closing brace (the space before it kept), then ours
        String upstreamUsage = EVENTS.getLast();
        String kept = upstreamUsage.substring(0, upstreamUsage.lastIndexOf('}'));
        assertThat(last).startsWith("data: " + kept + ",\"extra_fields\":{").endsWith("}}\n\n");
        JsonNode usage = Json.MAPPER.readTree(last.substring("data: ".length()).trim());
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(7);
        assertThat(usage.at("/choices").isArray()).isTrue();
        assertThat(usage.at("/extra_fields/provider").asText()).isEqualTo("oai");
    }

    @Test
    void aUsageChunkWithItsOwnExtraFieldsIsReencodedWithOursInstead() throws Exception {
        HttpResponse<String> r = stream(true, "nested");
        assertThat(r.statusCode()).isEqualTo(200);
        String[] events = r.body().split("\n\n");
        String last = events[events.length - 2];
        assertThat(last).containsOnlyOnce("\"extra_fields\"");
        JsonNode usage = Json.MAPPER.readTree(last.substring("data: ".length()));
        assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(12);
        assertThat(usage.at("/extra_fields/provider").asText()).isEqualTo("oai");
    }
}
