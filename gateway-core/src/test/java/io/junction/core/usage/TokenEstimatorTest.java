package io.junction.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Usage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The estimator's methods, its prompt formula and the bounded completion text. */
class TokenEstimatorTest {

    private static ChatRequest request(ChatMessage... messages) {
        return new ChatRequest.Builder().model("m").messages(List.of(messages)).build();
    }

    @Test
    void openAiModelsUseTheirEncodingsAndOthersCharsPerFour() {
        assertThat(TokenEstimator.methodFor("openai", "gpt-4o-mini")).isEqualTo(TokenEstimator.Method.O200K);
        assertThat(TokenEstimator.methodFor("azure", "gpt-4.1")).isEqualTo(TokenEstimator.Method.O200K);
        assertThat(TokenEstimator.methodFor("openai", "o3-mini")).isEqualTo(TokenEstimator.Method.O200K);
        assertThat(TokenEstimator.methodFor("openai", "gpt-4-turbo")).isEqualTo(TokenEstimator.Method.CL100K);
        assertThat(TokenEstimator.methodFor("openai", "gpt-3.5-turbo")).isEqualTo(TokenEstimator.Method.CL100K);
        assertThat(TokenEstimator.methodFor("anthropic", "claude-sonnet-4-5"))
                .isEqualTo(TokenEstimator.Method.CHARS_PER_4);
        assertThat(TokenEstimator.methodFor("groq", "llama-3.3-70b")).isEqualTo(TokenEstimator.Method.CHARS_PER_4);
    }

    @Test
    void countsWithTheRealTokenizer() {
        // "hello world" is two tokens in both cl100k_base and o200k_base
        assertThat(TokenEstimator.count(TokenEstimator.Method.O200K, "hello world"))
                .isEqualTo(2);
        assertThat(TokenEstimator.count(TokenEstimator.Method.CL100K, "hello world"))
                .isEqualTo(2);
        // special-token text is counted as ordinary text, never rejected
        assertThat(TokenEstimator.count(TokenEstimator.Method.O200K, "<|endoftext|>"))
                .isGreaterThan(1);
        assertThat(TokenEstimator.count(TokenEstimator.Method.CHARS_PER_4, "abcdefghi"))
                .isEqualTo(3);
        assertThat(TokenEstimator.count(TokenEstimator.Method.CHARS_PER_4, "")).isZero();
    }

    @Test
    void promptFollowsOpenAisPerMessageFraming() {
        ChatRequest r = request(ChatMessage.of("system", "You are terse."), ChatMessage.of("user", "hello world"));
        int expected = 3 // reply priming
                + (3
                        + TokenEstimator.count(TokenEstimator.Method.O200K, "system")
                        + TokenEstimator.count(TokenEstimator.Method.O200K, "You are terse."))
                + (3 + TokenEstimator.count(TokenEstimator.Method.O200K, "user") + 2);
        assertThat(TokenEstimator.promptTokens(TokenEstimator.Method.O200K, r)).isEqualTo(expected);
    }

    @Test
    void estimateCountsTheReceivedCompletion() {
        CompletionText text = new CompletionText();
        text.add(new ChatChunk(
                "c",
                ChatChunk.OBJECT,
                1L,
                "m",
                null,
                null,
                List.of(new ChatChunk.Choice(0, ChatChunk.Delta.content("hello"), null)),
                null,
                null,
                null));
        text.add(new ChatChunk(
                "c",
                ChatChunk.OBJECT,
                1L,
                "m",
                null,
                null,
                List.of(new ChatChunk.Choice(0, ChatChunk.Delta.content(" world"), null)),
                null,
                null,
                null));
        Usage u = TokenEstimator.estimate(TokenEstimator.Method.O200K, request(ChatMessage.of("user", "hi")), text);
        assertThat(u.completion()).isEqualTo(2);
        assertThat(u.prompt())
                .isEqualTo(TokenEstimator.promptTokens(
                        TokenEstimator.Method.O200K, request(ChatMessage.of("user", "hi"))));
        assertThat(u.totalTokens()).isEqualTo(u.prompt() + 2);
    }

    @Test
    void completionTextIsBoundedAndCountsTheOverflow() {
        CompletionText text = new CompletionText();
        String big = "x".repeat(CompletionText.MAX_CHARS - 10);
        text.add(new ChatChunk(
                "c",
                ChatChunk.OBJECT,
                1L,
                "m",
                null,
                null,
                List.of(new ChatChunk.Choice(0, ChatChunk.Delta.content(big), null)),
                null,
                null,
                null));
        text.add(new ChatChunk(
                "c",
                ChatChunk.OBJECT,
                1L,
                "m",
                null,
                null,
                List.of(new ChatChunk.Choice(0, ChatChunk.Delta.content("y".repeat(50)), null)),
                null,
                null,
                null));
        assertThat(text.text()).hasSize(CompletionText.MAX_CHARS);
        assertThat(text.overflowChars()).isEqualTo(40);
        Usage u = TokenEstimator.estimate(TokenEstimator.Method.CHARS_PER_4, request(), text);
        assertThat(u.completion()).isEqualTo((CompletionText.MAX_CHARS + 3) / 4 + 10);
    }

    @Test
    void onlyTheVocabulariesTheConfiguredProvidersCanNeedAreLoaded() {
        // no OpenAI-family provider: every estimate counts characters, nothing to load
        assertThat(TokenEstimator.methodsFor(
                        java.util.Map.of("mock", "mock", "claude", "anthropic"),
                        java.util.Map.of("claude", List.of("claude-sonnet-4-5"))))
                .isEmpty();
        // openai/azure: o200k counts their unknown and current models; cl100k only for a GPT-4 or 3.5
        assertThat(TokenEstimator.methodsFor(
                        java.util.Map.of("oai", "openai", "az", "azure"),
                        java.util.Map.of("oai", List.of("gpt-4.1-mini", "gpt-4o"), "az", List.of("my-deployment"))))
                .containsExactly(TokenEstimator.Method.O200K);
        assertThat(TokenEstimator.methodsFor(
                        java.util.Map.of("oai", "openai"), java.util.Map.of("oai", List.of("gpt-4-turbo"))))
                .containsExactlyInAnyOrder(TokenEstimator.Method.O200K, TokenEstimator.Method.CL100K);
        assertThat(TokenEstimator.methodsFor(
                        java.util.Map.of("groq", "groq"), java.util.Map.of("groq", List.of("gpt-4"))))
                .as("a GPT-4 name on another provider type is still counted by characters")
                .isEmpty();
    }

    @Test
    void aWarmUpStartsEachVocabularyOnce() throws Exception {
        Thread first = TokenEstimator.warmUpInBackground(java.util.EnumSet.of(TokenEstimator.Method.CL100K));
        Thread again = TokenEstimator.warmUpInBackground(
                java.util.EnumSet.of(TokenEstimator.Method.CL100K, TokenEstimator.Method.CHARS_PER_4));
        assertThat(again).as("already loading or loaded: no second thread").isNull();
        if (first != null) {
            first.join(120_000);
        }
        assertThat(TokenEstimator.loaded(TokenEstimator.Method.CL100K)).isTrue();
    }
}
