package io.junction.provider.gemini;

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
import io.junction.provider.Fixtures;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixtures, targets and a recording sink shared by the Gemini adapter tests. */
final class GeminiTestSupport {
    /** The fixed {@code created} every test adapter reports. */
    static final long NOW = 1_760_000_000L;

    /** The id the test adapter uses when Gemini sends no {@code responseId}. */
    static final String FALLBACK_ID = "fallback0123";

    static final GeminiAdapter ADAPTER = new GeminiAdapter(() -> NOW, () -> FALLBACK_ID);

    static final String MODEL = "gemini-2.5-flash";

    private GeminiTestSupport() {}

    /** A recorded payload from {@code src/test/resources/fixtures/google/} (see SOURCES.md there). */
    static byte[] fixture(String name) {
        return Fixtures.bytes("google/" + name);
    }

    static String fixtureText(String name) {
        return Fixtures.string("google/" + name);
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
        return target(baseUrl, "AIza-test-key", headers, options, MODEL);
    }

    static Target target(
            String baseUrl, String apiKey, Map<String, String> headers, Map<String, Object> options, String model) {
        ProviderSpec spec =
                new ProviderSpec("gemini", baseUrl, apiKey, null, headers, null, null, new LinkedHashMap<>(options));
        return new Target(new Provider("gemini", spec, ADAPTER), model);
    }

    /** Parses and validates an OpenAI request the way the server does. */
    static ChatRequest request(String json) {
        ChatRequest r = RequestParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        RequestValidator.validate(r);
        return r;
    }

    /** The Gemini body {@code openAiJson} encodes to, as a tree. */
    static JsonNode encode(String openAiJson) {
        return encode(openAiJson, target());
    }

    static JsonNode encode(String openAiJson, Target target) {
        return tree(ADAPTER.encode(request(openAiJson), target).body());
    }

    /** The vercel recorder keeps one data payload per line; re-wraps each as Gemini's {@code data: ...\r\n\r\n}. */
    static byte[] rewrapJsonl(String jsonl) {
        StringBuilder sb = new StringBuilder();
        for (String line : jsonl.split("\n")) {
            if (!line.isBlank()) {
                sb.append("data: ").append(line).append("\r\n\r\n");
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Records what a stream decoder delivers; releases any raw buffer it is handed. */
    static final class RecordingSink implements StreamSink {
        final List<ChatChunk> chunks = new ArrayList<>();
        final List<GatewayException> errors = new ArrayList<>();
        /** Everything in arrival order: "chunk", "error", "done". */
        final List<String> events = new ArrayList<>();

        int done;

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
            if (rawJson != null) {
                rawJson.release();
            }
            chunks.add(chunk);
            events.add("chunk");
        }

        @Override
        public void onError(GatewayException error) {
            errors.add(error);
            events.add("error");
        }

        @Override
        public void onDone() {
            done++;
            events.add("done");
        }

        /** The chunks as the OpenAI JSON the client would get (serialized, then parsed). */
        JsonNode json() {
            return tree(Json.string(chunks));
        }
    }
}
