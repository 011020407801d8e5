package io.junction.it;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.not;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionUserMessageParam;
import com.openai.models.completions.CompletionUsage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI SDK against Junction with WireMock playing Groq (the {@code groq} preset with its
 * {@code base_url} pointed at WireMock), serving OpenAI's recorded chat completions (Groq speaks the
 * same format): pass-through answers, streams and a tool round trip, and Groq's documented request
 * quirks (fields Groq rejects are removed, {@code n > 1} is refused before any upstream call).
 */
class GroqProviderIT {
    private static final String CHAT = "/openai/v1/chat/completions";
    private static final String MODEL_NAME = "llama-3.3-70b-versatile";
    private static final String MODEL = "groq/" + MODEL_NAME;
    private static final String PROVIDER_KEY = "gsk_upstream_secret";
    private static final String TEXT_JSON = "openai/chat-completion.text.json";
    private static final String TEXT_STREAM = "openai/chat-completion.text.stream.jsonl";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = Providers.startUpstream();
        String extra = Providers.provider(
                "groq",
                "type: groq, base_url: \"http://127.0.0.1:%d/openai/v1\", api_key: %s"
                        .formatted(upstream.port(), PROVIDER_KEY));
        junction = JunctionProcess.start("groq", port -> Configs.standard(port, upstream.port(), extra));
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
    void nonStreamAnswerWithoutTheFieldsGroqRejects() {
        JsonNode fixture = Fixtures.json(TEXT_JSON);
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(Providers.json(Fixtures.text(TEXT_JSON))));

        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addMessage(ChatCompletionUserMessageParam.builder()
                                .content("Invent a new holiday and describe its traditions.")
                                .name("alice")
                                .build())
                        .temperature(0.7)
                        .logprobs(true)
                        .topLogprobs(2)
                        .logitBias(ChatCompletionCreateParams.LogitBias.builder()
                                .putAdditionalProperty("50256", JsonValue.from(-100))
                                .build())
                        .build());

        assertThat(c.id()).isEqualTo(fixture.get("id").asText());
        assertThat(c.choices().get(0).message().content())
                .hasValue(fixture.at("/choices/0/message/content").asText());
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(16);
        assertThat(usage.completionTokens()).isEqualTo(363);
        assertThat(usage.totalTokens()).isEqualTo(379);

        JsonNode body = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(CHAT))));
        assertThat(body.path("model").asText()).isEqualTo(MODEL_NAME);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.7);
        assertThat(fieldNames(body)).doesNotContain("logprobs", "top_logprobs", "logit_bias");
        assertThat(body.at("/messages/0/content").asText())
                .isEqualTo("Invent a new holiday and describe its traditions.");
        assertThat(body.at("/messages/0").has("name")).isFalse();
    }

    @Test
    void moreThanOneChoiceIsRefusedWithoutAnUpstreamCall() {
        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("two answers please")
                        .n(2)
                        .build()));

        assertThat(e).isNotNull();
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.getMessage()).contains("n");
        assertThat(upstream.getAllServeEvents()).isEmpty();
    }

    @Test
    void streamedAnswerWithUsage() {
        List<String> recorded = Fixtures.jsonlLines(TEXT_STREAM);
        upstream.stubFor(post(urlEqualTo(CHAT)).willReturn(Providers.sse(Fixtures.jsonlAsSse(TEXT_STREAM))));

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Invent a new holiday and describe its traditions.")
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(chunks).hasSize(recorded.size());
        assertThat(Sdk.text(chunks)).isEqualTo(Fixtures.concatenatedContent(recorded));
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(16);
        assertThat(usage.completionTokens()).isEqualTo(300);
        assertThat(usage.totalTokens()).isEqualTo(316);

        JsonNode body = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(CHAT))));
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
                .willReturn(Providers.json(Fixtures.text(TEXT_JSON))));

        ChatCompletionCreateParams conversation = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("What is the capital of the UK? Use the tool, then answer.")
                .addFunctionTool(Sdk.getCapitalTool())
                .build();
        ChatCompletion c1 = Providers.accumulate(Providers.stream(client, conversation));

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = Providers.calls(c1).get(0);
        assertThat(call.id()).isEqualTo("call_ZR5UUuTt3pf61kjwAJIYdVMj");
        assertThat(call.function().name()).isEqualTo("get_capital");

        ChatCompletion c2 = client.chat()
                .completions()
                .create(conversation.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(call.id(), "London"))
                        .build());
        assertThat(c2.choices().get(0).message().content())
                .hasValue(Fixtures.json(TEXT_JSON)
                        .at("/choices/0/message/content")
                        .asText());

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(CHAT)));
        assertThat(sent).hasSize(2);
        JsonNode first = Providers.body(sent.get(0));
        assertThat(first.at("/tools/0/function/name").asText()).isEqualTo("get_capital");
        JsonNode messages = Providers.body(sent.get(1)).path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.at("/1/tool_calls/0/id").asText()).isEqualTo("call_ZR5UUuTt3pf61kjwAJIYdVMj");
        assertThat(messages.at("/1/tool_calls/0/function/arguments").asText()).isEqualTo("{\"country\":\"UK\"}");
        assertThat(messages.get(2))
                .isEqualTo(
                        Fixtures.parse(
                                "{\"role\":\"tool\",\"tool_call_id\":\"call_ZR5UUuTt3pf61kjwAJIYdVMj\",\"content\":\"London\"}"));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
