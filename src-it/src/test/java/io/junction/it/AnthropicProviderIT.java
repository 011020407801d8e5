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
import com.openai.models.ReasoningEffort;
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
 * The OpenAI SDK against Junction with WireMock playing Anthropic's Messages API (recorded
 * payloads from {@code fixtures/anthropic/}): answers, streams and a tool round trip, and what
 * Anthropic received.
 */
class AnthropicProviderIT {
    private static final String MESSAGES = "/v1/messages";
    private static final String PROVIDER_KEY = "sk-ant-upstream-secret";
    private static final String MODEL = "anthropic/claude-sonnet-4-5";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = Providers.startUpstream();
        String extra = Providers.provider(
                "anthropic",
                "type: anthropic, base_url: \"http://127.0.0.1:%d\", api_key: %s"
                        .formatted(upstream.port(), PROVIDER_KEY));
        junction = JunctionProcess.start("anthropic", port -> Configs.standard(port, upstream.port(), extra));
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
        Providers.assertOnlyProviderCredentials(upstream, "x-api-key", PROVIDER_KEY::equals);
    }

    @Test
    void nonStreamAnswer() {
        upstream.stubFor(
                post(urlEqualTo(MESSAGES)).willReturn(Providers.json(Fixtures.text("anthropic/message.text.json"))));

        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addSystemMessage("Be brief.")
                        .addUserMessage("Hello, how are you?")
                        .maxCompletionTokens(200)
                        .build());

        assertThat(c.id()).isEqualTo("msg_01VdEjxAP5ahtHKrrRdNBteQ");
        assertThat(c.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content())
                .hasValue("Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I"
                        + " can help you with?");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(12);
        assertThat(usage.completionTokens()).isEqualTo(29);
        assertThat(usage.totalTokens()).isEqualTo(41);

        LoggedRequest sent = Providers.only(upstream, postRequestedFor(urlEqualTo(MESSAGES)));
        assertThat(sent.getHeader("anthropic-version")).isEqualTo("2023-06-01");
        JsonNode body = Providers.body(sent);
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(200);
        assertThat(body.at("/system/0/text").asText()).isEqualTo("Be brief.");
        assertThat(body.path("messages")).hasSize(1);
        assertThat(body.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void streamedAnswerWithUsage() {
        upstream.stubFor(post(urlEqualTo(MESSAGES))
                .willReturn(Providers.sse(Providers.jsonlAsSse("anthropic/message.text.stream.jsonl", true, "\n"))));

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Hello, how are you?")
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(Sdk.text(chunks))
                .isEqualTo("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I"
                        + " can help you with?");
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        assertThat(chunks).allSatisfy(ch -> assertThat(ch.id()).isEqualTo("msg_01QC4g3HwBThD4BaNtBckFDJ"));
        assertThat(chunks.get(0).choices().get(0).delta().role())
                .hasValue(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(12);
        assertThat(usage.completionTokens()).isEqualTo(30);
        assertThat(usage.totalTokens()).isEqualTo(42);

        LoggedRequest sent = Providers.only(upstream, postRequestedFor(urlEqualTo(MESSAGES)));
        assertThat(sent.getHeader("Accept")).isEqualTo("text/event-stream");
        JsonNode body = Providers.body(sent);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(4096); // default_max_tokens
        assertThat(body.has("stream_options")).isFalse();
    }

    @Test
    void toolRoundTrip() {
        // First call: Anthropic answers with text and a tool_use; second call (it carries the
        // tool_result): the final text answer.
        upstream.stubFor(post(urlEqualTo(MESSAGES))
                .withRequestBody(not(containing("tool_result")))
                .willReturn(Providers.json(Fixtures.text("anthropic/message.text-and-tool-use.json"))));
        upstream.stubFor(post(urlEqualTo(MESSAGES))
                .withRequestBody(containing("tool_result"))
                .willReturn(Providers.json(Fixtures.text("anthropic/message.text.json"))));

        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("Update the issue list.")
                .addFunctionTool(Providers.tool("updateIssueList", "Updates the current issue list"))
                .build();
        ChatCompletion c1 = client.chat().completions().create(first);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c1.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).endsWith("Okay, I will update the current issue list:"));
        List<ChatCompletionMessageFunctionToolCall> calls = Providers.calls(c1);
        assertThat(calls).hasSize(1);
        ChatCompletionMessageFunctionToolCall call = calls.get(0);
        assertThat(call.id()).isEqualTo("toolu_01LRmxn9vGM1d2DZSDBowdZ1");
        assertThat(call.function().name()).isEqualTo("updateIssueList");
        assertThat(Fixtures.parse(call.function().arguments())).isEqualTo(Fixtures.parse("{}"));
        assertThat(c1.usage().orElseThrow().promptTokens()).isEqualTo(602);

        ChatCompletion c2 = client.chat()
                .completions()
                .create(first.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(call.id(), "3 issues updated"))
                        .build());

        assertThat(c2.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).startsWith("Hello! I'm doing well"));
        assertThat(c2.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(MESSAGES)));
        assertThat(sent).hasSize(2);
        JsonNode firstBody = Providers.body(sent.get(0));
        assertThat(firstBody.at("/tools/0/name").asText()).isEqualTo("updateIssueList");
        assertThat(firstBody.at("/tools/0/input_schema/type").asText()).isEqualTo("object");
        JsonNode second = Providers.body(sent.get(1));
        JsonNode messages = second.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.at("/1/role").asText()).isEqualTo("assistant");
        JsonNode toolUse = lastBlock(messages.get(1));
        assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
        assertThat(toolUse.path("id").asText()).isEqualTo("toolu_01LRmxn9vGM1d2DZSDBowdZ1");
        assertThat(toolUse.path("name").asText()).isEqualTo("updateIssueList");
        assertThat(toolUse.path("input")).isEqualTo(Fixtures.parse("{}"));
        assertThat(messages.at("/2/role").asText()).isEqualTo("user");
        JsonNode result = messages.at("/2/content/0");
        assertThat(result.path("type").asText()).isEqualTo("tool_result");
        assertThat(result.path("tool_use_id").asText()).isEqualTo("toolu_01LRmxn9vGM1d2DZSDBowdZ1");
        assertThat(result.path("content").asText()).isEqualTo("3 issues updated");
        assertThat(second.at("/tools/0/name").asText()).isEqualTo("updateIssueList");
    }

    @Test
    void streamedToolCallRoundTrip() {
        upstream.stubFor(post(urlEqualTo(MESSAGES))
                .withRequestBody(not(containing("tool_result")))
                .willReturn(Providers.sse(Fixtures.text("anthropic/message.tool-use.stream.sse"))));
        upstream.stubFor(post(urlEqualTo(MESSAGES))
                .withRequestBody(containing("tool_result"))
                .willReturn(Providers.sse(Providers.jsonlAsSse("anthropic/message.text.stream.jsonl", true, "\n"))));

        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("What is the weather in Paris?")
                .addFunctionTool(Providers.tool("get_weather", "Current weather", "location"))
                .streamOptions(Providers.includeUsage())
                .build();
        List<ChatCompletionChunk> chunks = Providers.stream(client, first);
        ChatCompletion c1 = Providers.accumulate(chunks);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c1.choices().get(0).message().content())
                .hasValue("I'll check the current weather in Paris for you.");
        ChatCompletionMessageFunctionToolCall call = Providers.calls(c1).get(0);
        assertThat(Providers.calls(c1)).hasSize(1);
        assertThat(call.id()).isEqualTo("toolu_01NRLabsLyVHZPKxbKvkfSMn");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Fixtures.parse(call.function().arguments())).isEqualTo(Fixtures.parse("{\"location\":\"Paris\"}"));
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(377);
        assertThat(usage.completionTokens()).isEqualTo(65);

        List<ChatCompletionChunk> answer = Providers.stream(
                client,
                first.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(call.id(), "{\"temperature_c\":18}"))
                        .build());
        assertThat(Sdk.text(answer)).startsWith("Hello! I'm doing well");
        assertThat(Providers.finishReasons(answer)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(MESSAGES)));
        assertThat(sent).hasSize(2);
        JsonNode messages = Providers.body(sent.get(1)).path("messages");
        assertThat(messages.at("/1/content/0"))
                .isEqualTo(Fixtures.parse(
                        "{\"type\":\"text\",\"text\":\"I'll check the current weather in Paris for you.\"}"));
        assertThat(messages.at("/1/content/1"))
                .isEqualTo(Fixtures.parse(
                        "{\"type\":\"tool_use\",\"id\":\"toolu_01NRLabsLyVHZPKxbKvkfSMn\",\"name\":\"get_weather\","
                                + "\"input\":{\"location\":\"Paris\"}}"));
        assertThat(messages.at("/2/content/0"))
                .isEqualTo(
                        Fixtures.parse("{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01NRLabsLyVHZPKxbKvkfSMn\","
                                + "\"content\":\"{\\\"temperature_c\\\":18}\"}"));
    }

    @Test
    void reasoningEffortBecomesExtendedThinkingStreamedBackAsReasoningContent() {
        String recorded = Fixtures.text("anthropic/message.thinking.stream.sse");
        upstream.stubFor(post(urlEqualTo(MESSAGES)).willReturn(Providers.sse(recorded)));
        StringBuilder thinking = new StringBuilder();
        StringBuilder text = new StringBuilder();
        int outputTokens = -1;
        for (String data : Fixtures.sseData(recorded)) {
            JsonNode event = Fixtures.parse(data);
            JsonNode delta = event.path("delta");
            switch (delta.path("type").asText()) {
                case "thinking_delta" -> thinking.append(delta.path("thinking").asText());
                case "text_delta" -> text.append(delta.path("text").asText());
                default -> {}
            }
            if (event.path("type").asText().equals("message_delta")) {
                outputTokens = event.at("/usage/output_tokens").asInt();
            }
        }

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("How do I cross the street?")
                        .reasoningEffort(ReasoningEffort.MINIMAL)
                        .maxCompletionTokens(4096)
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(Providers.reasoning(chunks)).isEqualTo(thinking.toString()).startsWith("This is a straightforward");
        assertThat(Sdk.text(chunks)).isEqualTo(text.toString()).isNotEmpty();
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(43);
        assertThat(usage.completionTokens()).isEqualTo(outputTokens);

        // What Junction sent is what produced the recording: thinking with the minimal budget.
        JsonNode recordedRequest = Fixtures.json("anthropic/message.thinking.stream.request.json");
        JsonNode body = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(MESSAGES))));
        assertThat(body.path("thinking")).isEqualTo(recordedRequest.path("thinking"));
        assertThat(body.path("max_tokens")).isEqualTo(recordedRequest.path("max_tokens"));
        assertThat(body.path("stream")).isEqualTo(recordedRequest.path("stream"));
    }

    private static JsonNode lastBlock(JsonNode message) {
        JsonNode content = message.path("content");
        return content.get(content.size() - 1);
    }
}
