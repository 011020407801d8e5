package io.junction.it;

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
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI SDK against Junction with WireMock playing Bedrock's Converse and ConverseStream APIs
 * (recorded payloads from {@code fixtures/bedrock/}; streams are the recorded binary
 * {@code application/vnd.amazon.eventstream} bodies): answers, streams and a tool round trip, what
 * Bedrock received, and that every request was SigV4-signed over what was actually sent.
 */
class BedrockProviderIT {
    private static final String MODEL_ID = "us.amazon.nova-micro-v1:0";
    private static final String MODEL = "bedrock/" + MODEL_ID;
    private static final String CONVERSE = "/model/us.amazon.nova-micro-v1%3A0/converse";
    private static final String CONVERSE_STREAM = "/model/us.amazon.nova-micro-v1%3A0/converse-stream";
    private static final String ACCESS_KEY = "AKIDJUNCTIONIT00001";
    private static final String SECRET_KEY = "junction-it-secret-access-key/00000000000";
    private static final String REGION = "us-east-1";
    private static final Pattern AUTHORIZATION =
            Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/bedrock/aws4_request, "
                    + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    static WireMockServer upstream;
    static JunctionProcess junction;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = Providers.startUpstream();
        String extra = Providers.provider(
                "bedrock",
                "type: bedrock, base_url: \"http://127.0.0.1:%d\", region: %s, access_key_id: %s, secret_access_key: \"%s\""
                        .formatted(upstream.port(), REGION, ACCESS_KEY, SECRET_KEY));
        junction = JunctionProcess.start("bedrock", port -> Configs.standard(port, upstream.port(), extra));
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
    void everyRequestWasSignedWithTheProvidersCredentials() {
        Providers.assertOnlyProviderCredentials(
                upstream, "Authorization", v -> v.startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/"));
        for (var e : upstream.getAllServeEvents()) {
            assertSignedAsSent(e.getRequest());
        }
    }

    @Test
    void nonStreamAnswer() {
        upstream.stubFor(
                post(urlEqualTo(CONVERSE)).willReturn(Providers.json(Fixtures.text("bedrock/converse.text.json"))));

        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addSystemMessage("You count letters.")
                        .addUserMessage("How many r's are in strawberry?")
                        .maxCompletionTokens(300)
                        .temperature(1.5)
                        .build());

        assertThat(c.id()).startsWith("chatcmpl-");
        assertThat(c.model()).isEqualTo(MODEL_ID);
        assertThat(c.choices().get(0).message().content())
                .hasValue("Let me count the \"r\"s in \"strawberry\":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\n"
                        + "There are **3** \"r\"s in \"strawberry.\"");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = c.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(22);
        assertThat(usage.completionTokens()).isEqualTo(57);
        assertThat(usage.totalTokens()).isEqualTo(79);

        LoggedRequest sent = Providers.only(upstream, postRequestedFor(urlEqualTo(CONVERSE)));
        assertThat(sent.getHeader("x-amz-date")).matches("\\d{8}T\\d{6}Z");
        JsonNode body = Providers.body(sent);
        assertThat(body.path("system")).isEqualTo(Fixtures.parse("[{\"text\":\"You count letters.\"}]"));
        assertThat(body.path("messages"))
                .isEqualTo(Fixtures.parse(
                        "[{\"role\":\"user\",\"content\":[{\"text\":\"How many r's are in strawberry?\"}]}]"));
        assertThat(body.at("/inferenceConfig/maxTokens").asInt()).isEqualTo(300);
        assertThat(body.at("/inferenceConfig/temperature").asDouble()).isEqualTo(1.0); // capped to Bedrock's range
        assertThat(body.has("model")).isFalse();
    }

    @Test
    void inferenceProfileArnTravelsAsOneEncodedPathSegmentAndIsSignedAsSent() {
        String arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
        String path = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile"
                + "%2Fa1b2c3d4e5f6/converse";
        upstream.stubFor(
                post(urlEqualTo(path)).willReturn(Providers.json(Fixtures.text("bedrock/converse.text.json"))));

        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("bedrock/" + arn)
                        .addUserMessage("How many r's are in strawberry?")
                        .build());

        assertThat(c.model()).isEqualTo(arn);
        assertThat(c.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).startsWith("Let me"));
        Providers.only(upstream, postRequestedFor(urlEqualTo(path))); // the signature is checked after each test
    }

    @Test
    void streamedAnswerWithReasoningAndUsage() {
        upstream.stubFor(post(urlEqualTo(CONVERSE_STREAM))
                .willReturn(
                        Providers.eventStream(Providers.bytes("bedrock/converse-stream.reasoning.eventstream.bin"))));

        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Hello")
                        .streamOptions(Providers.includeUsage())
                        .build());

        assertThat(Sdk.text(chunks)).isEqualTo("Hello! It's nice to meet you. How can I help you today?");
        assertThat(Providers.reasoning(chunks))
                .startsWith("The user has greeted me with a simple \"Hello\".")
                .endsWith("how I can help them today.");
        assertThat(Providers.finishReasons(chunks)).containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        String id = chunks.get(0).id();
        assertThat(chunks).allSatisfy(ch -> assertThat(ch.id()).isEqualTo(id));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(36);
        assertThat(usage.completionTokens()).isEqualTo(73);
        assertThat(usage.totalTokens()).isEqualTo(109);

        Providers.only(upstream, postRequestedFor(urlEqualTo(CONVERSE_STREAM)));
    }

    @Test
    void streamedToolCallThenToolResultRoundTrip() {
        upstream.stubFor(post(urlEqualTo(CONVERSE_STREAM))
                .willReturn(
                        Providers.eventStream(Providers.bytes("bedrock/converse-stream.tool-use.eventstream.bin"))));
        upstream.stubFor(
                post(urlEqualTo(CONVERSE)).willReturn(Providers.json(Fixtures.text("bedrock/converse.text.json"))));

        ChatCompletionCreateParams conversation = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addSystemMessage("You are a helpful chatbot.")
                .addUserMessage("What is the temperature of the capital of France?")
                .addFunctionTool(Providers.tool("get_capital", "Get the capital of a country.", "country"))
                .addFunctionTool(Providers.tool("get_temperature", "Get the temperature in a city.", "city"))
                .build();
        List<ChatCompletionChunk> chunks = Providers.stream(
                client,
                conversation.toBuilder().streamOptions(Providers.includeUsage()).build());
        ChatCompletion c1 = Providers.accumulate(chunks);

        assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c1.choices().get(0).message().content())
                .hasValueSatisfying(
                        t -> assertThat(t).startsWith("<thinking> To find").endsWith("</thinking>\n"));
        List<ChatCompletionMessageFunctionToolCall> calls = Providers.calls(c1);
        assertThat(calls).hasSize(1);
        ChatCompletionMessageFunctionToolCall call = calls.get(0);
        assertThat(call.id()).isEqualTo("tooluse_lAG_zP8QRHmSYOwZzzaCqA");
        assertThat(call.function().name()).isEqualTo("get_temperature");
        assertThat(Fixtures.parse(call.function().arguments())).isEqualTo(Fixtures.parse("{\"city\":\"Paris\"}"));
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(471);
        assertThat(usage.completionTokens()).isEqualTo(91);
        assertThat(usage.totalTokens()).isEqualTo(562);

        // The answer to the tool result, this time not streamed.
        ChatCompletion c2 = client.chat()
                .completions()
                .create(conversation.toBuilder()
                        .addMessage(c1.choices().get(0).message())
                        .addMessage(Providers.toolResult(call.id(), "18 degrees Celsius"))
                        .build());
        assertThat(c2.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).startsWith("Let me count"));
        assertThat(c2.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

        JsonNode first = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(CONVERSE_STREAM))));
        assertThat(first.at("/toolConfig/tools/0/toolSpec/name").asText()).isEqualTo("get_capital");
        assertThat(first.at("/toolConfig/tools/1/toolSpec/inputSchema/json/required/0")
                        .asText())
                .isEqualTo("city");
        JsonNode second = Providers.body(Providers.only(upstream, postRequestedFor(urlEqualTo(CONVERSE))));
        JsonNode messages = second.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.at("/1/role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/1/content/0/text").asText()).startsWith("<thinking> To find");
        assertThat(messages.at("/1/content/1"))
                .isEqualTo(Fixtures.parse(
                        "{\"toolUse\":{\"toolUseId\":\"tooluse_lAG_zP8QRHmSYOwZzzaCqA\",\"name\":\"get_temperature\","
                                + "\"input\":{\"city\":\"Paris\"}}}"));
        assertThat(messages.at("/2/role").asText()).isEqualTo("user");
        assertThat(messages.at("/2/content/0"))
                .isEqualTo(Fixtures.parse("{\"toolResult\":{\"toolUseId\":\"tooluse_lAG_zP8QRHmSYOwZzzaCqA\","
                        + "\"content\":[{\"text\":\"18 degrees Celsius\"}]}}"));
        // Bedrock rejects toolUse/toolResult history without a toolConfig.
        assertThat(second.at("/toolConfig/tools")).hasSize(2);
    }

    // ------------------------------------------------------------------ SigV4, re-derived from the wire

    /**
     * Recomputes the request's AWS Signature Version 4 from what WireMock received (method, path,
     * the signed headers' values, the body) and the test's secret, and compares it with the
     * {@code Authorization} header: the signature covers exactly the request that went out.
     */
    private static void assertSignedAsSent(LoggedRequest r) {
        Matcher m = AUTHORIZATION.matcher(r.getHeader("Authorization"));
        assertThat(m.matches())
                .as("Authorization: %s", r.getHeader("Authorization"))
                .isTrue();
        assertThat(m.group(1)).isEqualTo(ACCESS_KEY);
        assertThat(m.group(3)).isEqualTo(REGION);
        String date = m.group(2);
        String signedHeaders = m.group(4);
        assertThat(signedHeaders.split(";")).contains("host", "x-amz-date", "x-amz-content-sha256", "content-type");
        String amzDate = r.getHeader("x-amz-date");
        assertThat(amzDate).startsWith(date);

        byte[] body = r.getBody();
        String bodyHash = hex(sha256(body));
        assertThat(r.getHeader("x-amz-content-sha256")).isEqualTo(bodyHash);

        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders.split(";")) {
            String value = r.getHeader(name);
            assertThat(value).as("signed header %s was sent", name).isNotNull();
            canonicalHeaders
                    .append(name)
                    .append(':')
                    .append(value.trim().replaceAll(" +", " "))
                    .append('\n');
        }
        String path = r.getUrl();
        assertThat(path).doesNotContain("?");
        String canonicalRequest = r.getMethod().getName() + "\n"
                + canonicalUri(path) + "\n"
                + "\n"
                + canonicalHeaders + "\n"
                + signedHeaders + "\n"
                + bodyHash;
        String scope = date + "/" + REGION + "/bedrock/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + SECRET_KEY).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, REGION);
        key = hmac(key, "bedrock");
        key = hmac(key, "aws4_request");
        assertThat(m.group(5))
                .as("SigV4 signature of %s %s", r.getMethod(), path)
                .isEqualTo(hex(hmac(key, stringToSign)));
    }

    /** AWS (non-S3) canonical URI: every segment of the wire path URI-encoded once more. */
    private static String canonicalUri(String wirePath) {
        StringBuilder out = new StringBuilder();
        for (String segment : wirePath.substring(1).split("/", -1)) {
            out.append('/');
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if ((c >= 'A' && c <= 'Z')
                        || (c >= 'a' && c <= 'z')
                        || (c >= '0' && c <= '9')
                        || c == '-'
                        || c == '_'
                        || c == '.'
                        || c == '~') {
                    out.append(c);
                } else {
                    out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
                }
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
