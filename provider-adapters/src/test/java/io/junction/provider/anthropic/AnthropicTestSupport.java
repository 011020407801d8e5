package io.junction.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.validate.RequestParser;
import io.junction.core.validate.RequestValidator;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixtures, targets and a recording sink shared by the Anthropic adapter tests. */
final class AnthropicTestSupport {
    /** The fixed {@code created} every test adapter reports. */
    static final long NOW = 1_760_000_000L;

    static final AnthropicAdapter ADAPTER = new AnthropicAdapter(() -> NOW);

    private AnthropicTestSupport() {}

    /** A recorded payload from {@code src/test/resources/fixtures/anthropic/} (see SOURCES.md there). */
    static byte[] fixture(String name) {
        try (InputStream in = AnthropicTestSupport.class.getResourceAsStream("/fixtures/anthropic/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fixtureText(String name) {
        return new String(fixture(name), StandardCharsets.UTF_8);
    }

    static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Target target() {
        return target(null, Map.of(), Map.of());
    }

    static Target target(Map<String, Object> options) {
        return target(null, Map.of(), options);
    }

    static Target target(String baseUrl, Map<String, String> headers, Map<String, Object> options) {
        return target(baseUrl, "sk-ant-test", headers, options);
    }

    static Target target(String baseUrl, String apiKey, Map<String, String> headers, Map<String, Object> options) {
        ProviderSpec spec =
                new ProviderSpec("anthropic", baseUrl, apiKey, null, headers, null, null, new LinkedHashMap<>(options));
        return new Target(new Provider("anthropic", spec, ADAPTER), "claude-sonnet-4-5");
    }

    /** Parses and validates an OpenAI request the way the server does, with the target's model set. */
    static ChatRequest request(String json) {
        ChatRequest r = RequestParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        RequestValidator.validate(r);
        return r;
    }

    /** The Anthropic body {@code openAiJson} encodes to, as a tree. */
    static JsonNode encode(String openAiJson) {
        return encode(openAiJson, target());
    }

    static JsonNode encode(String openAiJson, Target target) {
        return tree(ADAPTER.encode(request(openAiJson), target).body());
    }

    /** Records what a stream decoder delivers; releases any raw buffer it is handed. */
    static final class RecordingSink implements StreamSink {
        final List<ChatChunk> chunks = new ArrayList<>();
        final List<GatewayException> errors = new ArrayList<>();
        int done;

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
            if (rawJson != null) {
                rawJson.release();
            }
            chunks.add(chunk);
        }

        @Override
        public void onError(GatewayException error) {
            errors.add(error);
        }

        @Override
        public void onDone() {
            done++;
        }

        /** The chunks as the OpenAI JSON the client would get (serialized, then parsed). */
        JsonNode json() {
            return tree(Json.string(chunks));
        }
    }
}
