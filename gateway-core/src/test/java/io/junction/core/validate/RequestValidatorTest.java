package io.junction.core.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per rule. Requests are written as JSON (what a client sends) and parsed with the real
 * parser, then validated; each failure must be a 400 {@code invalid_request_error} naming the param.
 */
class RequestValidatorTest {

    private static final String VALID =
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** The valid request with {@code patch}'s top-level fields set (null values remove the field). */
    private static ChatRequest with(String patch) {
        try {
            ObjectNode base = (ObjectNode) Json.MAPPER.readTree(VALID);
            JsonNode p = Json.MAPPER.readTree(patch);
            p.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    base.remove(e.getKey());
                } else {
                    base.set(e.getKey(), e.getValue());
                }
            });
            return Json.MAPPER.treeToValue(base, ChatRequest.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ChatRequest withMessages(String messagesJson) {
        return with("{\"messages\":" + messagesJson + "}");
    }

    private static GatewayException rejected(ChatRequest r) {
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> RequestValidator.validate(r));
        assertThat(e).as("validation should fail").isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.retryable()).isFalse();
        return e;
    }

    private static void assertRejected(ChatRequest r, String param) {
        assertThat(rejected(r).param()).isEqualTo(param);
    }

    private static void assertAccepted(ChatRequest r) {
        RequestValidator.validate(r); // throws on failure
    }

    @Test
    void theBaseRequestIsValid() {
        assertAccepted(with("{}"));
    }

    @Test
    void aRequestUsingEveryFieldWithValidValuesIsAccepted() throws IOException {
        try (var in = getClass().getResourceAsStream("/requests/every-field.json")) {
            assertAccepted(Json.MAPPER.readValue(in, ChatRequest.class));
        }
    }

    // ---- model ----

    @ParameterizedTest
    @ValueSource(strings = {"{\"model\":null}", "{\"model\":\"\"}", "{\"model\":\"   \"}"})
    void modelIsRequired(String patch) {
        GatewayException e = rejected(with(patch));
        assertThat(e.param()).isEqualTo("model");
        assertThat(e.code()).isEqualTo("missing_required_parameter");
    }

    // ---- messages ----

    @Test
    void messagesAreRequired() {
        GatewayException e = rejected(with("{\"messages\":null}"));
        assertThat(e.param()).isEqualTo("messages");
        assertThat(e.code()).isEqualTo("missing_required_parameter");
    }

    @Test
    void messagesMustNotBeEmpty() {
        GatewayException e = rejected(withMessages("[]"));
        assertThat(e.param()).isEqualTo("messages");
        assertThat(e.code()).isEqualTo("empty_array");
    }

    @Test
    void aNullMessageIsRejectedAtItsIndex() {
        assertRejected(withMessages("[{\"role\":\"user\",\"content\":\"a\"},null]"), "messages[1]");
    }

    @Test
    void aMessageNeedsARole() {
        assertRejected(withMessages("[{\"role\":\"user\",\"content\":\"a\"},{\"content\":\"b\"}]"), "messages[1].role");
    }

    @ParameterizedTest
    @ValueSource(strings = {"robot", "USER", "", "System"})
    void unknownRolesAreRejected(String role) {
        GatewayException e = rejected(withMessages("[{\"role\":\"" + role + "\",\"content\":\"a\"}]"));
        assertThat(e.param()).isEqualTo("messages[0].role");
        assertThat(e.getMessage()).contains("'" + role + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"system", "developer", "user"})
    void systemDeveloperAndUserMessagesNeedContent(String role) {
        assertRejected(withMessages("[{\"role\":\"" + role + "\"}]"), "messages[0].content");
        assertRejected(withMessages("[{\"role\":\"" + role + "\",\"content\":null}]"), "messages[0].content");
        assertAccepted(withMessages("[{\"role\":\"" + role + "\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]"));
    }

    @Test
    void toolMessagesNeedToolCallId() {
        assertRejected(withMessages("[{\"role\":\"tool\",\"content\":\"42\"}]"), "messages[0].tool_call_id");
        assertRejected(
                withMessages("[{\"role\":\"tool\",\"content\":\"42\",\"tool_call_id\":\" \"}]"),
                "messages[0].tool_call_id");
        assertAccepted(withMessages("[{\"role\":\"tool\",\"content\":\"42\",\"tool_call_id\":\"call_1\"}]"));
    }

    @Test
    void assistantMessagesNeedContentOrToolCallsOrRefusal() {
        assertRejected(withMessages("[{\"role\":\"assistant\"}]"), "messages[0].content");
        assertRejected(
                withMessages("[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]}]"), "messages[0].content");
        assertAccepted(withMessages("[{\"role\":\"assistant\",\"content\":\"ok\"}]"));
        assertAccepted(withMessages("[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                + "[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]"));
        assertAccepted(withMessages("[{\"role\":\"assistant\",\"refusal\":\"no\"}]"));
    }

    @Test
    void theFirstInvalidMessageIsReported() {
        assertRejected(
                withMessages("[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"},"
                        + "{\"role\":\"tool\",\"content\":\"c\"},{\"role\":\"nope\",\"content\":\"d\"}]"),
                "messages[2].tool_call_id");
    }

    // ---- numeric ranges ----

    @ParameterizedTest
    @ValueSource(strings = {"-0.01", "2.01", "100"})
    void temperatureIsBetween0And2(String v) {
        GatewayException e = rejected(with("{\"temperature\":" + v + "}"));
        assertThat(e.param()).isEqualTo("temperature");
        assertThat(e.getMessage()).contains("between 0 and 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "2", "0.0", "2.0"})
    void temperatureBoundsAreInclusive(String v) {
        assertAccepted(with("{\"temperature\":" + v + "}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0.1", "1.0001"})
    void topPIsBetween0And1(String v) {
        assertRejected(with("{\"top_p\":" + v + "}"), "top_p");
        assertAccepted(with("{\"top_p\":0}"));
        assertAccepted(with("{\"top_p\":1}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "129"})
    void nIsBetween1And128(String v) {
        assertRejected(with("{\"n\":" + v + "}"), "n");
        assertAccepted(with("{\"n\":1}"));
        assertAccepted(with("{\"n\":128}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"presence_penalty", "frequency_penalty"})
    void penaltiesAreBetweenMinus2And2(String param) {
        assertRejected(with("{\"" + param + "\":-2.5}"), param);
        assertRejected(with("{\"" + param + "\":2.01}"), param);
        assertAccepted(with("{\"" + param + "\":-2}"));
        assertAccepted(with("{\"" + param + "\":2}"));
    }

    @Test
    void topLogprobsIsBetween0And20() {
        assertRejected(with("{\"logprobs\":true,\"top_logprobs\":21}"), "top_logprobs");
        assertRejected(with("{\"logprobs\":true,\"top_logprobs\":-1}"), "top_logprobs");
        assertAccepted(with("{\"logprobs\":true,\"top_logprobs\":0}"));
        assertAccepted(with("{\"logprobs\":true,\"top_logprobs\":20}"));
    }

    @Test
    void topLogprobsRequiresLogprobs() {
        GatewayException e = rejected(with("{\"top_logprobs\":3}"));
        assertThat(e.param()).isEqualTo("top_logprobs");
        assertThat(e.getMessage()).contains("logprobs");
        assertRejected(with("{\"logprobs\":false,\"top_logprobs\":3}"), "top_logprobs");
    }

    @ParameterizedTest
    @ValueSource(strings = {"max_tokens", "max_completion_tokens"})
    void tokenLimitsAreAtLeastOne(String param) {
        assertRejected(with("{\"" + param + "\":0}"), param);
        assertRejected(with("{\"" + param + "\":-5}"), param);
        assertAccepted(with("{\"" + param + "\":1}"));
    }

    // ---- stop ----

    @Test
    void stopHasAtMostFourEntries() {
        GatewayException e = rejected(with("{\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"));
        assertThat(e.param()).isEqualTo("stop");
        assertThat(e.getMessage()).contains("got 5");
        assertAccepted(with("{\"stop\":[\"a\",\"b\",\"c\",\"d\"]}"));
        assertAccepted(with("{\"stop\":\"a\"}"));
    }

    @Test
    void stopEntriesMustBeStrings() {
        assertRejected(with("{\"stop\":[\"a\",null]}"), "stop");
    }

    // ---- reasoning_effort ----

    @ParameterizedTest
    @ValueSource(strings = {"none", "minimal", "low", "medium", "high", "xhigh", "max"})
    void knownReasoningEffortsAreAccepted(String effort) {
        assertAccepted(with("{\"reasoning_effort\":\"" + effort + "\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"extreme", "HIGH", ""})
    void otherReasoningEffortsAreRejected(String effort) {
        assertRejected(with("{\"reasoning_effort\":\"" + effort + "\"}"), "reasoning_effort");
    }

    // ---- stream_options ----

    @Test
    void streamOptionsOnlyWithStream() {
        assertRejected(with("{\"stream_options\":{\"include_usage\":true}}"), "stream_options");
        assertRejected(with("{\"stream\":false,\"stream_options\":{\"include_usage\":true}}"), "stream_options");
        assertAccepted(with("{\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
    }

    // ---- tools and response_format ----

    @Test
    void toolsNeedAType() {
        assertRejected(with("{\"tools\":[{\"function\":{\"name\":\"f\"}}]}"), "tools[0].type");
    }

    @Test
    void functionToolsNeedAName() {
        String ok = "{\"type\":\"function\",\"function\":{\"name\":\"f\"}}";
        assertRejected(with("{\"tools\":[" + ok + ",{\"type\":\"function\"}]}"), "tools[1].function.name");
        assertRejected(
                with("{\"tools\":[" + ok + ",{\"type\":\"function\",\"function\":{\"description\":\"d\"}}]}"),
                "tools[1].function.name");
        assertRejected(
                with("{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\" \"}}]}"), "tools[0].function.name");
        assertAccepted(with("{\"tools\":[" + ok + ",{\"type\":\"custom\",\"custom\":{\"name\":\"g\"}}]}"));
    }

    @Test
    void jsonSchemaResponseFormatNeedsAName() {
        assertRejected(
                with("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}}"),
                "response_format.json_schema.name");
        assertAccepted(with("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}"));
        assertAccepted(with("{\"response_format\":{\"type\":\"json_object\"}}"));
    }

    // ---- gateway extensions ----

    @Test
    void fallbacksMustBeModelNames() {
        assertRejected(with("{\"fallbacks\":[\"a\",\"\"]}"), "fallbacks[1]");
        assertRejected(with("{\"fallbacks\":[null]}"), "fallbacks[0]");
        assertAccepted(with("{\"fallbacks\":[\"a\",\"openai/gpt-4o\"]}"));
    }

    @Test
    void maxTtftMsMustBePositive() {
        assertRejected(with("{\"max_ttft_ms\":0}"), "max_ttft_ms");
        assertAccepted(with("{\"max_ttft_ms\":1}"));
    }
}
