package io.junction.provider.azure;

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

/** Targets, requests, stream feeding and a recording sink shared by the Azure adapter tests. */
final class AzureTestSupport {
    static final AzureAdapter ADAPTER = new AzureAdapter();
    static final String BASE = "https://contoso-eastus.openai.azure.com";
    static final String STREAM_FIXTURE = "azure/chat-completion.stream.content-filter.jsonl";

    private AzureTestSupport() {}

    static Target target(String baseUrl, String apiKey, Map<String, String> headers, Map<String, Object> options) {
        ProviderSpec spec =
                new ProviderSpec("azure", baseUrl, apiKey, null, headers, null, null, new LinkedHashMap<>(options));
        return new Target(new Provider("az", spec, ADAPTER), "gpt-4o-prod");
    }

    static Target target(Map<String, Object> options) {
        return target(BASE, "azure-key-123", Map.of(), options);
    }

    static Target target() {
        return target(Map.of());
    }

    static ChatRequest request(String json) {
        ChatRequest r = RequestParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        RequestValidator.validate(r);
        return r;
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

    /** The recorded payloads, one per line, as the recorder kept them (no {@code data:} prefix, no [DONE]). */
    static List<String> recordedPayloads() {
        List<String> out = new ArrayList<>();
        for (String line : Fixtures.string(STREAM_FIXTURE).split("\n")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    /** The recorded payloads re-wrapped as the SSE body Azure sends: {@code data: <json>} events, then [DONE]. */
    static byte[] recordedSse() {
        StringBuilder sb = new StringBuilder();
        for (String p : recordedPayloads()) {
            sb.append("data: ").append(p).append("\n\n");
        }
        sb.append("data: [DONE]\n\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds {@code body} in pieces whose sizes {@code nextSize} gives, then finishes. */
    static RecordingSink feed(byte[] body, IntSupplier nextSize, boolean pooled) {
        StreamDecoder decoder = ADAPTER.newStreamDecoder(
                request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"," + "\"content\":\"hi\"}],\"stream\":true}"),
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

    /** Records what a decoder delivers: chunks, the raw bytes relayed with them (released), errors, done. */
    static final class RecordingSink implements StreamSink {
        final List<ChatChunk> chunks = new ArrayList<>();
        final List<String> raw = new ArrayList<>();
        final List<GatewayException> errors = new ArrayList<>();
        int done;

        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
            try {
                chunks.add(chunk);
                raw.add(rawJson == null ? null : rawJson.toString(StandardCharsets.UTF_8));
            } finally {
                if (rawJson != null) {
                    rawJson.release();
                }
            }
        }

        @Override
        public void onError(GatewayException error) {
            errors.add(error);
        }

        @Override
        public void onDone() {
            done++;
        }
    }
}
