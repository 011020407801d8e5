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
 * The OpenAI SDK against Junction with WireMock playing the Gemini API (recorded payloads from
 * {@code fixtures/gemini/}, streams framed with CRLF as Gemini sends them): answers, streams and
 * tool round trips, and what Gemini received.
 */
class GeminiProviderIT {
    private static final String MODEL_NAME = "gemini-3-pro-preview";
    private static final String MODEL = "gemini/" + MODEL_NAME;
    private static final String GENERATE = "/v1beta/models/" + MODEL_NAME + ":generateContent";
    private static final String STREAM = "/v1beta/models/" + MODEL_NAME + ":streamGenerateContent?alt=sse";
    private static final String PROVIDER_KEY = "gemini-upstream-secret";

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = Providers.startUpstream();
        String extra = Providers.provider(
                "gemini",
                "type: gemini, base_url: \"http://127.0.0.1:%d\", api_key: %s"
                        .formatted(upstream.port(), PROVIDER_KEY));
        junction = JunctionProcess.start("gemini", port -> Configs.standard(port, upstream.port(), extra));
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
        Providers.assertOnlyProviderCredentials(upstream, "x-goog-api-key", PROVIDER_KEY::equals);
    }

    @Test
    void nonStreamAnswer() {
        upstream.stubFor(post(urlEqualTo(GENERATE))
                .willReturn(Providers.json(Fixtures.text("gemini/generate-content.text.json"))));

        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addSystemMessage("Answer precisely.")
                        .addUserMessage("How many r's are in strawberry?")
                        .temperature(0.2)
                        .maxCompletionTokens(1000)
                        .build());

        assertThat(c.id()).isEqualTo("Un6LacrVMcjUxs0PmJfWoQc");
        assertThat(c.model()).isEqualTo(MODEL_NAME);
        assertThat(c.choices().get(0).message().content())
                .hasValue("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(9);
        assertThat(usage.completionTokens()).isEqualTo(28 + 244); // thinking counted as completion
        assertThat(usage.totalTokens()).isEqualTo(281);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens())
                .hasValue(244L);

        JsonNode body = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(GENERATE))));
        assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Answer precisely.");
        assertThat(body.at("/contents/0/role").asText()).isEqualTo("user");
        assertThat(body.at("/contents/0/parts/0/text").asText()).isEqualTo("How many r's are in strawberry?");
        assertThat(body.at("/generationConfig/temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(1000);
        assertThat(body.has("model")).isFalse();
    }

    @Test
    void streamedAnswerWithUsage() {
        upstream.stubFor(post(urlEqualTo(STREAM))
                .willReturn(Providers.sse(
                        Providers.jsonlAsSse("gemini/stream-generate-content.text.jsonl", false, "\r\n"))));

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("How many r's are in strawberry?")
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(Sdk.text(chunks)).isEqualTo("There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y");
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        assertThat(chunks).allSatisfy(ch -> assertThat(ch.id()).isEqualTo("bH6LaZW8Fp_3nsEPqtaSwQ4"));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(9);
        assertThat(usage.completionTokens()).isEqualTo(23 + 185);
        assertThat(usage.totalTokens()).isEqualTo(217);

        LoggedRequest sent = Providers.only(upstream, postRequestedFor(urlEqualTo(STREAM)));
        assertThat(sent.getHeader("Accept")).isEqualTo("text/event-stream");
        assertThat(Providers.body(sent).has("stream")).isFalse();
    }

    @Test
    void reasoningEffortBecomesThinkingConfigAndThoughtsStreamBackAsReasoningContent() {
        String recorded = Fixtures.text("gemini/stream-generate-content.thinking.sse");
        String stream = "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse";
        upstream.stubFor(post(urlEqualTo(stream)).willReturn(Providers.sse(recorded)));
        StringBuilder thoughts = new StringBuilder();
        StringBuilder text = new StringBuilder();
        JsonNode lastUsage = null;
        for (String data : Fixtures.sseData(recorded)) {
            JsonNode event = Fixtures.parse(data);
            for (JsonNode part : event.at("/candidates/0/content/parts")) {
                (part.path("thought").asBoolean() ? thoughts : text)
                        .append(part.path("text").asText());
            }
            lastUsage = event.path("usageMetadata");
        }

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model("gemini/gemini-2.5-pro")
                        .addUserMessage("How do I cross the street?")
                        .reasoningEffort(ReasoningEffort.HIGH)
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(Providers.reasoning(chunks)).isEqualTo(thoughts.toString()).startsWith("**Clarifying User Goals**");
        assertThat(Sdk.text(chunks)).isEqualTo(text.toString()).startsWith("This is a great question!");
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens())
                .isEqualTo(lastUsage.path("promptTokenCount").asLong());
        assertThat(usage.completionTokens())
                .isEqualTo(lastUsage.path("candidatesTokenCount").asLong()
                        + lastUsage.path("thoughtsTokenCount").asLong());
        assertThat(usage.totalTokens())
                .isEqualTo(lastUsage.path("totalTokenCount").asLong());
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens())
                .hasValue(lastUsage.path("thoughtsTokenCount").asLong());

        JsonNode body = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(stream))));
        assertThat(body.at("/generationConfig/thinkingConfig"))
                .isEqualTo(Fixtures.parse("{\"thinkingBudget\":24576,\"includeThoughts\":true}"));
    }

    @Test
    void toolRoundTrip() {
        upstream.stubFor(post(urlEqualTo(GENERATE))
                .withRequestBody(not(containing("functionResponse")))
                .willReturn(Providers.json(Fixtures.text("gemini/generate-content.function-call.json"))));
        upstream.stubFor(post(urlEqualTo(GENERATE))
                .withRequestBody(containing("functionResponse"))
                .willReturn(Providers.json(Fixtures.text("gemini/generate-content.text.json"))));

        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("What is the weather in San Francisco?")
                .addFunctionTool(Providers.tool("weather", "Get the weather in a location", "location"))
                .build();
        ChatCompletion c1 = client.chat().completions().create(first);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c1.choices().get(0).message().content()).isEmpty();
        List<ChatCompletionMessageFunctionToolCall> calls = Providers.calls(c1);
        assertThat(calls).hasSize(1);
        ChatCompletionMessageFunctionToolCall call = calls.get(0);
        assertThat(call.id()).isEqualTo("call_m36LaZGyCLz1xs0PtNSB-QU_0");
        assertThat(call.function().name()).isEqualTo("weather");
        assertThat(Fixtures.parse(call.function().arguments()))
                .isEqualTo(Fixtures.parse("{\"location\":\"San Francisco\"}"));

        ChatCompletion c2 = client.chat()
                .completions()
                .create(first.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(call.id(), "{\"temperature\":\"18C\",\"sky\":\"fog\"}"))
                        .build());

        assertThat(c2.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).startsWith("There are **3** r's"));
        assertThat(c2.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(GENERATE)));
        assertThat(sent).hasSize(2);
        JsonNode firstBody = Providers.body(sent.get(0));
        assertThat(firstBody.at("/tools/0/functionDeclarations/0/name").asText())
                .isEqualTo("weather");
        assertThat(firstBody
                        .at("/tools/0/functionDeclarations/0/parametersJsonSchema/required/0")
                        .asText())
                .isEqualTo("location");
        JsonNode contents = Providers.body(sent.get(1)).path("contents");
        assertThat(contents).hasSize(3);
        assertThat(contents.at("/1/role").asText()).isEqualTo("model");
        assertThat(contents.at("/1/parts/0/functionCall"))
                .isEqualTo(Fixtures.parse("{\"name\":\"weather\",\"args\":{\"location\":\"San Francisco\"}}"));
        // Gemini 3 rejects replayed calls without a signature; the client kept none, so the placeholder.
        assertThat(contents.at("/1/parts/0/thoughtSignature").asText()).isEqualTo("skip_thought_signature_validator");
        assertThat(contents.at("/2/role").asText()).isEqualTo("user");
        assertThat(contents.at("/2/parts/0/functionResponse"))
                .isEqualTo(Fixtures.parse(
                        "{\"name\":\"weather\",\"response\":{\"temperature\":\"18C\",\"sky\":\"fog\"}}"));
    }

    @Test
    void streamedToolCallRoundTrip() {
        upstream.stubFor(post(urlEqualTo(STREAM))
                .withRequestBody(not(containing("functionResponse")))
                .willReturn(Providers.sse(Fixtures.text("gemini/stream-generate-content.function-call.sse"))));
        upstream.stubFor(post(urlEqualTo(STREAM))
                .withRequestBody(containing("functionResponse"))
                .willReturn(Providers.sse(
                        Providers.jsonlAsSse("gemini/stream-generate-content.text.jsonl", false, "\r\n"))));

        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("What is the capital of my country?")
                .addFunctionTool(Providers.tool("get_country", "The user's country"))
                .streamOptions(Providers.includeUsage())
                .build();
        List<ChatCompletionChunk> chunks = Providers.stream(client, first);
        ChatCompletion c1 = Providers.accumulate(chunks);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(Providers.calls(c1)).hasSize(1);
        ChatCompletionMessageFunctionToolCall call = Providers.calls(c1).get(0);
        assertThat(call.id()).isEqualTo("call_QUVVadTSNJ6_qtsPvN7J8Q0_0");
        assertThat(call.function().name()).isEqualTo("get_country");
        assertThat(Fixtures.parse(call.function().arguments())).isEqualTo(Fixtures.parse("{}"));
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(29);
        assertThat(usage.completionTokens()).isEqualTo(10 + 202);

        List<ChatCompletionChunk> answer = Providers.stream(
                client,
                first.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(call.id(), "France"))
                        .build());
        assertThat(Sdk.text(answer)).startsWith("There are **3**");
        assertThat(Providers.finishReasons(answer)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);

        List<LoggedRequest> sent = Providers.requests(upstream, postRequestedFor(urlEqualTo(STREAM)));
        assertThat(sent).hasSize(2);
        JsonNode contents = Providers.body(sent.get(1)).path("contents");
        assertThat(contents.at("/1/parts/0/functionCall"))
                .isEqualTo(Fixtures.parse("{\"name\":\"get_country\",\"args\":{}}"));
        // Plain-text tool output is wrapped, and the name comes from the earlier call with that id.
        assertThat(contents.at("/2/parts/0/functionResponse"))
                .isEqualTo(Fixtures.parse("{\"name\":\"get_country\",\"response\":{\"result\":\"France\"}}"));
    }
}
