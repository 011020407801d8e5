package io.junction.provider.azure;

import static io.junction.provider.azure.AzureTestSupport.ADAPTER;
import static io.junction.provider.azure.AzureTestSupport.BASE;
import static io.junction.provider.azure.AzureTestSupport.feed;
import static io.junction.provider.azure.AzureTestSupport.recordedPayloads;
import static io.junction.provider.azure.AzureTestSupport.recordedSse;
import static io.junction.provider.azure.AzureTestSupport.request;
import static io.junction.provider.azure.AzureTestSupport.target;
import static io.junction.provider.azure.AzureTestSupport.tree;
import static io.junction.provider.azure.AzureTestSupport.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.junction.provider.azure.AzureTestSupport.RecordingSink;
import io.junction.provider.openai.OpenAiAdapter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The azure type: URL forms, credentials, the OpenAI body, the recorded Azure stream (first chunk an
 * annotation with {@code choices: []} and {@code prompt_filter_results}) and Azure errors. The stream is
 * the recorded {@code fixtures/azure/chat-completion.stream.content-filter.jsonl}; the non-streamed body
 * and the error bodies are written here in the shape Microsoft documents (wire-formats §5), because no
 * recording of them exists.
 */
class AzureAdapterTest {

    // ---------------------------------------------------------------- type, options, validation

    @Test
    void isDiscoveredAsTypeAzureWithItsOptionKeys() {
        assertThat(ProviderRegistry.load().get("azure")).isInstanceOf(AzureAdapter.class);
        assertThat(ADAPTER.type()).isEqualTo("azure");
        assertThat(ADAPTER.optionKeys())
                .containsExactlyInAnyOrder("api_style", "api_version", "auth", "azure_ad_token");
    }

    private static ProviderSpec spec(String baseUrl, String apiKey, Map<String, Object> options) {
        return new ProviderSpec("azure", baseUrl, apiKey, null, null, null, null, new LinkedHashMap<>(options));
    }

    @Test
    void validateAcceptsTheDocumentedForms() {
        ADAPTER.validate(spec(BASE, "k", Map.of()));
        ADAPTER.validate(spec(BASE, "k", Map.of("api_style", "v1")));
        ADAPTER.validate(spec(BASE, "k", Map.of("api_style", "deployments", "api_version", "2025-04-01-preview")));
        ADAPTER.validate(spec(BASE, null, Map.of("auth", "entra", "azure_ad_token", "eyJ0")));
        ADAPTER.validate(spec(BASE, "eyJ0", Map.of("auth", "entra")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void validateRequiresABaseUrl(String blank) {
        assertThatThrownBy(() -> ADAPTER.validate(spec(null, "k", Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base_url")
                .hasMessageContaining("https://<resource>.openai.azure.com");
        assertThatThrownBy(() -> ADAPTER.validate(spec(blank, "k", Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base_url");
    }

    @Test
    void validateNamesTheBadKey() {
        assertThatThrownBy(() -> ADAPTER.validate(spec(BASE, "k", Map.of("api_style", "legacy"))))
                .hasMessageContaining("api_style")
                .hasMessageContaining("legacy");
        assertThatThrownBy(() -> ADAPTER.validate(spec(BASE, "k", Map.of("auth", "oauth"))))
                .hasMessageContaining("auth");
        assertThatThrownBy(() -> ADAPTER.validate(spec(BASE, null, Map.of("auth", "entra"))))
                .hasMessageContaining("azure_ad_token");
        assertThatThrownBy(() -> ADAPTER.validate(spec(BASE, "k", Map.of("azure_ad_token", "t"))))
                .hasMessageContaining("auth: entra");
        assertThatThrownBy(() -> ADAPTER.validate(spec(BASE, "k", Map.of("api_version", 5))))
                .hasMessageContaining("api_version");
    }

    // ---------------------------------------------------------------- URL

    private static final String HI =
            "{\"model\":\"gpt-4o-prod\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static String url(Target t) {
        return ADAPTER.encode(request(HI), t).uri().toString();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                BASE,
                BASE + "/",
                BASE + "/openai",
                BASE + "/openai/",
                BASE + "/openai/v1",
                " " + BASE + "/openai/v1/ "
            })
    void deploymentsUrlNamesTheDeploymentWithTheDefaultApiVersion(String base) {
        assertThat(url(target(base, "k", Map.of(), Map.of())))
                .isEqualTo(BASE + "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
    }

    @Test
    void aConfiguredApiVersionAndAnOddDeploymentNameAreEncoded() {
        Target t = target(Map.of("api_version", "2025-04-01-preview"));
        assertThat(url(t))
                .isEqualTo(BASE + "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2025-04-01-preview");
        Target odd = new Target(t.provider(), "my dep/é");
        assertThat(ADAPTER.encode(request(HI), odd).uri().toString())
                .isEqualTo(
                        BASE + "/openai/deployments/my%20dep%2F%C3%A9/chat/completions?api-version=2025-04-01-preview");
    }

    @ParameterizedTest
    @ValueSource(strings = {BASE, BASE + "/openai", BASE + "/openai/v1/"})
    void v1UrlHasNoApiVersionUnlessOneIsConfigured(String base) {
        assertThat(url(target(base, "k", Map.of(), Map.of("api_style", "v1"))))
                .isEqualTo(BASE + "/openai/v1/chat/completions");
        assertThat(url(target(base, "k", Map.of(), Map.of("api_style", "v1", "api_version", "preview"))))
                .isEqualTo(BASE + "/openai/v1/chat/completions?api-version=preview");
    }

    // ---------------------------------------------------------------- headers

    @Test
    void apiKeyAuthSendsTheApiKeyHeaderAndNoBearer() {
        UpstreamRequest r =
                ADAPTER.encode(request(HI), target(BASE, "azure-key-123", Map.of("x-ms-client", "j"), Map.of()));
        assertThat(r.headers())
                .containsExactly(
                        Map.entry("content-type", "application/json"),
                        Map.entry("accept", "application/json"),
                        Map.entry("api-key", "azure-key-123"),
                        Map.entry("x-ms-client", "j"));
        assertThat(r.toString()).doesNotContain("azure-key-123");
        assertThat(ADAPTER.encode(request(HI), target(BASE, null, Map.of(), Map.of()))
                        .headers())
                .doesNotContainKeys("api-key", "authorization");
    }

    @Test
    void entraAuthSendsABearerTokenPreferringAzureAdToken() {
        UpstreamRequest withToken = ADAPTER.encode(
                request(HI),
                target(BASE, "azure-key-123", Map.of(), Map.of("auth", "entra", "azure_ad_token", "eyJ0eXAi")));
        assertThat(withToken.headers())
                .containsEntry("authorization", "Bearer eyJ0eXAi")
                .doesNotContainKey("api-key");

        UpstreamRequest fromKey =
                ADAPTER.encode(request(HI), target(BASE, "eyJfromKey", Map.of(), Map.of("auth", "entra")));
        assertThat(fromKey.headers())
                .containsEntry("authorization", "Bearer eyJfromKey")
                .doesNotContainKey("api-key");
    }

    // ---------------------------------------------------------------- body

    private static final String FULL = """
            {"model":"gpt-4o-prod","messages":[{"role":"system","content":"Be brief."},
             {"role":"user","content":"Capital of Denmark?"}],"temperature":0.2,"max_completion_tokens":50,
             "stream":true,"fallbacks":["other/model"],"session_id":"s1",
             "data_sources":[{"type":"azure_search","parameters":{"endpoint":"https://search.example"}}]}""";

    @Test
    void theBodyIsOpenAisWithUsageRequestedAndExtensionsRemoved() {
        UpstreamRequest r = ADAPTER.encode(request(FULL), target());
        assertThat(tree(r.body())).isEqualTo(tree("""
                        {"model":"gpt-4o-prod","messages":[{"role":"system","content":"Be brief."},
                         {"role":"user","content":"Capital of Denmark?"}],"temperature":0.2,"stream":true,
                         "stream_options":{"include_usage":true},"max_completion_tokens":50,
                         "data_sources":[{"type":"azure_search","parameters":{"endpoint":"https://search.example"}}]}"""));
        assertThat(r.stream()).isTrue();
        assertThat(r.headers()).containsEntry("accept", "text/event-stream");
        // exactly what the openai type sends
        OpenAiAdapter openai = new OpenAiAdapter();
        assertThat(r.body()).isEqualTo(openai.encode(request(FULL), target()).body());
    }

    @Test
    void theV1FormKeepsTheDeploymentAsModel() {
        UpstreamRequest r = ADAPTER.encode(request(HI), target(Map.of("api_style", "v1")));
        assertThat(tree(r.body()).get("model").asText()).isEqualTo("gpt-4o-prod");
    }

    // ---------------------------------------------------------------- the recorded stream

    @Test
    void theRecordedStreamIsRelayedWithoutItsPromptFilterAnnotation() {
        List<String> recorded = recordedPayloads();
        assertThat(tree(recorded.get(0)).get("prompt_filter_results")).isNotNull();

        RecordingSink sink = whole(recordedSse());

        assertThat(sink.raw).as("byte for byte, less the annotation").containsExactlyElementsOf(recorded.subList(1, 8));
        assertThat(sink.errors).isEmpty();
        assertThat(sink.done).isEqualTo(1);
        ChatChunk first = sink.chunks.get(0);
        assertThat(first.id()).isEqualTo("chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt");
        assertThat(first.choices().get(0).delta().role()).isEqualTo("assistant");
        assertThat(first.isUsageOnly()).isFalse();
        assertThat(sink.chunks.stream()
                        .flatMap(c -> c.choices().stream())
                        .map(c -> c.delta().content())
                        .filter(java.util.Objects::nonNull)
                        .collect(Collectors.joining()))
                .isEqualTo("Capital of Denmark.");
        ChatChunk finish = sink.chunks.get(5);
        assertThat(finish.choices().get(0).finishReason()).isEqualTo("stop");
        assertThat(finish.choices().get(0).extra()).containsKey("content_filter_results");
        ChatChunk last = sink.chunks.get(6);
        assertThat(last.isUsageOnly()).as("the usage chunk comes last").isTrue();
        assertThat(last.usage().promptTokens()).isEqualTo(15);
        assertThat(last.usage().completionTokens()).isEqualTo(78);
        assertThat(last.usage().reasoning()).isEqualTo(64);
    }

    @Test
    void anySplitOfTheRecordedStreamGivesTheSameOutput() {
        byte[] body = recordedSse();
        List<String> reference = whole(body).raw;

        assertThat(feed(body, () -> 1, false).raw).isEqualTo(reference);
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            RecordingSink split = feed(body, () -> 1 + random.nextInt(97), false);
            assertThat(split.raw).as("seed %d", seed).isEqualTo(reference);
            assertThat(split.done).isEqualTo(1);
        }
        Random pooled = new Random(7);
        assertThat(feed(body, () -> 1 + pooled.nextInt(300), true).raw).isEqualTo(reference);
        byte[] crlf =
                new String(body, StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        Random random = new Random(3);
        assertThat(feed(crlf, () -> 1 + random.nextInt(11), false).raw).isEqualTo(reference);
    }

    @Test
    void onlyChunksWithNeitherChoicesNorUsageAreDropped() {
        // constructed: an annotation in the middle, and a usage chunk with an empty choices list
        String body = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
                + "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{}}]}\n\n"
                + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n"
                + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n"
                + "data: [DONE]\n\n";
        RecordingSink sink = whole(body.getBytes(StandardCharsets.UTF_8));
        assertThat(sink.chunks).hasSize(3);
        assertThat(sink.chunks.get(1).choices().get(0).finishReason()).isEqualTo("content_filter");
        assertThat(sink.chunks.get(2).isUsageOnly()).isTrue();
        assertThat(sink.done).isEqualTo(1);
    }

    @Test
    void anInStreamErrorIsReported() {
        RecordingSink sink = whole(("data: {\"error\":{\"message\":\"The server had an error\",\"type\":null,"
                        + "\"code\":\"server_error\"}}\n\n")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(sink.errors).singleElement().satisfies(e -> {
            assertThat(e.getMessage()).isEqualTo("The server had an error");
            assertThat(e.code()).isEqualTo("server_error");
            assertThat(e.retryable()).isTrue();
        });
    }

    // ---------------------------------------------------------------- non-streamed response

    @Test
    void aFilteredCompletionDecodesWithItsAnnotationsKept() {
        // constructed in the documented shape: no non-streamed Azure recording exists
        byte[] json = """
                {"choices":[{"content_filter_results":{"hate":{"filtered":true,"severity":"medium"}},
                  "finish_reason":"content_filter","index":0,"logprobs":null,
                  "message":{"content":null,"refusal":null,"role":"assistant"}}],
                 "created":1762317021,"id":"chatcmpl-A1","model":"gpt-4o-2024-11-20","object":"chat.completion",
                 "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}],
                 "system_fingerprint":"fp_1","usage":{"completion_tokens":3,"prompt_tokens":12,"total_tokens":15}}""".getBytes(StandardCharsets.UTF_8);
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(json);
        try {
            ChatResponse r = ADAPTER.decodeResponse(body, request(HI), target());
            assertThat(r.choices().get(0).finishReason()).isEqualTo("content_filter");
            assertThat(r.choices().get(0).message().content()).isNull();
            assertThat(r.usage().totalTokens()).isEqualTo(15);
            assertThat(tree(Json.string(r)).get("prompt_filter_results"))
                    .isEqualTo(tree(json).get("prompt_filter_results"));
            assertThat(tree(Json.string(r))
                            .at("/choices/0/content_filter_results/hate/filtered")
                            .asBoolean())
                    .isTrue();
        } finally {
            body.release();
        }
    }

    // ---------------------------------------------------------------- errors

    private static GatewayException error(int status, Map<String, String> headers, String json) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        try {
            UpstreamHeaders h = headers::get;
            return ADAPTER.decodeError(status, h, body, target());
        } finally {
            body.release();
        }
    }

    @Test
    void aContentFilterErrorKeepsAzuresMessageCodeAndParam() {
        // constructed from Microsoft's documented example (wire-formats §5); type is null there
        GatewayException e = error(400, Map.of(), """
                {"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
                 "type":null,"param":"prompt","code":"content_filter","status":400,
                 "innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}}""");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("content_filter");
        assertThat(e.param()).isEqualTo("prompt");
        assertThat(e.getMessage()).startsWith("The response was filtered due to the prompt triggering");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void rateLimitsAreRetriedAfterTheAdvertisedDelayAndAuthFailuresNameTheGateway() {
        GatewayException limited = error(429, Map.of("retry-after-ms", "1500"), """
                {"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded the call rate limit."}}""");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.retryable()).isTrue();
        assertThat(limited.retryAfter()).isEqualTo(java.time.Duration.ofMillis(1500));

        GatewayException denied = error(401, Map.of(), """
                {"error":{"code":"401","message":"Access denied due to invalid subscription key azure-key-123 or wrong API endpoint."}}""");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.retryable()).isFalse();
        assertThat(denied.getMessage())
                .startsWith("Provider 'az' rejected the gateway's credentials")
                .doesNotContain("azure-key-123");
    }
}
