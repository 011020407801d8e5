package io.junction.provider.bedrock;

import static io.junction.provider.bedrock.BedrockTestSupport.ADAPTER;
import static io.junction.provider.bedrock.BedrockTestSupport.AKID;
import static io.junction.provider.bedrock.BedrockTestSupport.NOVA;
import static io.junction.provider.bedrock.BedrockTestSupport.NOW;
import static io.junction.provider.bedrock.BedrockTestSupport.SECRET;
import static io.junction.provider.bedrock.BedrockTestSupport.adapter;
import static io.junction.provider.bedrock.BedrockTestSupport.request;
import static io.junction.provider.bedrock.BedrockTestSupport.signed;
import static io.junction.provider.bedrock.BedrockTestSupport.spec;
import static io.junction.provider.bedrock.BedrockTestSupport.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.transport.UpstreamRequest;
import io.junction.provider.bedrock.sigv4.AwsCredentials;
import io.junction.provider.bedrock.sigv4.SigV4Signer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Registration, options, credentials, URL and signed headers of the {@code bedrock} type. */
class BedrockAdapterTest {
    private static final String HI = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @Test
    void registeredThroughServiceLoader() {
        ProviderRegistry registry = ProviderRegistry.load();
        assertThat(registry.get("bedrock")).isInstanceOf(BedrockAdapter.class);
        assertThat(registry.types()).contains("bedrock", "anthropic", "openai", "mock");
        assertThat(ADAPTER.optionKeys())
                .containsExactlyInAnyOrder(
                        "region",
                        "access_key_id",
                        "secret_access_key",
                        "session_token",
                        "default_max_tokens",
                        "thinking_budgets");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                "none | us.amazon.nova-micro-v1:0 | false | https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse",
                "none | us.amazon.nova-micro-v1:0 | true | https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse-stream",
                "none | arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0 | false | https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
                "http://127.0.0.1:8089/bedrock/ | mistral.mistral-large-2402-v1:0 | false | http://127.0.0.1:8089/bedrock/model/mistral.mistral-large-2402-v1%3A0/converse",
            })
    void urlIsTheBasePlusTheModelAsOneEncodedSegment(String baseUrl, String model, boolean stream, String expected) {
        String json =
                stream ? "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}" : HI;
        UpstreamRequest up =
                ADAPTER.encode(request(json), target(model, spec(baseUrl, null, Map.of(), signed(Map.of()))));
        assertThat(up.uri()).hasToString(expected);
        assertThat(up.uri().getRawPath()).isEqualTo(expected.substring(expected.indexOf("/", 8)));
        assertThat(up.method()).isEqualTo("POST");
        assertThat(up.stream()).isEqualTo(stream);
    }

    @Test
    void sigV4HeadersAreComputedOverTheSentBodyAndTheDoubleEncodedPath() throws Exception {
        UpstreamRequest up = ADAPTER.encode(
                request("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                target(NOVA, spec(null, null, Map.of("x-team", "blue"), signed(Map.of()))));
        String bodyHash =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(up.body()));
        assertThat(up.headers())
                .containsOnlyKeys("content-type", "x-team", "x-amz-date", "x-amz-content-sha256", "authorization");
        assertThat(up.headers())
                .containsEntry("content-type", "application/json")
                .containsEntry("x-amz-date", "20260301T120000Z")
                .containsEntry("x-amz-content-sha256", bodyHash);
        String auth = up.headers().get("authorization");
        assertThat(auth)
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/bedrock/aws4_request,"
                        + " SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=");

        // the same request signed directly: the canonical URI double-encodes the model id's ':'
        SigV4Signer.Signed again = new SigV4Signer("us-east-1", "bedrock")
                .sign(
                        "POST",
                        up.uri(),
                        Map.of("content-type", "application/json"),
                        up.body(),
                        new AwsCredentials(AKID, SECRET, null),
                        NOW);
        assertThat(again.authorization()).isEqualTo(auth);
        assertThat(again.canonicalRequest())
                .startsWith("POST\n/model/us.amazon.nova-micro-v1%253A0/converse-stream\n\n"
                        + "content-type:application/json\nhost:bedrock-runtime.us-east-1.amazonaws.com\n");
        assertThat(up.toString()).doesNotContain(SECRET).doesNotContain("Signature");
    }

    @Test
    void sessionTokenIsSentAndSigned() {
        UpstreamRequest up = ADAPTER.encode(
                request(HI), target(NOVA, spec(null, null, Map.of(), signed(Map.of("session_token", "TOKEN123")))));
        assertThat(up.headers()).containsEntry("x-amz-security-token", "TOKEN123");
        assertThat(up.headers().get("authorization"))
                .contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,");
    }

    @Test
    void credentialsAndRegionComeFromTheEnvironmentWhenTheOptionsAreSilent() {
        BedrockAdapter envAdapter = adapter(Map.of(
                "AWS_REGION", "eu-central-1",
                "AWS_ACCESS_KEY_ID", "AKIDENV",
                "AWS_SECRET_ACCESS_KEY", "envsecret",
                "AWS_SESSION_TOKEN", "ENVTOKEN"));
        ProviderSpec spec = spec(null, null, Map.of(), Map.of());
        envAdapter.validate(spec);
        UpstreamRequest up = envAdapter.encode(request(HI), target(NOVA, spec, envAdapter));
        assertThat(up.uri().getHost()).isEqualTo("bedrock-runtime.eu-central-1.amazonaws.com");
        assertThat(up.headers()).containsEntry("x-amz-security-token", "ENVTOKEN");
        assertThat(up.headers().get("authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDENV/20260301/eu-central-1/bedrock/aws4_request,");

        // AWS_DEFAULT_REGION when AWS_REGION is absent; options win over the environment
        BedrockAdapter fallback = adapter(Map.of(
                "AWS_DEFAULT_REGION", "ap-southeast-2", "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "s"));
        assertThat(fallback.encode(request(HI), target(NOVA, spec(null, null, Map.of(), Map.of()), fallback))
                        .uri()
                        .getHost())
                .isEqualTo("bedrock-runtime.ap-southeast-2.amazonaws.com");
        UpstreamRequest explicit =
                fallback.encode(request(HI), target(NOVA, spec(null, null, Map.of(), signed(Map.of())), fallback));
        assertThat(explicit.headers().get("authorization")).contains("Credential=AKIDEXAMPLE/20260301/us-east-1/");
    }

    @Test
    void apiKeyIsABearerTokenInsteadOfSigV4() {
        UpstreamRequest up = ADAPTER.encode(
                request(HI),
                target(NOVA, spec(null, "ABSKexample-bedrock-key", Map.of(), Map.of("region", "us-west-2"))));
        assertThat(up.headers())
                .containsExactly(
                        Map.entry("content-type", "application/json"),
                        Map.entry("authorization", "Bearer ABSKexample-bedrock-key"));
        assertThat(up.uri().getHost()).isEqualTo("bedrock-runtime.us-west-2.amazonaws.com");
        assertThat(up.toString()).doesNotContain("ABSK");

        // the AWS_BEARER_TOKEN_BEDROCK environment variable, when there are no AWS keys
        BedrockAdapter envAdapter = adapter(Map.of("AWS_BEARER_TOKEN_BEDROCK", "ABSKenv", "AWS_REGION", "us-east-2"));
        UpstreamRequest fromEnv =
                envAdapter.encode(request(HI), target(NOVA, spec(null, null, Map.of(), Map.of()), envAdapter));
        assertThat(fromEnv.headers()).containsEntry("authorization", "Bearer ABSKenv");
    }

    @Test
    void regionIsTakenFromABedrockBaseUrlAndSpecHeadersReplaceOursBeforeSigning() {
        Map<String, Object> keysOnly = new LinkedHashMap<>(signed(Map.of()));
        keysOnly.remove("region");
        UpstreamRequest up = ADAPTER.encode(
                request(HI),
                target(
                        NOVA,
                        spec(
                                "https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com/",
                                null,
                                Map.of("Content-Type", "application/json; charset=utf-8"),
                                keysOnly)));
        assertThat(up.uri())
                .hasToString(
                        "https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse");
        assertThat(up.headers())
                .containsEntry("Content-Type", "application/json; charset=utf-8")
                .doesNotContainKey("content-type");
        assertThat(up.headers().get("authorization")).contains("/us-gov-west-1/bedrock/aws4_request");
    }

    @Test
    void timeoutsComeFromTheSpec() {
        ProviderSpec spec = new ProviderSpec(
                "bedrock", null, null, null, null, 1234L, 5678L, new LinkedHashMap<>(signed(Map.of())));
        UpstreamRequest up = ADAPTER.encode(request(HI), target(NOVA, spec));
        assertThat(up.connectTimeout()).isEqualTo(Duration.ofMillis(1234));
        assertThat(up.readTimeout()).isEqualTo(Duration.ofMillis(5678));
        assertThat(new String(up.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}");
    }

    @Test
    void credentialsGoneAtRequestTimeIsARetryableError() {
        ProviderSpec spec = spec(null, null, Map.of(), Map.of("region", "us-east-1"));
        assertThatThrownBy(() -> ADAPTER.encode(request(HI), target(NOVA, spec)))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage())
                            .startsWith("Provider 'bedrock' is misconfigured: access_key_id: no AWS credentials");
                });
    }

    @Test
    void validateAcceptsGoodOptions() {
        ADAPTER.validate(spec(null, null, Map.of(), signed(Map.of())));
        ADAPTER.validate(spec(
                null,
                null,
                Map.of(),
                signed(Map.of(
                        "session_token",
                        "t",
                        "default_max_tokens",
                        8192,
                        "thinking_budgets",
                        Map.of("low", 4000, "max", "100000")))));
        ADAPTER.validate(spec("https://proxy.example.com", "ABSK", Map.of(), Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "region: required",
                "region: expected an AWS region",
                "region: required to sign requests",
                "access_key_id: required when secret_access_key or session_token is set",
                "secret_access_key: required when access_key_id or session_token is set",
                "access_key_id: no AWS credentials",
                "api_key: give either api_key",
                "base_url: expected an http(s) URL",
                "default_max_tokens: expected a whole number of at least 1, got 0",
                "thinking_budgets.high: expected a whole number of at least 1024, got 100",
                "thinking_budgets.huge: unknown reasoning effort",
                "thinking_budgets: expected a map",
            })
    void validateRejectsBadOptionsNamingTheKey(String expectedMessageStart) {
        Map<String, Object> keys = Map.of("access_key_id", AKID, "secret_access_key", SECRET);
        ProviderSpec bad =
                switch (expectedMessageStart) {
                    case "region: required" -> spec(null, null, Map.of(), keys);
                    case "region: expected an AWS region" ->
                        spec(null, null, Map.of(), signed(Map.of("region", "US East")));
                    case "region: required to sign requests" -> spec("https://proxy.example.com", null, Map.of(), keys);
                    case "access_key_id: required when secret_access_key or session_token is set" ->
                        spec(null, null, Map.of(), Map.of("region", "us-east-1", "secret_access_key", "s"));
                    case "secret_access_key: required when access_key_id or session_token is set" ->
                        spec(null, null, Map.of(), Map.of("region", "us-east-1", "access_key_id", "a"));
                    case "access_key_id: no AWS credentials" ->
                        spec(null, null, Map.of(), Map.of("region", "us-east-1"));
                    case "api_key: give either api_key" -> spec(null, "ABSK", Map.of(), signed(Map.of()));
                    case "base_url: expected an http(s) URL" -> spec("ftp://x", "ABSK", Map.of(), Map.of());
                    case "default_max_tokens: expected a whole number of at least 1, got 0" ->
                        spec(null, null, Map.of(), signed(Map.of("default_max_tokens", 0)));
                    case "thinking_budgets.high: expected a whole number of at least 1024, got 100" ->
                        spec(null, null, Map.of(), signed(Map.of("thinking_budgets", Map.of("high", 100))));
                    case "thinking_budgets.huge: unknown reasoning effort" ->
                        spec(null, null, Map.of(), signed(Map.of("thinking_budgets", Map.of("huge", 5000))));
                    default -> spec(null, null, Map.of(), signed(Map.of("thinking_budgets", 5000)));
                };
        assertThatThrownBy(() -> ADAPTER.validate(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(expectedMessageStart)
                .message()
                .doesNotContain(SECRET);
    }
}
