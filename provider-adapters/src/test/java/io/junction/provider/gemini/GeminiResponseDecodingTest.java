package io.junction.provider.gemini;

import static io.junction.provider.gemini.GeminiTestSupport.ADAPTER;
import static io.junction.provider.gemini.GeminiTestSupport.NOW;
import static io.junction.provider.gemini.GeminiTestSupport.fixture;
import static io.junction.provider.gemini.GeminiTestSupport.request;
import static io.junction.provider.gemini.GeminiTestSupport.target;
import static io.junction.provider.gemini.GeminiTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Non-streamed Gemini responses (recorded in {@code fixtures/google/}) to OpenAI chat completions. */
class GeminiResponseDecodingTest {

    private static ChatResponse decode(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            // the router's entry point: with the request that produced the answer
            ChatResponse r = ADAPTER.decodeResponse(
                    buf, request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), target());
            assertThat(buf.refCnt())
                    .as("the caller keeps ownership of the body")
                    .isEqualTo(1);
            assertThat(buf.readerIndex()).as("the body is not consumed").isZero();
            return r;
        } finally {
            buf.release();
        }
    }

    private static ChatResponse decode(String body) {
        return decode(body.getBytes(StandardCharsets.UTF_8));
    }

    /** Checks the usage fields and that they add up as OpenAI defines them. */
    private static void assertUsage(Usage u, int prompt, int completion, int total, int cached, int reasoning) {
        assertThat(u.promptTokens()).isEqualTo(prompt);
        assertThat(u.completionTokens()).isEqualTo(completion);
        assertThat(u.totalTokens()).isEqualTo(total).isEqualTo(prompt + completion);
        assertThat(u.promptTokensDetails().cachedTokens()).isEqualTo(cached);
        assertThat(u.completionTokensDetails().reasoningTokens()).isEqualTo(reasoning);
    }

    @Test
    void recordedTextResponse() {
        ChatResponse r = decode(fixture("generate-content.text.json"));
        assertThat(r.id()).isEqualTo("Un6LacrVMcjUxs0PmJfWoQc");
        assertThat(r.object()).isEqualTo("chat.completion");
        assertThat(r.created()).isEqualTo(NOW);
        assertThat(r.model()).isEqualTo("gemini-3-pro-preview");
        assertThat(r.choices()).hasSize(1);
        ChatResponse.Choice c = r.choices().get(0);
        assertThat(c.index()).isZero();
        assertThat(c.finishReason()).isEqualTo("stop");
        ChatMessage m = c.message();
        assertThat(m.role()).isEqualTo("assistant");
        assertThat(m.text())
                .isEqualTo("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
        assertThat(m.toolCalls()).isNull();
        assertThat(m.reasoningContent()).isNull();
        // promptTokenCount 9; candidatesTokenCount 28 + thoughtsTokenCount 244 = 272; totalTokenCount 281
        assertUsage(r.usage(), 9, 272, 281, 0, 244);

        // and the exact OpenAI JSON a client receives: no thought signature leaks
        assertThat(tree(Json.string(r))).isEqualTo(tree("""
                        {"id":"Un6LacrVMcjUxs0PmJfWoQc","object":"chat.completion","created":%d,
                         "model":"gemini-3-pro-preview",
                         "choices":[{"index":0,"message":{"role":"assistant",
                                       "content":"There are **3** r's in strawberry.\\n\\nHere is the breakdown: st**r**awbe**rr**y."},
                                     "logprobs":null,"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":9,"completion_tokens":272,"total_tokens":281,
                                  "prompt_tokens_details":{"cached_tokens":0},
                                  "completion_tokens_details":{"reasoning_tokens":244}}}""".formatted(NOW)));
    }

    @Test
    void recordedFunctionCallResponse() {
        ChatResponse r = decode(fixture("generate-content.function-call.json"));
        assertThat(r.id()).isEqualTo("m36LaZGyCLz1xs0PtNSB-QU");
        assertThat(r.model()).isEqualTo("gemini-3-pro-preview");
        ChatResponse.Choice c = r.choices().get(0);
        assertThat(c.finishReason())
                .as("STOP with a function call is a tool_calls finish")
                .isEqualTo("tool_calls");
        assertThat(c.message().content())
                .as("no text: content is null next to tool calls")
                .isNull();
        assertThat(c.message().toolCalls())
                .containsExactly(ToolCall.function(
                        "call_m36LaZGyCLz1xs0PtNSB-QU_0", "weather", "{\"location\":\"San Francisco\"}"));
        // 29 prompt; 15 candidates + 893 thoughts = 908; total 937
        assertUsage(r.usage(), 29, 908, 937, 0, 893);
        assertThat(Json.string(r)).doesNotContain("EskgCsYg").doesNotContain("finishMessage");
    }

    @Test
    void recordedImplicitCacheResponseCountsCachedTokensInsideThePrompt() {
        ChatResponse r = decode(fixture("generate-content.implicit-cache.json"));
        assertThat(r.id()).isEqualTo("L-uTaaHQEdOLqtsP_efNqAg");
        assertThat(r.model()).isEqualTo("gemini-2.5-flash");
        assertThat(r.choices().get(0).message().text()).startsWith("I received a response containing a file");
        assertThat(r.choices().get(0).finishReason()).isEqualTo("stop");
        // promptTokenCount 373 already includes cachedContentTokenCount 204 (wire-formats §3.3);
        // 89 candidates + 167 thoughts = 256; 373 + 256 = 629 = totalTokenCount
        assertUsage(r.usage(), 373, 256, 629, 204, 167);
        assertThat(r.usage().promptTokensDetails().audioTokens()).isNull();
    }

    @Test
    void thoughtPartsBecomeReasoningContentAndSeveralCallsGetOrdinalIds() {
        ChatResponse r = decode("""
                {"candidates":[{"content":{"role":"model","parts":[
                   {"text":"Two cities.","thought":true},
                   {"text":"Checking both."},
                   {"functionCall":{"name":"get_weather","args":{"city": "Paris", "days": [1, 2]}},"thoughtSignature":"c2ln"},
                   {"functionCall":{"name":"now"}},
                   {"functionCall":{"id":"gemini-own-id","name":"now","args":{}}},
                   {"text":"","thoughtSignature":"c2ln"},
                   {"executableCode":{"language":"PYTHON","code":"print(1)"}}]},
                  "finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},
                 "modelVersion":"gemini-2.5-pro","responseId":"resp-1"}""");
        ChatMessage m = r.choices().get(0).message();
        assertThat(m.reasoningContent()).isEqualTo("Two cities.");
        assertThat(m.text()).isEqualTo("Checking both.");
        assertThat(m.toolCalls())
                .containsExactly(
                        ToolCall.function("call_resp-1_0", "get_weather", "{\"city\":\"Paris\",\"days\":[1,2]}"),
                        ToolCall.function("call_resp-1_1", "now", "{}"),
                        ToolCall.function("gemini-own-id", "now", "{}"));
        assertThat(r.choices().get(0).finishReason()).isEqualTo("tool_calls");
        assertUsage(r.usage(), 10, 5, 15, 0, 0);
    }

    @Test
    void anEmptySignatureTextPartNextToACallLeavesContentNull() {
        ChatResponse r = decode("""
                {"candidates":[{"content":{"role":"model","parts":[
                   {"functionCall":{"name":"f","args":{}},"thoughtSignature":"c2ln"},{"text":"","thoughtSignature":"c2ln"}]},
                  "finishReason":"STOP","index":0}],"responseId":"r"}""");
        assertThat(r.choices().get(0).message().content()).isNull();
        assertThat(r.choices().get(0).finishReason()).isEqualTo("tool_calls");
    }

    @Test
    void severalCandidatesBecomeChoicesInIndexOrder() {
        ChatResponse r = decode("""
                {"candidates":[
                  {"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP","index":1},
                  {"content":{"role":"model","parts":[{"text":"A"}]},"finishReason":"MAX_TOKENS","index":0}],
                 "usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4,"toolUsePromptTokenCount":2,
                                  "totalTokenCount":9,
                                  "promptTokensDetails":[{"modality":"TEXT","tokenCount":1},{"modality":"AUDIO","tokenCount":2}]},
                 "responseId":"r2"}""");
        assertThat(r.choices()).extracting(ChatResponse.Choice::index).containsExactly(0, 1);
        assertThat(r.choices().get(0).message().text()).isEqualTo("A");
        assertThat(r.choices().get(0).finishReason()).isEqualTo("length");
        assertThat(r.choices().get(1).message().toolCalls())
                .containsExactly(ToolCall.function("call_r2_1_0", "f", "{}"));
        assertThat(r.choices().get(1).finishReason()).isEqualTo("tool_calls");
        // tool-use prompt tokens are input; no modelVersion: the target's model
        assertUsage(r.usage(), 5, 4, 9, 0, 0);
        assertThat(r.usage().promptTokensDetails().audioTokens()).isEqualTo(2);
        assertThat(r.model()).isEqualTo(GeminiTestSupport.MODEL);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "STOP, stop",
        "MAX_TOKENS, length",
        "SAFETY, content_filter",
        "RECITATION, content_filter",
        "BLOCKLIST, content_filter",
        "PROHIBITED_CONTENT, content_filter",
        "SPII, content_filter",
        "IMAGE_SAFETY, content_filter",
        "IMAGE_PROHIBITED_CONTENT, content_filter",
        "IMAGE_RECITATION, content_filter",
        "IMAGE_OTHER, stop",
        "NO_IMAGE, stop",
        "LANGUAGE, stop",
        "OTHER, stop",
        "FINISH_REASON_UNSPECIFIED, stop",
        "SOMETHING_NEW, stop"
    })
    void finishReasons(String reason, String finish) {
        ChatResponse r = decode("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"x"}]},"finishReason":"%s","index":0}],
                 "usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2},"responseId":"r"}""".formatted(reason));
        assertThat(r.choices().get(0).finishReason()).isEqualTo(finish);
    }

    @Test
    void aCandidateWithNoContentIsAnEmptyString() {
        // what Gemini 2.5 sends when thinking used up maxOutputTokens
        ChatResponse r = decode("""
                {"candidates":[{"content":{"role":"model"},"finishReason":"MAX_TOKENS","index":0}],
                 "usageMetadata":{"promptTokenCount":8,"totalTokenCount":108,"thoughtsTokenCount":100},"responseId":"r"}""");
        assertThat(r.choices().get(0).message().content()).isNotNull();
        assertThat(r.choices().get(0).message().text()).isEmpty();
        assertThat(r.choices().get(0).finishReason()).isEqualTo("length");
        assertUsage(r.usage(), 8, 100, 108, 0, 100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"})
    void toolCallFailuresAreRetryable502sNeverAStop(String reason) {
        String body = """
                {"candidates":[{"content":{},"finishReason":"%s","index":0,
                  "finishMessage":"Malformed function call: print(default_api.weather(city='Paris'"}],
                 "usageMetadata":{"promptTokenCount":1,"totalTokenCount":1},"responseId":"r"}""".formatted(reason);
        assertThatThrownBy(() -> decode(body)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.type()).isEqualTo("api_error");
            assertThat(e.code()).isEqualTo(reason.toLowerCase(java.util.Locale.ROOT));
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage())
                    .startsWith("Provider 'gemini' ")
                    .contains("(finishReason " + reason + "): Malformed function call: print(");
        });
    }

    @Test
    void aBlockedPromptIsAContentFilterAnswerWithARefusal() {
        // constructed in the documented shape: no capture of a blocked prompt exists
        ChatResponse r = decode("""
                {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH"}]},
                 "usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"gemini-2.5-flash","responseId":"blk"}""");
        assertThat(tree(Json.string(r))).isEqualTo(tree("""
                        {"id":"blk","object":"chat.completion","created":%d,"model":"gemini-2.5-flash",
                         "choices":[{"index":0,"message":{"role":"assistant","content":null,
                                       "refusal":"The prompt was blocked (SAFETY)."},
                                     "logprobs":null,"finish_reason":"content_filter"}],
                         "usage":{"prompt_tokens":12,"completion_tokens":0,"total_tokens":12,
                                  "prompt_tokens_details":{"cached_tokens":0},
                                  "completion_tokens_details":{"reasoning_tokens":0}}}""".formatted(NOW)));
        ChatResponse withMessage = decode("""
                {"promptFeedback":{"blockReason":"OTHER","blockReasonMessage":"Unsupported language"},"responseId":"b2"}""");
        assertThat(withMessage.choices().get(0).message().refusal())
                .isEqualTo("The prompt was blocked (OTHER): Unsupported language");
        assertThat(withMessage.usage()).as("no usageMetadata: usage unknown").isNull();
    }

    @Test
    void logprobsBecomeOpenAiLogprobs() {
        ChatResponse r = decode("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Hi!"}]},"finishReason":"STOP","index":0,
                  "avgLogprobs":-0.2,
                  "logprobsResult":{
                    "topCandidates":[{"candidates":[{"token":"Hi","logProbability":-0.1},{"token":"Hello","logProbability":-2.5}]},
                                     {"candidates":[{"token":"!","logProbability":-0.3}]}],
                    "chosenCandidates":[{"token":"Hi","logProbability":-0.1},{"token":"!","logProbability":-0.3}]}}],
                 "responseId":"lp"}""");
        assertThat(r.choices().get(0).logprobs()).isEqualTo(tree("""
                        {"content":[
                           {"token":"Hi","logprob":-0.1,"bytes":[72,105],
                            "top_logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105]},
                                            {"token":"Hello","logprob":-2.5,"bytes":[72,101,108,108,111]}]},
                           {"token":"!","logprob":-0.3,"bytes":[33],
                            "top_logprobs":[{"token":"!","logprob":-0.3,"bytes":[33]}]}],
                         "refusal":null}"""));
    }

    @Test
    void withoutResponseIdTheAdaptersIdIsUsed() {
        ChatResponse r = decode("""
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}]}""");
        assertThat(r.id()).isEqualTo("chatcmpl-" + GeminiTestSupport.FALLBACK_ID);
        assertThat(r.choices().get(0).index())
                .as("a missing index is the position")
                .isZero();
        assertThat(r.choices().get(0).message().toolCalls().get(0).id())
                .isEqualTo("call_" + GeminiTestSupport.FALLBACK_ID + "_0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "{\"candidates\":[]}", "{\"usageMetadata\":{}}", "\"text\""})
    void malformedBodiesAre502s(String body) {
        assertThatThrownBy(() -> decode(body)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.code()).isEqualTo("bad_upstream_response");
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage())
                    .startsWith("Provider 'gemini' returned a body that is not a GenerateContentResponse");
            assertThat(e.getCause()).isNull();
        });
    }

    @Test
    void anErrorBodyWithStatus200IsMappedAsAnError() {
        assertThatThrownBy(
                        () -> decode(
                                "{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}"))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.code()).isEqualTo("unavailable");
                    assertThat(e.getMessage()).isEqualTo("The model is overloaded. Please try again later.");
                });
    }
}
