package io.junction.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.StreamOptions;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Provider;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.junction.provider.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiAdapterTest {
    private final OpenAiAdapter adapter = new OpenAiAdapter();

    private Target target(String baseUrl, String apiKey, Map<String, String> headers, Map<String, Object> options) {
        ProviderSpec spec = new ProviderSpec(
                "openai",
                baseUrl,
                apiKey,
                null,
                headers,
                2_000L,
                30_000L,
                options == null ? null : new LinkedHashMap<>(options));
        return new Target(new Provider("oai", spec, adapter), "gpt-4o-mini");
    }

    private Target target(String baseUrl) {
        return target(baseUrl, "sk-test-123", null, null);
    }

    private static ChatRequest request(boolean stream) {
        return new ChatRequest.Builder()
                .model("gpt-4o-mini").messages(List.of(ChatMessage.of("user", "hi"))).stream(
                                stream ? Boolean.TRUE : null)
                        .fallbacks(List.of("other"))
                        .extra("x_unknown", Map.of("k", "v"))
                        .build();
    }

    private static JsonNode body(UpstreamRequest r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    private static ByteBuf buf(byte[] bytes) {
        return PooledByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    private static UpstreamHeaders headers(Map<String, String> h) {
        return name -> h.get(name);
    }

    private GatewayException decodeError(int status, Map<String, String> h, byte[] body) {
        ByteBuf b = buf(body);
        try {
            GatewayException e = adapter.decodeError(status, headers(h), b, target(null));
            assertThat(b.readerIndex()).as("the body is not consumed").isZero();
            return e;
        } finally {
            b.release();
        }
    }

    // ---------------------------------------------------------------- encode

    @Test
    void typeAndOptions() {
        assertThat(adapter.type()).isEqualTo("openai");
        assertThat(adapter.optionKeys()).containsExactlyInAnyOrder("organization", "project");
        UpstreamTransport network = (r, e, l) -> null;
        assertThat(adapter.transport(network)).isSameAs(network);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://gw.example.com/openai/v1", "https://gw.example.com/openai/v1/"})
    void theUrlIsBaseUrlPlusChatCompletionsWithOrWithoutTrailingSlash(String base) {
        UpstreamRequest r = adapter.encode(request(false), target(base));

        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.uri().toString()).isEqualTo("https://gw.example.com/openai/v1/chat/completions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void aMissingOrBlankBaseUrlUsesOpenAi(String base) {
        assertThat(adapter.encode(request(false), target(null)).uri().toString())
                .isEqualTo("https://api.openai.com/v1/chat/completions");
        assertThat(adapter.encode(request(false), target(base)).uri().toString())
                .isEqualTo("https://api.openai.com/v1/chat/completions");
    }

    @Test
    void headersCarryAuthContentTypesOrganizationProjectAndConfiguredExtras() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("x-portkey-trace", "t1");
        Target t = target(null, "sk-test-123", extra, Map.of("organization", "org-1", "project", "proj-9"));

        UpstreamRequest plain = adapter.encode(request(false), t);
        UpstreamRequest streamed = adapter.encode(request(true), t);

        assertThat(plain.headers())
                .containsEntry("authorization", "Bearer sk-test-123")
                .containsEntry("content-type", "application/json")
                .containsEntry("accept", "application/json")
                .containsEntry("openai-organization", "org-1")
                .containsEntry("openai-project", "proj-9")
                .containsEntry("x-portkey-trace", "t1");
        assertThat(streamed.headers()).containsEntry("accept", "text/event-stream");
        assertThat(plain.stream()).isFalse();
        assertThat(streamed.stream()).isTrue();
        assertThat(plain.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(plain.readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(plain.toString()).doesNotContain("sk-test-123");
    }

    @Test
    void noAuthorizationHeaderWithoutAKeyAndNoOrgOrProjectUnlessConfigured() {
        UpstreamRequest r = adapter.encode(request(false), target("http://localhost:11434/v1", null, null, null));
        UpstreamRequest empty = adapter.encode(request(false), target("http://localhost:11434/v1", "", null, null));

        assertThat(r.headers()).doesNotContainKeys("authorization", "openai-organization", "openai-project");
        assertThat(empty.headers()).doesNotContainKey("authorization");
    }

    @Test
    void theBodyHasNoExtensionFieldsAndKeepsUnknownOnes() throws IOException {
        ChatRequest full = Json.MAPPER.readValue(
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"fallbacks\":[\"x\"],\"session_id\":\"s\",\"tags\":[\"t\"],\"labels\":{\"a\":\"b\"},"
                        + "\"max_ttft_ms\":5,\"system_prompt_args\":{\"n\":\"v\"},\"ab_campaign\":\"c\","
                        + "\"provider\":{\"order\":[\"oai\"]},"
                        + "\"prediction\":{\"type\":\"content\",\"content\":\"p\"},\"x_vendor\":[1,2]}",
                ChatRequest.class);

        JsonNode body = body(adapter.encode(full, target(null)));

        assertThat(body.has("fallbacks")).isFalse();
        assertThat(body.has("session_id")).isFalse();
        assertThat(body.has("tags")).isFalse();
        assertThat(body.has("labels")).isFalse();
        assertThat(body.has("max_ttft_ms")).isFalse();
        assertThat(body.has("system_prompt_args")).isFalse();
        assertThat(body.has("ab_campaign")).isFalse();
        assertThat(body.has("provider")).isFalse();
        assertThat(body.get("prediction").get("content").asText()).isEqualTo("p");
        assertThat(body.get("x_vendor")).hasSize(2);
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void streamingForcesIncludeUsageAndKeepsTheClientsOtherStreamOptions() throws IOException {
        ChatRequest r = request(true)
                .withStreamOptions(new StreamOptions(false, new LinkedHashMap<>(Map.of("include_obfuscation", false))));

        JsonNode body = body(adapter.encode(r, target(null)));

        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
        assertThat(body.get("stream_options").get("include_obfuscation").asBoolean(true))
                .isFalse();
        // the client's request object is not modified
        assertThat(r.includeUsage()).isFalse();
    }

    @Test
    void streamingWithoutStreamOptionsAddsIncludeUsage() throws IOException {
        JsonNode body = body(adapter.encode(request(true), target(null)));

        assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
        assertThat(body.get("stream_options")).hasSize(1);
    }

    @Test
    void aNonStreamedRequestGetsNoStreamOptionsAndNoStreamFlag() throws IOException {
        JsonNode body = body(adapter.encode(request(false), target(null)));

        assertThat(body.has("stream_options")).isFalse();
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void aRecordedRealRequestIsForwardedUnchanged() throws IOException {
        // what pydantic-ai sent to api.openai.com; passing it through the gateway must not change it
        JsonNode recorded = Fixtures.tree("openai/chat-completion.tool-calls.stream.request.json");
        ChatRequest r = Json.MAPPER.treeToValue(recorded, ChatRequest.class);

        UpstreamRequest out = adapter.encode(r, target(null));

        assertThat(io.junction.testing.JsonDiff.diff(recorded, body(out))).isEmpty();
        assertThat(out.stream()).isTrue();
    }

    // ---------------------------------------------------------------- decodeResponse

    @Test
    void decodesARecordedChatCompletion() {
        byte[] bytes = Fixtures.bytes("openai/chat-completion.text.json");
        JsonNode tree = Fixtures.tree("openai/chat-completion.text.json");
        ByteBuf b = buf(bytes);
        ChatResponse r;
        try {
            r = adapter.decodeResponse(b, target(null));
            assertThat(b.readerIndex()).as("the body is not consumed").isZero();
        } finally {
            b.release();
        }

        assertThat(r.id()).isEqualTo("chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU");
        assertThat(r.object()).isEqualTo("chat.completion");
        assertThat(r.created()).isEqualTo(1770933883L);
        assertThat(r.model()).isEqualTo("gpt-4.1-nano-2025-04-14");
        assertThat(r.serviceTier()).isEqualTo("default");
        assertThat(r.systemFingerprint()).isEqualTo("fp_de604bd877");
        assertThat(r.choices()).hasSize(1);
        ChatResponse.Choice choice = r.choices().get(0);
        assertThat(choice.index()).isZero();
        assertThat(choice.finishReason()).isEqualTo("stop");
        assertThat(choice.message().role()).isEqualTo("assistant");
        assertThat(choice.message().text())
                .isEqualTo(tree.at("/choices/0/message/content").asText())
                .startsWith("**Holiday Name:** Galaxy Day")
                .contains("darkness\u2014mirroring");
        assertThat(choice.message().refusal()).isNull();
        assertThat(choice.message().extra()).containsKey("annotations");

        Usage u = r.usage();
        assertThat(u.promptTokens()).isEqualTo(16);
        assertThat(u.completionTokens()).isEqualTo(363);
        assertThat(u.totalTokens()).isEqualTo(379);
        assertThat(u.promptTokensDetails().cachedTokens()).isZero();
        assertThat(u.promptTokensDetails().audioTokens()).isZero();
        assertThat(u.completionTokensDetails().reasoningTokens()).isZero();
        assertThat(u.completionTokensDetails().audioTokens()).isZero();
        assertThat(u.completionTokensDetails().acceptedPredictionTokens()).isZero();
        assertThat(u.completionTokensDetails().rejectedPredictionTokens()).isZero();
        assertThat(u.cached()).isZero();
        assertThat(u.reasoning()).isZero();
    }

    @Test
    void aDecodedCompletionReserializesToTheSameJsonApartFromDroppedNulls() throws IOException {
        JsonNode recorded = Fixtures.tree("openai/chat-completion.text.json");
        ByteBuf b = buf(Fixtures.bytes("openai/chat-completion.text.json"));
        ChatResponse r;
        try {
            r = adapter.decodeResponse(b, target(null));
        } finally {
            b.release();
        }

        ObjectNode expected = recorded.deepCopy();
        // NON_NULL: "refusal": null is not written back; "logprobs": null and "content" always are
        ((ObjectNode) expected.at("/choices/0/message")).remove("refusal");
        assertThat(io.junction.testing.JsonDiff.diff(expected, Json.MAPPER.readTree(Json.bytes(r))))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"<html>502 Bad Gateway</html>", "{\"id\":\"x\"}", "[]", "", "null", "{\"choices\":"})
    void aBodyThatIsNotAChatCompletionIsA502(String body) {
        ByteBuf b = buf(body.getBytes(StandardCharsets.UTF_8));
        GatewayException e;
        try {
            e = catchThrowableOfType(GatewayException.class, () -> adapter.decodeResponse(b, target(null)));
        } finally {
            b.release();
        }

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("bad_upstream_response");
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("'oai'");
    }

    // ---------------------------------------------------------------- decodeError

    @Test
    void aRecordedUnsupportedParameterErrorIsKeptAsSent() {
        GatewayException e = decodeError(400, Map.of(), Fixtures.bytes("openai/error-400.unsupported-parameter.json"));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.param()).isEqualTo("max_tokens");
        assertThat(e.code()).isEqualTo("unsupported_parameter");
        assertThat(e.getMessage())
                .isEqualTo("Unsupported parameter: 'max_tokens' is not supported with this model. Use"
                        + " 'max_completion_tokens' instead.");
        assertThat(e.retryable()).isFalse();
        assertThat(e.retryAfter()).isNull();
    }

    @Test
    void aRecordedUnsupportedValueErrorIsKeptAsSent() {
        GatewayException e = decodeError(400, Map.of(), Fixtures.bytes("openai/error-400.unsupported-value.json"));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.param()).isEqualTo("messages[0].role");
        assertThat(e.code()).isEqualTo("unsupported_value");
        assertThat(e.getMessage())
                .isEqualTo("Unsupported value: 'messages[0].role' does not support 'system' with this model.");
        assertThat(e.retryable()).isFalse();
        // what the client gets back is the same error object
        assertThat(Json.MAPPER.valueToTree(e.toBody()).get("error"))
                .isEqualTo(
                        Fixtures.tree("openai/error-400.unsupported-value.json").get("error"));
    }

    @Test
    void an503HtmlPageIsRetryableAndNamesTheStatus() {
        String html = "<html><head><title>503 Service Temporarily Unavailable</title></head>"
                + "<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>";

        GatewayException e =
                decodeError(503, Map.of("content-type", "text/html"), html.getBytes(StandardCharsets.UTF_8));

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.retryable()).isTrue();
        assertThat(e.type()).isEqualTo("api_error");
        assertThat(e.getMessage()).contains("'oai'").contains("HTTP 503").contains("Service Temporarily Unavailable");
    }

    @Test
    void aLongNonJsonBodyIsCutInTheMessage() {
        String body = "x".repeat(5000);

        GatewayException e = decodeError(500, Map.of(), body.getBytes(StandardCharsets.UTF_8));

        assertThat(e.getMessage())
                .hasSizeLessThan(400)
                .contains("x".repeat(300))
                .doesNotContain("x".repeat(301));
    }

    @Test
    void anEmptyErrorBodyStillGivesAClearMessage() {
        GatewayException e = decodeError(502, Map.of(), new byte[0]);

        assertThat(e.getMessage()).isEqualTo("Provider 'oai' returned HTTP 502");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void retryAfterMsIsUsedAndPreferredOverRetryAfter() {
        byte[] body =
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"
                        .getBytes(StandardCharsets.UTF_8);

        GatewayException ms = decodeError(429, Map.of("retry-after-ms", "1500"), body);
        GatewayException both = decodeError(429, Map.of("retry-after-ms", "250", "retry-after", "9"), body);

        assertThat(ms.retryAfter()).isEqualTo(Duration.ofMillis(1500));
        assertThat(both.retryAfter()).isEqualTo(Duration.ofMillis(250));
        assertThat(ms.retryable()).isTrue();
        assertThat(ms.status()).isEqualTo(429);
        assertThat(ms.type()).isEqualTo("requests");
        assertThat(ms.code()).isEqualTo("rate_limit_exceeded");
        assertThat(ms.getMessage()).isEqualTo("Rate limit reached");
    }

    @Test
    void retryAfterInSecondsIsUsed() {
        GatewayException whole = decodeError(429, Map.of("retry-after", "2"), "{}".getBytes(StandardCharsets.UTF_8));
        GatewayException fraction = decodeError(429, Map.of("retry-after", " 0.5 "), new byte[0]);
        GatewayException date = decodeError(429, Map.of("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"), new byte[0]);

        assertThat(whole.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fraction.retryAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(date.retryAfter()).as("an HTTP date is ignored").isNull();
        assertThat(whole.type())
                .as("type from the status when the body has none")
                .isEqualTo("rate_limit_error");
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 409, 429, 500, 502, 503, 504, 529})
    void retryableStatuses(int status) {
        assertThat(decodeError(status, Map.of(), new byte[0]).retryable()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 413, 422})
    void nonRetryableStatuses(int status) {
        assertThat(decodeError(status, Map.of(), new byte[0]).retryable()).isFalse();
    }

    @Test
    void theTypeFollowsTheStatusWhenTheBodyHasNone() {
        assertThat(decodeError(401, Map.of(), new byte[0]).type()).isEqualTo("authentication_error");
        assertThat(decodeError(403, Map.of(), new byte[0]).type()).isEqualTo("permission_error");
        assertThat(decodeError(404, Map.of(), new byte[0]).type()).isEqualTo("invalid_request_error");
        assertThat(decodeError(500, Map.of(), new byte[0]).type()).isEqualTo("api_error");
    }

    @Test
    void anErrorGivenAsAStringIsUsedAsTheMessage() {
        GatewayException e =
                decodeError(401, Map.of(), "{\"error\":\"Invalid API key\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(e.getMessage()).isEqualTo("Invalid API key");
        assertThat(e.type()).isEqualTo("authentication_error");
    }

    @Test
    void aNumericCodeIsKeptAsText() {
        GatewayException e = decodeError(
                429, Map.of(), "{\"error\":{\"message\":\"slow\",\"code\":429}}".getBytes(StandardCharsets.UTF_8));

        assertThat(e.code()).isEqualTo("429");
    }

    @Test
    void decodingReadsFromTheReaderIndex() {
        byte[] body = Fixtures.bytes("openai/error-400.unsupported-parameter.json");
        ByteBuf b = Unpooled.buffer()
                .writeBytes("garbage".getBytes(StandardCharsets.UTF_8))
                .writeBytes(body);
        try {
            b.readerIndex(7);
            GatewayException e = adapter.decodeError(400, UpstreamHeaders.EMPTY, b, target(null));
            assertThat(e.param()).isEqualTo("max_tokens");
        } finally {
            b.release();
        }
    }
}
