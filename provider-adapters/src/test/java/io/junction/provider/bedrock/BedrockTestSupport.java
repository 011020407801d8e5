package io.junction.provider.bedrock;

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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixtures, targets and a recording sink shared by the Bedrock adapter tests. */
final class BedrockTestSupport {
    /** The fixed clock of every test adapter: signing date and {@code created}. */
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    static final String ID = "chatcmpl-bedrock-test";

    /** AWS's documented example credentials (not a real key). */
    static final String AKID = "AKIDEXAMPLE";

    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    static final String NOVA = "us.amazon.nova-micro-v1:0";

    static final String CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";

    /** An adapter with the fixed clock and ids, and an empty environment. */
    static final BedrockAdapter ADAPTER = adapter(Map.of());

    private BedrockTestSupport() {}

    static BedrockAdapter adapter(Map<String, String> env) {
        return new BedrockAdapter(Clock.fixed(NOW, ZoneOffset.UTC), env::get, () -> ID);
    }

    static byte[] fixture(String name) {
        return Fixtures.bytes("bedrock/" + name);
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

    /** Options with region us-east-1 and the example credentials, plus {@code extra}. */
    static Map<String, Object> signed(Map<String, Object> extra) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("region", "us-east-1");
        o.put("access_key_id", AKID);
        o.put("secret_access_key", SECRET);
        o.putAll(extra);
        return o;
    }

    static ProviderSpec spec(String baseUrl, String apiKey, Map<String, String> headers, Map<String, Object> options) {
        return new ProviderSpec("bedrock", baseUrl, apiKey, null, headers, null, null, new LinkedHashMap<>(options));
    }

    static Target target() {
        return target(NOVA);
    }

    static Target target(String model) {
        return target(model, spec(null, null, Map.of(), signed(Map.of())));
    }

    static Target target(String model, ProviderSpec spec) {
        return target(model, spec, ADAPTER);
    }

    static Target target(String model, ProviderSpec spec, BedrockAdapter adapter) {
        return new Target(new Provider("bedrock", spec, adapter), model);
    }

    /** Parses and validates an OpenAI request the way the server does. */
    static ChatRequest request(String json) {
        ChatRequest r = RequestParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        RequestValidator.validate(r);
        return r;
    }

    /** The Converse body {@code openAiJson} encodes to for {@code model}, as a tree. */
    static JsonNode encode(String openAiJson, String model) {
        return tree(ADAPTER.encode(request(openAiJson), target(model)).body());
    }

    static JsonNode encode(String openAiJson) {
        return encode(openAiJson, NOVA);
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
