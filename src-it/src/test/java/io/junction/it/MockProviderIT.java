package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.completions.CompletionUsage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in deterministic {@code mock} provider, driven by the official SDK: no network upstream at all. */
class MockProviderIT {
    private static final String PROMPT = "hello there junction";

    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        // No upstream is contacted in this class; 'up' points at a closed port.
        junction = JunctionProcess.start("mock", port -> Configs.standard(port, JunctionProcess.freePort(), ""));
        client = Clients.sdk(junction, Configs.KEY);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (junction != null) {
            junction.close();
        }
    }

    @Test
    void nonStreamEchoesTheLastUserMessage() {
        HttpResponseFor<ChatCompletion> raw = client.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model("mock/echo")
                        .addSystemMessage("be brief")
                        .addUserMessage(PROMPT)
                        .build());
        ChatCompletion c = raw.parse();

        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content()).hasValue(PROMPT);
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(c.model()).isEqualTo("echo");
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(3); // words
        assertThat(usage.promptTokens()).isEqualTo(2 + 3 + 2); // words + one per message
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
        JsonNode extra = Sdk.extraFields(c._additionalProperties());
        assertThat(extra.path("provider").asText()).isEqualTo("mock");
        assertThat(extra.path("model_requested").asText()).isEqualTo("mock/echo");
        assertThat(extra.path("attempts")).hasSize(1);
        assertThat(raw.headers().values("x-junction-provider")).containsExactly("mock");
        assertThat(raw.headers().values("x-junction-model")).containsExactly("echo");
    }

    @Test
    void streamSendsTheAnswerWordByWord() {
        List<ChatCompletionChunk> chunks = stream(ChatCompletionCreateParams.builder()
                .model("mock/echo")
                .addUserMessage(PROMPT)
                .build());

        assertThat(Sdk.text(chunks)).isEqualTo(PROMPT);
        // role chunk, one chunk per word, finish chunk; no usage chunk (not asked for)
        assertThat(chunks).hasSize(1 + 3 + 1);
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
        assertThat(chunks.get(chunks.size() - 1).choices().get(0).finishReason())
                .hasValue(ChatCompletionChunk.Choice.FinishReason.STOP);
        assertThat(chunks)
                .extracting(ChatCompletionChunk::id)
                .containsOnly(chunks.get(0).id());
    }

    @Test
    void streamWithIncludeUsageEndsWithTheUsageChunkCarryingExtraFields() {
        List<ChatCompletionChunk> chunks = stream(ChatCompletionCreateParams.builder()
                .model("mock/echo")
                .addUserMessage(PROMPT)
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build());

        assertThat(Sdk.text(chunks)).isEqualTo(PROMPT);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage())
                .hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(3));
        JsonNode extra = Sdk.extraFields(last._additionalProperties());
        assertThat(extra.path("provider").asText()).isEqualTo("mock");
        assertThat(extra.path("model_used").asText()).isEqualTo("echo");
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.usage()).isEmpty());
    }

    @Test
    void toolCallNonStream() {
        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("mock/echo")
                        .addUserMessage("UK")
                        .addFunctionTool(Sdk.getCapitalTool())
                        .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                        .build());

        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call =
                c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).startsWith("call_");
        assertThat(call.function().name()).isEqualTo("get_capital");
        assertThat(Fixtures.parse(call.function().arguments())).isEqualTo(Fixtures.parse("{\"country\":\"UK\"}"));
        assertThat(c.choices().get(0).message().content()).isEmpty();
    }

    @Test
    void toolCallStreamedDeltasAccumulate() {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        stream(ChatCompletionCreateParams.builder()
                        .model("mock/echo")
                        .addUserMessage("France")
                        .addFunctionTool(Sdk.getCapitalTool())
                        .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                        .build())
                .forEach(acc::accumulate);

        ChatCompletion c = acc.chatCompletion();
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        List<ChatCompletionMessageFunctionToolCall> calls =
                c.choices().get(0).message().toolCalls().orElseThrow().stream()
                        .map(t -> t.asFunction())
                        .toList();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).function().name()).isEqualTo("get_capital");
        assertThat(Fixtures.parse(calls.get(0).function().arguments()))
                .isEqualTo(Fixtures.parse("{\"country\":\"France\"}"));
    }

    private static List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunks::add);
        }
        return chunks;
    }
}
