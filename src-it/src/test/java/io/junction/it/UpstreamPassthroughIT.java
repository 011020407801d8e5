package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests relayed to an OpenAI-compatible upstream (WireMock serving recorded OpenAI payloads):
 * what the client gets back, and what the upstream received.
 */
class UpstreamPassthroughIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String TEXT_JSON = "openai/chat-completion.text.json";
    private static final String TEXT_STREAM = "openai/chat-completion.text.stream.jsonl";
    private static final String TOOL_STREAM = "openai/chat-completion.tool-calls.stream.sse";
    private static final String TOOL_REQUEST = "openai/chat-completion.tool-calls.stream.request.json";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        junction = JunctionProcess.start("passthrough", port -> Configs.standard(port, upstream.port(), ""));
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
        }
    }

    @BeforeEach
    void reset() {
        upstream.resetAll();
    }

    @Test
    void nonStreamCompletionIsRelayedAndTheUpstreamSeesOnlyItsOwnKeyAndNoGatewayFields() {
        JsonNode fixture = Fixtures.json(TEXT_JSON);
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(okJson(Fixtures.text(TEXT_JSON))));

        HttpResponseFor<ChatCompletion> raw = client.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model("up/gpt-4o-mini")
                        .addUserMessage("Invent a new holiday and describe its traditions.")
                        .temperature(0.5)
                        // Junction's own extension fields: consumed by the gateway, never forwarded.
                        .putAdditionalBodyProperty("fallbacks", JsonValue.from(List.of("mock/echo")))
                        .putAdditionalBodyProperty("session_id", JsonValue.from("sess-42"))
                        .putAdditionalBodyProperty("tags", JsonValue.from(List.of("it")))
                        .putAdditionalBodyProperty("labels", JsonValue.from(Map.of("team", "a")))
                        .build());
        ChatCompletion completion = raw.parse();

        assertThat(completion.id()).isEqualTo(fixture.get("id").asText());
        assertThat(completion.model()).isEqualTo("gpt-4.1-nano-2025-04-14");
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content())
                .hasValue(fixture.at("/choices/0/message/content").asText());
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(16);
        assertThat(usage.completionTokens()).isEqualTo(363);
        assertThat(usage.totalTokens()).isEqualTo(379);

        JsonNode extra = Sdk.extraFields(completion._additionalProperties());
        assertThat(extra.path("provider").asText()).isEqualTo("up");
        assertThat(extra.path("model_requested").asText()).isEqualTo("up/gpt-4o-mini");
        assertThat(extra.path("model_used").asText()).isEqualTo("gpt-4.1-nano-2025-04-14");
        assertThat(extra.path("attempts")).hasSize(1);
        assertThat(extra.path("latency_ms").isIntegralNumber()).isTrue();
        assertThat(raw.headers().values("x-junction-provider")).containsExactly("up");
        assertThat(raw.headers().values("x-junction-model")).containsExactly("gpt-4o-mini");
        assertThat(raw.headers().values("x-junction-attempts")).containsExactly("1");
        assertThat(raw.headers().values("x-request-id")).hasSize(1);

        upstream.verify(
                exactly(1),
                postRequestedFor(urlEqualTo(CHAT))
                        .withHeader("Authorization", equalTo("Bearer " + Configs.UPSTREAM_KEY)));
        LoggedRequest sent = onlyUpstreamRequest();
        for (HttpHeader h : sent.getHeaders().all()) {
            assertThat(h.values()).as("upstream header %s", h.key()).noneMatch(v -> v.contains(Configs.KEY));
        }
        JsonNode body = Fixtures.parse(sent.getBodyAsString());
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(body.at("/messages/0/content").asText())
                .isEqualTo("Invent a new holiday and describe its traditions.");
        assertThat(fieldNames(body)).doesNotContain("fallbacks", "session_id", "tags", "labels", "stream_options");
    }

    @Test
    void streamWithIncludeUsageRelaysEveryChunkAndTheUsageChunk() {
        List<String> recorded = Fixtures.jsonlLines(TEXT_STREAM);
        stubSse(Fixtures.jsonlAsSse(TEXT_STREAM));

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("up/gpt-4o-mini")
                        .addUserMessage("Invent a new holiday and describe its traditions.")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            stream.stream().forEach(chunks::add);
        }

        assertThat(chunks).hasSize(recorded.size());
        assertThat(Sdk.text(chunks))
                .isEqualTo(Fixtures.concatenatedContent(recorded))
                .startsWith("**Holiday");
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(16);
        assertThat(usage.completionTokens()).isEqualTo(300);
        assertThat(usage.totalTokens()).isEqualTo(316);
        JsonNode extra = Sdk.extraFields(last._additionalProperties());
        assertThat(extra.path("provider").asText()).isEqualTo("up");
        assertThat(extra.path("model_requested").asText()).isEqualTo("up/gpt-4o-mini");
        assertThat(extra.path("attempts")).hasSize(1);
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.usage()).isEmpty())
                .allSatisfy(c -> assertThat(c._additionalProperties()).doesNotContainKey("extra_fields"));

        upstream.verify(
                exactly(1),
                postRequestedFor(urlEqualTo(CHAT))
                        .withHeader("Accept", equalTo("text/event-stream"))
                        .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                        .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true"))));
    }

    @Test
    void streamWithoutIncludeUsageHidesTheUsageChunkJunctionAskedFor() {
        stubSse(Fixtures.jsonlAsSse(TEXT_STREAM));

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("up/gpt-4o-mini")
                        .addUserMessage("Invent a new holiday and describe its traditions.")
                        .build())) {
            stream.stream().forEach(chunks::add);
        }

        List<String> recorded = Fixtures.jsonlLines(TEXT_STREAM);
        assertThat(chunks).hasSize(recorded.size() - 1);
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(chunks).allSatisfy(c -> assertThat(c.choices()).isNotEmpty());
        assertThat(Sdk.text(chunks)).isEqualTo(Fixtures.concatenatedContent(recorded));
        // The client did not ask for usage, Junction did (for its own accounting).
        upstream.verify(
                exactly(1),
                postRequestedFor(urlEqualTo(CHAT))
                        .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true"))));
    }

    @Test
    void streamedChunksAreRelayedByteForByteWithoutTheUsageChunk() {
        String recorded = Fixtures.text(TOOL_STREAM);
        stubSse(recorded);
        ObjectNode request = (ObjectNode) Fixtures.json(TOOL_REQUEST);
        request.put("model", "up/gpt-4o-mini");
        request.remove("stream_options");

        HttpResponse<String> r = Clients.postJson(junction, CHAT, Configs.KEY, request.toString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
        StringBuilder expected = new StringBuilder();
        for (String data : Fixtures.sseData(recorded)) {
            if (!Fixtures.isUsageChunk(data)) {
                expected.append("data: ").append(data).append("\n\n");
            }
        }
        assertThat(r.body()).isEqualTo(expected.toString()).endsWith("data: [DONE]\n\n");

        LoggedRequest sent = onlyUpstreamRequest();
        JsonNode body = Fixtures.parse(sent.getBodyAsString());
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("tools")).isEqualTo(Fixtures.json(TOOL_REQUEST).path("tools"));
        assertThat(body.path("tool_choice").asText()).isEqualTo("auto");
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void streamedToolCallDeltasAccumulateInTheSdk() {
        stubSse(Fixtures.text(TOOL_STREAM));

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("up/gpt-4o-mini")
                        .addUserMessage("What is the capital of the UK? Use the tool, then answer.")
                        .addFunctionTool(Sdk.getCapitalTool())
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            stream.stream().peek(chunks::add).forEach(acc::accumulate);
        }

        ChatCompletion completion = acc.chatCompletion();
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        List<ChatCompletionMessageToolCall> calls =
                completion.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_ZR5UUuTt3pf61kjwAJIYdVMj");
        assertThat(call.function().name()).isEqualTo("get_capital");
        assertThat(Fixtures.parse(call.function().arguments())).isEqualTo(Fixtures.parse("{\"country\":\"UK\"}"));
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(53);
        assertThat(usage.completionTokens()).isEqualTo(15);
        assertThat(usage.totalTokens()).isEqualTo(68);
        upstream.verify(
                exactly(1),
                postRequestedFor(urlEqualTo(CHAT))
                        .withRequestBody(matchingJsonPath("$.tools[0].function.name", equalTo("get_capital"))));
    }

    @Test
    void nonStreamBodyKeepsEveryUpstreamFieldAndOnlyGainsExtraFields() {
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(okJson(Fixtures.text(TEXT_JSON))));

        HttpResponse<String> r = Clients.postJson(
                junction,
                CHAT,
                Configs.KEY,
                "{\"model\":\"up/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        ObjectNode relayed = (ObjectNode) Fixtures.parse(r.body());
        assertThat(relayed.remove("extra_fields")).isNotNull();
        // Junction re-encodes non-stream bodies; a null-valued field may be left out, nothing else.
        assertThat(withoutNulls(relayed)).isEqualTo(withoutNulls(Fixtures.json(TEXT_JSON)));
    }

    @Test
    void streamWithIncludeUsageIsByteExactExceptTheUsageChunkWhichOnlyGainsExtraFields() {
        String recorded = Fixtures.text(TOOL_STREAM);
        stubSse(recorded);
        ObjectNode request = (ObjectNode) Fixtures.json(TOOL_REQUEST);
        request.put("model", "up/gpt-4o-mini");

        HttpResponse<String> r = Clients.postJson(junction, CHAT, Configs.KEY, request.toString());

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> sent = Fixtures.sseData(recorded);
        List<String> got = Fixtures.sseData(r.body());
        assertThat(got).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            if (Fixtures.isUsageChunk(sent.get(i))) {
                ObjectNode usageChunk = (ObjectNode) Fixtures.parse(got.get(i));
                JsonNode extra = usageChunk.remove("extra_fields");
                assertThat(extra.path("provider").asText()).isEqualTo("up");
                assertThat(withoutNulls(usageChunk)).isEqualTo(withoutNulls(Fixtures.parse(sent.get(i))));
            } else {
                assertThat(got.get(i)).as("event %d relayed byte for byte", i).isEqualTo(sent.get(i));
            }
        }
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
    }

    /** A copy of {@code node} with every null-valued object field removed, recursively. */
    static JsonNode withoutNulls(JsonNode node) {
        JsonNode copy = node.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            List<String> nulls = new ArrayList<>();
            obj.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    nulls.add(e.getKey());
                } else {
                    strip(e.getValue());
                }
            });
            obj.remove(nulls);
        } else if (node.isArray()) {
            node.forEach(UpstreamPassthroughIT::strip);
        }
    }

    private static void stubSse(String body) {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/event-stream; charset=utf-8")
                        .withBody(body)));
    }

    private static LoggedRequest onlyUpstreamRequest() {
        List<LoggedRequest> all = upstream.findAll(postRequestedFor(urlEqualTo(CHAT)));
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
