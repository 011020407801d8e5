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
 * The OpenAI SDK against Junction with WireMock playing Azure OpenAI's deployments endpoint: the
 * recorded Azure stream (with its prompt-filter annotation chunk) from {@code fixtures/azure/}, and
 * OpenAI's recorded chat completions (the same wire format) for the non-streamed and tool-call
 * answers; the URL form, the {@code api-key} header and the pass-through of tool messages.
 */
class AzureProviderIT {
    private static final String DEPLOYMENT = "gpt-5-nano-prod";
    private static final String MODEL = "azure/" + DEPLOYMENT;
    private static final String CHAT = "/openai/deployments/" + DEPLOYMENT + "/chat/completions?api-version=2024-10-21";
    private static final String PROVIDER_KEY = "azure-upstream-secret";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = Providers.startUpstream();
        String extra = Providers.provider(
                "azure",
                "type: azure, base_url: \"http://127.0.0.1:%d\", api_key: %s".formatted(upstream.port(), PROVIDER_KEY));
        junction = JunctionProcess.start("azure", port -> Configs.standard(port, upstream.port(), extra));
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
        Providers.assertOnlyProviderCredentials(upstream, "api-key", PROVIDER_KEY::equals);
    }

    @Test
    void nonStreamAnswer() {
        JsonNode fixture = Fixtures.json("openai/chat-completion.text.json");
        upstream.stubFor(
                post(urlEqualTo(CHAT)).willReturn(Providers.json(Fixtures.text("openai/chat-completion.text.json"))));

        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Invent a new holiday and describe its traditions.")
                        .build());

        assertThat(c.id()).isEqualTo(fixture.get("id").asText());
        assertThat(c.choices().get(0).message().content())
                .hasValue(fixture.at("/choices/0/message/content").asText());
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(16);
        assertThat(usage.completionTokens()).isEqualTo(363);
        assertThat(usage.totalTokens()).isEqualTo(379);

        JsonNode body = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(CHAT))));
        assertThat(body.path("model").asText()).isEqualTo(DEPLOYMENT);
        assertThat(body.at("/messages/0/content").asText())
                .isEqualTo("Invent a new holiday and describe its traditions.");
    }

    @Test
    void streamedAnswerDropsThePromptFilterAnnotationAndKeepsUsage() {
        String path = "azure/chat-completion.stream.content-filter.jsonl";
        List<String> recorded = Fixtures.jsonlLines(path);
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(Providers.sse(Fixtures.jsonlAsSse(path))));

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("What is the capital of Denmark?")
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(chunks).hasSize(recorded.size() - 1); // the annotation chunk is not relayed
        assertThat(chunks).allSatisfy(ch -> assertThat(ch.id()).isEqualTo("chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt"));
        assertThat(Sdk.text(chunks)).isEqualTo("Capital of Denmark.");
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        assertThat(chunks.get(1).choices().get(0)._additionalProperties()).containsKey("content_filter_results");
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(15);
        assertThat(usage.completionTokens()).isEqualTo(78);
        assertThat(usage.totalTokens()).isEqualTo(93);

        LoggedRequest sent = Providers.only(upstream, postRequestedFor(urlEqualTo(CHAT)));
        JsonNode body = Providers.body(sent);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
    }

    @Test
    void toolRoundTrip() {
        upstream.stubFor(post(urlEqualTo(CHAT))
                .withRequestBody(not(containing("tool_call_id")))
                .willReturn(Providers.sse(Fixtures.text("openai/chat-completion.tool-calls.stream.sse"))));
        upstream.stubFor(post(urlEqualTo(CHAT))
                .withRequestBody(containing("tool_call_id"))
                .willReturn(Providers.json(Fixtures.text("openai/chat-completion.text.json"))));

        ChatCompletionCreateParams conversation = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("What is the capital of the UK? Use the tool, then answer.")
                .addFunctionTool(Sdk.getCapitalTool())
                .build();
        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                conversation.toBuilder().streamOptions(Providers.includeUsage()).build());
        ChatCompletion c1 = Providers.accumulate(chunks);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = Providers.calls(c1).get(0);
        assertThat(call.id()).isEqualTo("call_ZR5UUuTt3pf61kjwAJIYdVMj");
        assertThat(call.function().name()).isEqualTo("get_capital");
        assertThat(Fixtures.parse(call.function().arguments())).isEqualTo(Fixtures.parse("{\"country\":\"UK\"}"));

        ChatCompletion c2 = client.chat()
                .completions()
                .create(conversation.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(call.id(), "London"))
                        .build());
        assertThat(c2.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).isNotBlank());
        assertThat(c2.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(CHAT)));
        assertThat(sent).hasSize(2);
        JsonNode messages = Providers.body(sent.get(1)).path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.at("/1/role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/1/tool_calls/0/id").asText()).isEqualTo("call_ZR5UUuTt3pf61kjwAJIYdVMj");
        assertThat(messages.at("/1/tool_calls/0/function/name").asText()).isEqualTo("get_capital");
        assertThat(messages.get(2))
                .isEqualTo(
                        Fixtures.parse(
                                "{\"role\":\"tool\",\"tool_call_id\":\"call_ZR5UUuTt3pf61kjwAJIYdVMj\",\"content\":\"London\"}"));
    }
}
