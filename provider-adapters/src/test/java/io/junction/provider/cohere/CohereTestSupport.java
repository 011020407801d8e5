package io.junction.provider.cohere;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.Json;
import io.junction.core.spi.Provider;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.validate.RequestParser;
import io.junction.core.validate.RequestValidator;
import io.junction.provider.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/** Fixtures, targets, stream feeding and a recording sink shared by the Cohere adapter tests. */
final class CohereTestSupport {
    /** The fixed {@code created} every test adapter reports. */
    static final long NOW = 1_760_000_000L;

    static final CohereAdapter ADAPTER = new CohereAdapter(() -> NOW);

    static final String MODEL = "command-a-03-2025";

    private CohereTestSupport() {}

    static byte[] fixture(String name) {
        return Fixtures.bytes("cohere/" + name);
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
        return target(null, "co-test-key", Map.of(), Map.of());
    }

    static Target target(String baseUrl, String apiKey, Map<String, String> headers, Map<String, Object> options) {
        ProviderSpec spec =
                new ProviderSpec("cohere", baseUrl, apiKey, null, headers, null, null, new LinkedHashMap<>(options));
        return new Target(new Provider("cohere", spec, ADAPTER), MODEL);
    }

    /** Parses and validates an OpenAI request the way the server does. */
    static ChatRequest request(String json) {
        ChatRequest r = RequestParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        RequestValidator.validate(r);
        return r;
    }

    /** The Cohere body {@code openAiJson} encodes to, as a tree. */
    static JsonNode encode(String openAiJson) {
        return tree(ADAPTER.encode(request(openAiJson), target()).body());
    }

    /**
     * The recorder kept one SSE data payload per line; re-wraps each as an SSE event, with an
     * {@code event: <type>} line when {@code eventLines} is set.
     */
    static byte[] sse(String jsonl, boolean eventLines) {
        StringBuilder sb = new StringBuilder();
        for (String line : jsonl.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (eventLines) {
                sb.append("event: ").append(tree(line).get("type").asText()).append('\n');
            }
            sb.append("data: ").append(line).append("\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] recordedSse(String name) {
        return sse(new String(fixture(name), StandardCharsets.UTF_8), true);
    }

    static RecordingSink feed(byte[] body, IntSupplier nextSize, boolean pooled) {
        StreamDecoder decoder = ADAPTER.newStreamDecoder(
                request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}"),
                target());
        RecordingSink sink = new RecordingSink();
        int off = 0;
        while (off < body.length) {
            int len = Math.min(body.length - off, Math.max(1, nextSize.getAsInt()));
            ByteBuf piece = pooled
                    ? PooledByteBufAllocator.DEFAULT.directBuffer(len).writeBytes(body, off, len)
                    : Unpooled.wrappedBuffer(body, off, len);
            try {
                decoder.decode(piece, sink);
            } finally {
                piece.release();
            }
            off += len;
        }
        decoder.finish(sink);
        return sink;
    }

    static RecordingSink whole(byte[] body) {
        return feed(body, () -> Integer.MAX_VALUE, false);
    }

    static RecordingSink whole(String body) {
        return whole(body.getBytes(StandardCharsets.UTF_8));
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
