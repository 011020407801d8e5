package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.not;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.completions.CompletionUsage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI SDK against Junction with WireMock playing Cohere's v2 Chat API (recorded payloads
 * from {@code fixtures/cohere/}): answers, streams and tool round trips with two parallel calls,
 * and what Cohere received.
 */
class CohereProviderIT {
    private static final String CHAT = "/v2/chat";
    private static final String MODEL_NAME = "command-a-03-2025";
    private static final String MODEL = "cohere/" + MODEL_NAME;
    private static final String PROVIDER_KEY = "co-upstream-secret";
    private static final String PLAN_STREAMED = "I will use the weather tool to find the weather in San Francisco and"
            + " the cityAttractions tool to find attractions in San Francisco.";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = Providers.startUpstream();
        String extra = Providers.provider(
                "cohere",
                "type: cohere, base_url: \"http://127.0.0.1:%d\", api_key: %s"
                        .formatted(upstream.port(), PROVIDER_KEY));
        junction = JunctionProcess.start("cohere", port -> Configs.standard(port, upstream.port(), extra));
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

    @AfterEach
    void providerSawOnlyItsOwnKey() {
        Providers.assertOnlyProviderCredentials(upstream, "Authorization", ("Bearer " + PROVIDER_KEY)::equals);
    }

    @Test
    void nonStreamAnswer() {
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(Providers.json(Fixtures.text("cohere/chat.text.json"))));

        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addSystemMessage("Answer in one sentence.")
                        .addUserMessage("What is the capital of France?")
                        .topP(1.0)
                        .build());

        assertThat(c.id()).isEqualTo("e7592632-1e3d-424f-b129-bd5f9f980f7b");
        assertThat(c.model()).isEqualTo(MODEL_NAME);
        assertThat(c.choices().get(0).message().content()).hasValue("The capital of France is Paris.");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(507);
        assertThat(usage.completionTokens()).isEqualTo(10);
        assertThat(usage.totalTokens()).isEqualTo(517);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).hasValue(448L);

        JsonNode body = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(CHAT))));
        assertThat(body.path("model").asText()).isEqualTo(MODEL_NAME);
        assertThat(body.path("stream").asBoolean(true)).isFalse();
        assertThat(body.path("messages"))
                .isEqualTo(Fixtures.parse("[{\"role\":\"system\",\"content\":\"Answer in one"
                        + " sentence.\"},{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]"));
        assertThat(body.path("p").asDouble()).isEqualTo(0.99); // top_p 1 clamped to Cohere's range
    }

    @Test
    void streamedAnswerWithUsage() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .willReturn(Providers.sse(Providers.jsonlAsSse("cohere/chat.text.stream.jsonl", false, "\n"))));

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("What is the capital of France?")
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(Sdk.text(chunks)).isEqualTo("The capital of France is Paris.");
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        assertThat(chunks).allSatisfy(ch -> assertThat(ch.id()).isEqualTo("321d178c-2c12-44d3-ae42-2f5510f6b1cc"));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(507);
        assertThat(usage.completionTokens()).isEqualTo(10);
        assertThat(usage.totalTokens()).isEqualTo(517);

        LoggedRequest sent = Providers.only(upstream, postRequestedFor(urlEqualTo(CHAT)));
        assertThat(Providers.body(sent).path("stream").asBoolean()).isTrue();
        assertThat(Providers.body(sent).has("stream_options")).isFalse();
    }

    @Test
    void toolRoundTripWithTwoCalls() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .withRequestBody(not(containing("tool_call_id")))
                .willReturn(Providers.json(Fixtures.text("cohere/chat.tool-calls.json"))));
        upstream.stubFor(post(urlEqualTo(CHAT))
                .withRequestBody(containing("tool_call_id"))
                .willReturn(Providers.json(Fixtures.text("cohere/chat.text.json"))));

        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("What is the weather in San Francisco and what attractions should I visit?")
                .addFunctionTool(Providers.tool("weather", "Get the weather in a location", "location"))
                .addFunctionTool(Providers.tool("cityAttractions", "Attractions of a city", "city"))
                .build();
        ChatCompletion c1 = client.chat().completions().create(first);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c1.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).startsWith("I will use the weather tool"));
        List<ChatCompletionMessageFunctionToolCall> calls = Providers.calls(c1);
        assertThat(calls)
                .extracting(ChatCompletionMessageFunctionToolCall::id)
                .containsExactly("weather_dqgshstja6p9", "cityAttractions_dcxfx4myvx68");
        assertThat(calls).extracting(c -> c.function().name()).containsExactly("weather", "cityAttractions");
        assertThat(Fixtures.parse(calls.get(1).function().arguments()))
                .isEqualTo(Fixtures.parse("{\"city\":\"San Francisco\"}"));

        ChatCompletion c2 = client.chat()
                .completions()
                .create(first.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(calls.get(0).id(), "{\"temperature\":\"15C\"}"))
                        .addMessage(Providers.toolResult(calls.get(1).id(), "Golden Gate Bridge"))
                        .build());
        assertThat(c2.choices().get(0).message().content()).hasValue("The capital of France is Paris.");

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(CHAT)));
        assertThat(sent).hasSize(2);
        JsonNode firstBody = Providers.body(sent.get(0));
        assertThat(firstBody.at("/tools/1/function/name").asText()).isEqualTo("cityAttractions");
        assertThat(firstBody.at("/tools/1/function/parameters/required/0").asText())
                .isEqualTo("city");
        JsonNode messages = Providers.body(sent.get(1)).path("messages");
        assertThat(messages).hasSize(4);
        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("tool_plan").asText()).startsWith("I will use the weather tool");
        assertThat(assistant.has("content")).isFalse();
        assertThat(assistant.path("tool_calls").get(0))
                .isEqualTo(Fixtures.parse(
                        "{\"id\":\"weather_dqgshstja6p9\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
                                + "\"arguments\":\"{\\\"location\\\":\\\"San Francisco\\\"}\"}}"));
        assertThat(assistant.path("tool_calls").get(1).path("id").asText()).isEqualTo("cityAttractions_dcxfx4myvx68");
        assertThat(messages.get(2))
                .isEqualTo(
                        Fixtures.parse(
                                "{\"role\":\"tool\",\"tool_call_id\":\"weather_dqgshstja6p9\",\"content\":\"{\\\"temperature\\\":\\\"15C\\\"}\"}"));
        assertThat(messages.get(3))
                .isEqualTo(
                        Fixtures.parse(
                                "{\"role\":\"tool\",\"tool_call_id\":\"cityAttractions_dcxfx4myvx68\",\"content\":\"Golden Gate Bridge\"}"));
    }

    @Test
    void streamedToolCallsRoundTrip() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .withRequestBody(not(containing("tool_call_id")))
                .willReturn(Providers.sse(Providers.jsonlAsSse("cohere/chat.tool-calls.stream.jsonl", false, "\n"))));
        upstream.stubFor(post(urlEqualTo(CHAT))
                .withRequestBody(containing("tool_call_id"))
                .willReturn(Providers.sse(Providers.jsonlAsSse("cohere/chat.text.stream.jsonl", false, "\n"))));

        ChatCompletionCreateParams conversation = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("What is the weather in San Francisco and what attractions should I visit?")
                .addFunctionTool(Providers.tool("weather", "Get the weather in a location", "location"))
                .addFunctionTool(Providers.tool("cityAttractions", "Attractions of a city", "city"))
                .build();
        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                conversation.toBuilder().streamOptions(Providers.includeUsage()).build());
        ChatCompletion c1 = Providers.accumulate(chunks);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c1.choices().get(0).message().content()).hasValue(PLAN_STREAMED);
        List<ChatCompletionMessageFunctionToolCall> calls = Providers.calls(c1);
        assertThat(calls)
                .extracting(ChatCompletionMessageFunctionToolCall::id)
                .containsExactly("weather_e8p4pn45zt0t", "cityAttractions_pyxssbwnq9fq");
        assertThat(Fixtures.parse(calls.get(0).function().arguments()))
                .isEqualTo(Fixtures.parse("{\"location\":\"San Francisco\"}"));
        assertThat(Fixtures.parse(calls.get(1).function().arguments()))
                .isEqualTo(Fixtures.parse("{\"city\":\"San Francisco\"}"));
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(1549);
        assertThat(usage.completionTokens()).isEqualTo(95);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).hasValue(1504L);

        // This time without include_usage: Cohere still reports usage, Junction keeps it from the client.
        List<ChatCompletionChunk> answer = Providers.stream(
                client,
                conversation.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(calls.get(0).id(), "15C and fog"))
                        .addMessage(Providers.toolResult(calls.get(1).id(), "Golden Gate Bridge"))
                        .build());
        assertThat(Sdk.text(answer)).isEqualTo("The capital of France is Paris.");
        assertThat(answer).allSatisfy(ch -> {
            assertThat(ch.usage()).isEmpty();
            assertThat(ch.choices()).isNotEmpty();
        });

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(CHAT)));
        assertThat(sent).hasSize(2);
        JsonNode messages = Providers.body(sent.get(1)).path("messages");
        assertThat(messages.at("/1/tool_plan").asText()).isEqualTo(PLAN_STREAMED);
        assertThat(messages.at("/1/tool_calls/1/function/arguments").asText())
                .isEqualTo("{\"city\": \"San Francisco\"}");
        assertThat(messages.at("/2/tool_call_id").asText()).isEqualTo("weather_e8p4pn45zt0t");
        assertThat(messages.at("/3/tool_call_id").asText()).isEqualTo("cityAttractions_pyxssbwnq9fq");
        assertThat(messages.at("/3/role").asText()).isEqualTo("tool");
        assertThat(Providers.body(sent.get(1)).has("stream_options")).isFalse();
    }
}
