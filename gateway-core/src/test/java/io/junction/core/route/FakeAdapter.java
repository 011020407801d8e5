package io.junction.core.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.stream.SseDecoder;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * A minimal OpenAI-format adapter for core tests (the real one lives in provider-adapters, which
 * depends on core). Requests go to {@code fake://<provider>/<model>}; streams are SSE whose events
 * are chunk JSON, {@code [DONE]}, or {@code {"error":{"message":...}}}. Raw chunk bytes are handed
 * on in pooled (leak-tracked) buffers, so a listener that forgets to release them fails the leak gate.
 */
class FakeAdapter implements ProviderAdapter {
    /** Replaces encode's result when set: lets a test make encoding fail. */
    Function<ChatRequest, UpstreamRequest> encodeOverride;

    @Override
    public String type() {
        return "fake";
    }

    @Override
    public UpstreamRequest encode(ChatRequest request, Target target) {
        if (encodeOverride != null) {
            return encodeOverride.apply(request);
        }
        return new UpstreamRequest(
                "POST",
                URI.create("fake://" + target.provider().name() + "/" + target.model()),
                target.provider().spec().apiKey() == null
                        ? Map.of()
                        : Map.of("x-key", target.provider().spec().apiKey()),
                Json.upstreamBytes(request),
                request.isStream(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1));
    }

    @Override
    public ChatResponse decodeResponse(ByteBuf body, Target target) {
        try (InputStream in = new ByteBufInputStream(body.duplicate())) {
            return Json.MAPPER.readValue(in, ChatResponse.class);
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(target.provider().name(), "sent invalid JSON");
        }
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        return new Decoder(target);
    }

    @Override
    public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        String message = body.toString(StandardCharsets.UTF_8);
        try {
            JsonNode error = Json.MAPPER.readTree(message).path("error");
            if (error.isObject()) {
                return new GatewayException(
                        status,
                        error.path("type").asText("api_error"),
                        error.path("code").isTextual() ? error.get("code").asText() : null,
                        error.path("param").isTextual() ? error.get("param").asText() : null,
                        error.path("message").asText(),
                        GatewayException.retryableStatus(status));
            }
        } catch (IOException e) {
            // not JSON
        }
        return new GatewayException(
                status,
                "api_error",
                null,
                null,
                "HTTP " + status + ": " + message,
                GatewayException.retryableStatus(status));
    }

    static final class Decoder implements StreamDecoder {
        private final SseDecoder sse = new SseDecoder();
        private final Target target;

        Decoder(Target target) {
            this.target = target;
        }

        @Override
        public void decode(ByteBuf in, StreamSink sink) {
            sse.decode(in, (event, data) -> event(data, sink));
        }

        @Override
        public void finish(StreamSink sink) {
            sse.finish((event, data) -> event(data, sink));
        }

        private void event(byte[] data, StreamSink sink) {
            String text = new String(data, StandardCharsets.UTF_8);
            if (text.equals("[DONE]")) {
                sink.onDone();
                return;
            }
            JsonNode tree;
            try {
                tree = Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw GatewayException.malformedUpstream(target.provider().name(), "sent an event that is not JSON");
            }
            if (tree.has("error")) {
                sink.onError(new GatewayException(
                        502,
                        "api_error",
                        "upstream_stream_error",
                        null,
                        tree.path("error").path("message").asText(),
                        true));
                return;
            }
            ChatChunk chunk;
            try {
                chunk = Json.MAPPER.treeToValue(tree, ChatChunk.class);
            } catch (IOException e) {
                throw GatewayException.malformedUpstream(target.provider().name(), "sent an event that is not a chunk");
            }
            ByteBuf raw = PooledByteBufAllocator.DEFAULT.buffer(data.length).writeBytes(data);
            sink.onChunk(chunk, raw);
        }
    }
}
