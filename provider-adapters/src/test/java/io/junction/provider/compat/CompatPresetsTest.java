package io.junction.provider.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.validate.RequestParser;
import io.junction.core.validate.RequestValidator;
import io.junction.provider.openai.OpenAiAdapter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenAI-compatible presets, as a table: each is found by ServiceLoader under its type name, has
 * its documented default base URL, and applies exactly its documented quirks (docs/providers.md).
 * Requests are written here; there are no recordings of these providers, and the one stream payload
 * below is built in DeepSeek's documented chunk shape.
 */
class CompatPresetsTest {
    private static final ProviderRegistry REGISTRY = ProviderRegistry.load();
    private static final OpenAiAdapter OPENAI = new OpenAiAdapter();

    /** type, default base URL, streams ask for include_usage. */
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("groq", "https://api.groq.com/openai/v1", true),
                Arguments.of("mistral", "https://api.mistral.ai/v1", false),
                Arguments.of("deepseek", "https://api.deepseek.com/v1", true),
                Arguments.of("together", "https://api.together.xyz/v1", true),
                Arguments.of("fireworks", "https://api.fireworks.ai/inference/v1", true),
                Arguments.of("xai", "https://api.x.ai/v1", true),
                Arguments.of("openrouter", "https://openrouter.ai/api/v1", true),
                Arguments.of("perplexity", "https://api.perplexity.ai", false),
                Arguments.of("vllm", "http://127.0.0.1:8000/v1", true),
                Arguments.of("ollama", "http://127.0.0.1:11434/v1", true),
                Arguments.of("lmstudio", "http://127.0.0.1:1234/v1", true));
    }

    private static Target target(String type, String baseUrl, String apiKey) {
        ProviderSpec spec = new ProviderSpec(type, baseUrl, apiKey, null, null, null, null, new LinkedHashMap<>());
        return new Target(new Provider(type, spec, REGISTRY.get(type)), "some-model");
    }

    private static Target target(String type) {
        return target(type, null, "key-" + type);
    }

    private static ChatRequest request(String json) {
        ChatRequest r = RequestParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        RequestValidator.validate(r);
        return r;
    }

    private static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tree(String json) {
        return tree(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Every OpenAI field the presets touch, plus a Junction extension and an unknown field. */
    private static final String EVERYTHING = """
            {"model":"some-model","messages":[{"role":"system","content":"Be brief."},
              {"role":"user","name":"ann","content":"hi"}],
             "stream":true,"stream_options":{"include_usage":false},"seed":7,"max_completion_tokens":64,
             "user":"u-1","logit_bias":{"42":-100},"logprobs":true,"top_logprobs":2,"n":1,"store":false,
             "metadata":{"k":"v"},"service_tier":"auto","reasoning_effort":"low","verbosity":"low",
             "prompt_cache_key":"pc","safety_identifier":"sid","modalities":["text"],"temperature":0.5,
             "fallbacks":["other/model"],"safe_prompt":true}""";

    // ---------------------------------------------------------------- the table

    @ParameterizedTest
    @MethodSource("table")
    void everyPresetIsDiscoveredWithItsDefaultBaseUrlAndUsagePolicy(String type, String base, boolean usage) {
        ProviderAdapter adapter = REGISTRY.get(type);
        assertThat(adapter).as(type).isInstanceOf(CompatAdapter.class);
        assertThat(adapter.type()).isEqualTo(type);
        assertThat(((CompatAdapter) adapter).preset().defaultBaseUrl()).isEqualTo(base);
        assertThat(adapter.optionKeys()).isEmpty();

        var r = adapter.encode(
                request("{\"model\":\"some-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stream\":true}"),
                target(type));
        assertThat(r.uri().toString()).isEqualTo(base + "/chat/completions");
        assertThat(r.headers()).containsEntry("authorization", "Bearer key-" + type);
        assertThat(r.headers()).doesNotContainKeys("openai-organization", "openai-project");
        JsonNode body = tree(r.body());
        if (usage) {
            assertThat(body.get("stream_options")).isEqualTo(tree("{\"include_usage\":true}"));
        } else {
            assertThat(body.has("stream_options"))
                    .as("include_usage not forced on " + type)
                    .isFalse();
        }

        // a configured base_url wins; no key, no authorization header (local servers)
        var custom = adapter.encode(
                request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                target(type, "http://10.1.2.3:9000/v1/", null));
        assertThat(custom.uri().toString()).isEqualTo("http://10.1.2.3:9000/v1/chat/completions");
        assertThat(custom.headers()).doesNotContainKey("authorization");
    }

    @Test
    void theTableCoversEveryPresetAndNoTypeIsClaimedTwice() {
        assertThat(table().map(a -> (String) a.get()[0]))
                .containsExactlyElementsOf(
                        CompatPresets.ALL.stream().map(CompatPreset::type).toList());
        assertThat(REGISTRY.types())
                .contains("openai", "azure", "cohere")
                .containsAll(CompatPresets.ALL.stream().map(CompatPreset::type).toList());
    }

    @ParameterizedTest
    @MethodSource("table")
    void presetsWithoutQuirksSendExactlyWhatTheOpenAiTypeSends(String type, String base, boolean usage) {
        CompatAdapter adapter = (CompatAdapter) REGISTRY.get(type);
        if (!adapter.preset().passThrough()) {
            return;
        }
        Target t = target(type);
        byte[] preset = adapter.encode(request(EVERYTHING), t).body();
        byte[] openai = OPENAI.encode(request(EVERYTHING), t).body();
        if (usage) {
            assertThat(preset).isEqualTo(openai);
        } else {
            ObjectNode expected = (ObjectNode) tree(openai);
            expected.set("stream_options", tree("{\"include_usage\":false}"));
            assertThat(tree(preset)).isEqualTo(expected);
        }
    }

    // ---------------------------------------------------------------- groq

    @Test
    void groqDropsTheFieldsItRejectsWithA400() {
        JsonNode body = tree(
                REGISTRY.get("groq").encode(request(EVERYTHING), target("groq")).body());
        assertThat(body.has("logprobs")).isFalse();
        assertThat(body.has("top_logprobs")).isFalse();
        assertThat(body.has("logit_bias")).isFalse();
        assertThat(body.at("/messages/1/name").isMissingNode()).isTrue();
        assertThat(body.at("/messages/1/content").asText()).isEqualTo("hi");
        // everything else is sent as the openai type sends it
        ObjectNode expected = (ObjectNode)
                tree(OPENAI.encode(request(EVERYTHING), target("groq")).body());
        expected.remove(List.of("logprobs", "top_logprobs", "logit_bias"));
        ((ObjectNode) expected.at("/messages/1")).remove("name");
        assertThat(body).isEqualTo(expected);
    }

    @Test
    void groqRefusesMoreThanOneChoice() {
        String two = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":2}";
        assertThatThrownBy(() -> REGISTRY.get("groq").encode(request(two), target("groq")))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("n");
                    assertThat(e.getMessage()).contains("groq");
                });
        String one = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":1}";
        assertThat(tree(REGISTRY.get("groq")
                                .encode(request(one), target("groq"))
                                .body())
                        .get("n")
                        .asInt())
                .isEqualTo(1);
    }

    // ---------------------------------------------------------------- mistral

    @Test
    void mistralRenamesSeedAndMaxTokensAndDropsWhatItsSchemaLacks() {
        JsonNode body = tree(REGISTRY.get("mistral")
                .encode(request(EVERYTHING), target("mistral"))
                .body());
        assertThat(body).isEqualTo(tree("""
                        {"model":"some-model","messages":[{"role":"system","content":"Be brief."},
                          {"role":"user","content":"hi"}],
                         "temperature":0.5,"n":1,"stream":true,"random_seed":7,"max_tokens":64,"safe_prompt":true}"""));
    }

    @Test
    void mistralKeepsAnExplicitMaxTokensOverMaxCompletionTokens() {
        String both = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_tokens\":10,\"max_completion_tokens\":99,\"random_seed\":3,\"seed\":4}";
        JsonNode body = tree(
                REGISTRY.get("mistral").encode(request(both), target("mistral")).body());
        assertThat(body.get("max_tokens").asInt()).isEqualTo(10);
        assertThat(body.has("max_completion_tokens")).isFalse();
        assertThat(body.get("random_seed").asInt())
                .as("the client's own random_seed wins")
                .isEqualTo(3);
        assertThat(body.has("seed")).isFalse();
    }

    @Test
    void presetQuirkTableMatchesTheDocumentation() {
        assertThat(CompatPresets.GROQ.dropped()).containsExactlyInAnyOrder("logprobs", "top_logprobs", "logit_bias");
        assertThat(CompatPresets.GROQ.dropMessageNames()).isTrue();
        assertThat(CompatPresets.GROQ.singleChoice()).isTrue();
        assertThat(CompatPresets.MISTRAL.renamed())
                .isEqualTo(Map.of("seed", "random_seed", "max_completion_tokens", "max_tokens"));
        assertThat(CompatPresets.MISTRAL.dropped())
                .isEqualTo(Set.of(
                        "stream_options",
                        "user",
                        "logit_bias",
                        "logprobs",
                        "top_logprobs",
                        "store",
                        "metadata",
                        "service_tier",
                        "reasoning_effort",
                        "verbosity",
                        "prompt_cache_key",
                        "safety_identifier",
                        "modalities"));
        assertThat(CompatPresets.ALL.stream().filter(p -> !p.passThrough()).map(CompatPreset::type))
                .containsExactly("groq", "mistral");
        assertThat(CompatPresets.ALL.stream().filter(p -> !p.includeUsage()).map(CompatPreset::type))
                .containsExactly("mistral", "perplexity");
    }

    // ---------------------------------------------------------------- streams and errors are the openai adapter's

    @Test
    void deepSeekReasoningContentIsRelayedAsSent() {
        // built in DeepSeek's documented chunk shape, not recorded
        String payload =
                "{\"id\":\"ds-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
                        + "\"reasoning_content\":\"Let me think\"},\"logprobs\":null,\"finish_reason\":null}]}";
        byte[] body = ("data: " + payload + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
        StreamDecoder decoder = REGISTRY.get("deepseek").newStreamDecoder(request(EVERYTHING), target("deepseek"));
        List<String> raw = new ArrayList<>();
        List<ChatChunk> chunks = new ArrayList<>();
        int[] done = {0};
        StreamSink sink = new StreamSink() {
            @Override
            public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
                chunks.add(chunk);
                raw.add(rawJson.toString(StandardCharsets.UTF_8));
                rawJson.release();
            }

            @Override
            public void onError(GatewayException error) {
                throw new AssertionError(error);
            }

            @Override
            public void onDone() {
                done[0]++;
            }
        };
        ByteBuf in = Unpooled.wrappedBuffer(body);
        try {
            decoder.decode(in, sink);
        } finally {
            in.release();
        }
        decoder.finish(sink);
        assertThat(raw).containsExactly(payload);
        assertThat(chunks.get(0).choices().get(0).delta().reasoningContent()).isEqualTo("Let me think");
        assertThat(done[0]).isEqualTo(1);
    }

    @Test
    void errorsAreDecodedAsOpenAiErrors() {
        // Groq's documented error envelope is OpenAI's; built here, not recorded
        ByteBuf body = Unpooled.copiedBuffer(
                "{\"error\":{\"message\":\"property 'logprobs' is unsupported\",\"type\":\"invalid_request_error\"}}",
                StandardCharsets.UTF_8);
        try {
            GatewayException e = REGISTRY.get("groq").decodeError(400, name -> null, body, target("groq"));
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.type()).isEqualTo("invalid_request_error");
            assertThat(e.getMessage()).isEqualTo("property 'logprobs' is unsupported");
        } finally {
            body.release();
        }
    }
}
