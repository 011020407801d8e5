package io.junction.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.Json;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.stream.PassThroughChunk;
import io.junction.core.stream.SseDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.Arrays;

/**
 * OpenAI SSE to chunks. Each chunk is also handed on as its exact upstream JSON bytes, so the client
 * gets what the provider sent, byte for byte. {@code data: [DONE]} ends the stream; a
 * {@code {"error":...}} event is an in-band error. One instance per stream; not thread-safe.
 *
 * <p>A plain chunk (text, role, finish reason; see {@link PassThroughChunk}) is scanned in the SSE
 * decoder's buffer and handed on as a {@link PassThroughChunk} without building a {@code ChatChunk};
 * every other event (usage, tool calls, errors, anything unusual) takes the full parse below.
 */
final class OpenAiStreamDecoder implements StreamDecoder, SseDecoder.InPlaceListener {
    private static final ObjectReader CHUNK_READER = Json.MAPPER.readerFor(ChatChunk.class);

    private final SseDecoder sse = new SseDecoder();
    private final PassThroughChunk plain = new PassThroughChunk();
    private final Target target;
    private StreamSink sink;

    OpenAiStreamDecoder(Target target) {
        this.target = target;
    }

    @Override
    public void decode(ByteBuf in, StreamSink sink) {
        this.sink = sink;
        sse.decode(in, this);
    }

    @Override
    public void finish(StreamSink sink) {
        this.sink = sink;
        try {
            sse.finish(this);
        } finally {
            plain.close();
        }
    }

    @Override
    public void onEvent(String event, byte[] data, int length) {
        if (event == null && !isDone(data, length) && plain.scan(data, length)) {
            sink.onPassThrough(plain);
            return;
        }
        onEvent(event, Arrays.copyOf(data, length));
    }

    @Override
    public void onEvent(String event, byte[] data) {
        if (isDone(data, data.length)) {
            sink.onDone();
            return;
        }
        if (!"error".equals(event)) {
            // Fast path: one pass straight into the record. Anything unusual (not JSON, not an object,
            // an error payload) takes the tree path below, which reports it exactly as before.
            ChatChunk chunk = null;
            try {
                chunk = CHUNK_READER.readValue(data);
            } catch (IOException | RuntimeException e) {
                // fall through to the tree path
            }
            if (chunk != null && !chunk.extra().containsKey("error")) {
                sink.onChunk(chunk, Unpooled.wrappedBuffer(data));
                return;
            }
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(target.provider().name(), "sent a stream event that is not JSON");
        }
        if (!tree.isObject()) {
            // "null" and an empty data field parse (to NullNode / MissingNode) but are no chunk:
            // treeToValue would give a null chunk
            throw GatewayException.malformedUpstream(
                    target.provider().name(), "sent a stream event that is not a JSON object");
        }
        JsonNode error = tree.get("error");
        if (error != null && !error.isNull() && tree.get("choices") == null) {
            sink.onError(OpenAiErrors.inStream(error.isObject() ? error : tree, target));
            return;
        }
        if ("error".equals(event)) {
            sink.onError(OpenAiErrors.inStream(tree, target));
            return;
        }
        ChatChunk chunk;
        try {
            chunk = Json.MAPPER.treeToValue(tree, ChatChunk.class);
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(
                    target.provider().name(), "sent a stream event that is not a chat.completion.chunk");
        }
        sink.onChunk(chunk, Unpooled.wrappedBuffer(data));
    }

    private static boolean isDone(byte[] data, int length) {
        int start = 0;
        int end = length;
        while (start < end && Character.isWhitespace(data[start])) {
            start++;
        }
        while (end > start && Character.isWhitespace(data[end - 1])) {
            end--;
        }
        return end - start == 6
                && data[start] == '['
                && data[start + 1] == 'D'
                && data[start + 2] == 'O'
                && data[start + 3] == 'N'
                && data[start + 4] == 'E'
                && data[start + 5] == ']';
    }
}
