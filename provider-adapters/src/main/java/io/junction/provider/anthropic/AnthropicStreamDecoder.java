package io.junction.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.core.stream.SseDecoder;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's Messages event stream to OpenAI chunks. One instance per stream; not thread-safe.
 *
 * <p>Every chunk shares the id and model of {@code message_start} and one {@code created}. The first
 * chunk that carries a choice also carries {@code role: "assistant"}; it is not sent on
 * {@code message_start} alone, so an error before any content can still fail over. A tool call's
 * OpenAI {@code index} is its ordinal among the message's tool_use blocks, not Anthropic's block
 * index. {@code message_delta} yields the finish-reason chunk; {@code message_stop} yields the
 * usage-only chunk (the router drops it for clients that did not ask) and then {@code onDone}.
 */
final class AnthropicStreamDecoder implements StreamDecoder, SseDecoder.Listener {
    private enum Kind {
        TEXT,
        THINKING,
        TOOL,
        JSON,
        OTHER
    }

    private record Block(Kind kind, int toolIndex) {}

    private final SseDecoder sse = new SseDecoder();
    private final Target target;
    private final long created;
    private final AnthropicResponses.Counts counts = new AnthropicResponses.Counts();
    private final Map<Integer, Block> blocks = new HashMap<>();
    private StreamSink sink;
    private String id;
    private String model;
    private int toolCount;
    private boolean roleSent;
    private boolean finishSent;
    private boolean ended;

    AnthropicStreamDecoder(Target target, long created) {
        this.target = target;
        this.created = created;
    }

    @Override
    public void decode(ByteBuf in, StreamSink sink) {
        this.sink = sink;
        sse.decode(in, this);
    }

    @Override
    public void finish(StreamSink sink) {
        this.sink = sink;
        sse.finish(this);
    }

    @Override
    public void onEvent(String event, byte[] data) {
        if (ended) {
            return;
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw malformed("sent a stream event that is not JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw malformed("sent a stream event that is not a JSON object");
        }
        String type = tree.path("type").asText(event == null ? "" : event);
        switch (type) {
            case "message_start" -> {
                JsonNode message = tree.path("message");
                id = message.path("id").asText(null);
                model = message.path("model").asText(null);
                counts.update(message.get("usage"));
            }
            case "content_block_start" -> blockStart(tree);
            case "content_block_delta" -> blockDelta(tree);
            case "message_delta" -> {
                counts.update(tree.get("usage"));
                JsonNode stop = tree.path("delta").get("stop_reason");
                if (stop != null && !stop.isNull() && !finishSent) {
                    emitFinish(stop.asText());
                }
            }
            case "message_stop" -> {
                if (!finishSent) {
                    emitFinish(null);
                }
                requireStart();
                sink.onChunk(chunk(List.of(), counts.toUsage()), null);
                ended = true;
                sink.onDone();
            }
            case "error" -> {
                ended = true;
                sink.onError(AnthropicErrors.inStream(tree.get("error"), target));
            }
            default -> {
                // ping, content_block_stop, and event types added later: nothing to send
            }
        }
    }

    private void blockStart(JsonNode tree) {
        int index = tree.path("index").asInt(-1);
        JsonNode block = tree.path("content_block");
        switch (block.path("type").asText()) {
            case "text" -> {
                blocks.put(index, new Block(Kind.TEXT, -1));
                String text = block.path("text").asText("");
                if (!text.isEmpty()) {
                    emit(new ChatChunk.Delta(null, text, null, null, null, null));
                }
            }
            case "thinking" -> {
                blocks.put(index, new Block(Kind.THINKING, -1));
                String thinking = block.path("thinking").asText("");
                if (!thinking.isEmpty()) {
                    emit(new ChatChunk.Delta(null, null, thinking, null, null, null));
                }
            }
            case "tool_use" -> {
                String name = block.path("name").asText(null);
                if (AnthropicRequestEncoder.JSON_TOOL.equals(name)) {
                    blocks.put(index, new Block(Kind.JSON, -1));
                    return;
                }
                int k = toolCount++;
                blocks.put(index, new Block(Kind.TOOL, k));
                ToolCall call =
                        new ToolCall(k, block.path("id").asText(null), "function", new ToolCall.FunctionCall(name, ""));
                emit(new ChatChunk.Delta(null, null, null, List.of(call), null, null));
            }
            default -> blocks.put(index, new Block(Kind.OTHER, -1));
        }
    }

    private void blockDelta(JsonNode tree) {
        int index = tree.path("index").asInt(-1);
        Block block = blocks.get(index);
        JsonNode delta = tree.path("delta");
        switch (delta.path("type").asText()) {
            case "text_delta" -> {
                String text = delta.path("text").asText("");
                if (!text.isEmpty()) {
                    emit(new ChatChunk.Delta(null, text, null, null, null, null));
                }
            }
            case "thinking_delta" -> {
                String thinking = delta.path("thinking").asText("");
                if (!thinking.isEmpty()) {
                    emit(new ChatChunk.Delta(null, null, thinking, null, null, null));
                }
            }
            case "input_json_delta" -> {
                String partial = delta.path("partial_json").asText("");
                if (block == null || (block.kind() != Kind.TOOL && block.kind() != Kind.JSON)) {
                    throw malformed("sent input_json_delta for content block " + index + ", which is not a tool_use");
                }
                if (partial.isEmpty()) {
                    return;
                }
                if (block.kind() == Kind.JSON) {
                    emit(new ChatChunk.Delta(null, partial, null, null, null, null));
                } else {
                    ToolCall call =
                            new ToolCall(block.toolIndex(), null, null, new ToolCall.FunctionCall(null, partial));
                    emit(new ChatChunk.Delta(null, null, null, List.of(call), null, null));
                }
            }
            default -> {
                // signature_delta (only needed to replay thinking), citations_delta, later types
            }
        }
    }

    private void emitFinish(String stopReason) {
        finishSent = true;
        String finish = AnthropicResponses.finishReason(stopReason, toolCount > 0 || !hasJsonBlock());
        emitChoice(ChatChunk.Delta.EMPTY, finish);
    }

    private boolean hasJsonBlock() {
        for (Block b : blocks.values()) {
            if (b.kind() == Kind.JSON) {
                return true;
            }
        }
        return false;
    }

    private void emit(ChatChunk.Delta delta) {
        emitChoice(delta, null);
    }

    private void emitChoice(ChatChunk.Delta delta, String finishReason) {
        requireStart();
        if (!roleSent) {
            roleSent = true;
            delta = new ChatChunk.Delta(
                    "assistant", delta.content(), delta.reasoningContent(), delta.toolCalls(), null, null);
        }
        sink.onChunk(chunk(List.of(new ChatChunk.Choice(0, delta, finishReason)), null), null);
    }

    private ChatChunk chunk(List<ChatChunk.Choice> choices, io.junction.core.schema.Usage usage) {
        return new ChatChunk(id, ChatChunk.OBJECT, created, model, null, null, choices, usage, null, null);
    }

    private void requireStart() {
        if (id == null) {
            throw malformed("sent stream content before message_start");
        }
    }

    private GatewayException malformed(String what) {
        return GatewayException.malformedUpstream(target.provider().name(), what);
    }
}
