package io.junction.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.provider.bedrock.eventstream.EventStreamDecoder;
import io.junction.provider.bedrock.eventstream.EventStreamException;
import io.junction.provider.bedrock.eventstream.EventStreamMessage;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A ConverseStream body ({@code application/vnd.amazon.eventstream}) to OpenAI chunks. One instance per
 * stream; not thread-safe.
 *
 * <p>Every chunk has one generated id, the target's model and one {@code created}. The first chunk
 * that carries a choice also carries {@code role: "assistant"}; {@code messageStart} alone sends
 * nothing, so an error before any content can still fail over. A tool call's OpenAI {@code index} is
 * its ordinal among the message's tool calls, not Bedrock's {@code contentBlockIndex}.
 * {@code messageStop} yields the finish-reason chunk; {@code metadata}, which Bedrock sends after it,
 * yields the usage-only chunk (the router drops it for clients that did not ask) and then
 * {@code onDone}. A corrupt frame, a payload that is not JSON, or an exception frame ends the stream
 * with {@link StreamSink#onError}; nothing after it is read.
 */
final class BedrockStreamDecoder implements StreamDecoder {
    private enum Kind {
        TOOL,
        JSON,
        OTHER
    }

    private record Block(Kind kind, int toolIndex) {}

    private final EventStreamDecoder frames = new EventStreamDecoder();
    private final Target target;
    private final String id;
    private final long created;
    private final Map<Integer, Block> blocks = new HashMap<>();
    private StreamSink sink;
    private int toolCount;
    private boolean jsonTool;
    private boolean roleSent;
    private boolean finishSent;
    private boolean ended;

    BedrockStreamDecoder(Target target, String id, long created) {
        this.target = target;
        this.id = id;
        this.created = created;
    }

    @Override
    public void decode(ByteBuf in, StreamSink sink) {
        this.sink = sink;
        if (ended) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            frames.decode(in, this::onMessage);
        } catch (EventStreamException e) {
            in.skipBytes(in.readableBytes());
            fail(malformed("sent a corrupt event stream frame (" + e.getMessage() + ")"));
        } catch (GatewayException e) {
            in.skipBytes(in.readableBytes());
            fail(e);
        }
    }

    @Override
    public void finish(StreamSink sink) {
        this.sink = sink;
        if (ended) {
            return;
        }
        if (finishSent) {
            // the stop reason arrived but metadata did not: complete, without usage
            ended = true;
            sink.onDone();
        } else if (frames.pendingBytes() > 0) {
            fail(malformed("ended the stream in the middle of an event frame"));
        }
        // otherwise: cut before messageStop; the router reports the incomplete stream
    }

    private void fail(GatewayException error) {
        ended = true;
        sink.onError(error);
    }

    private void onMessage(EventStreamMessage m) {
        if (ended) {
            return;
        }
        String messageType = m.messageType();
        if ("exception".equals(messageType)) {
            ended = true;
            sink.onError(BedrockErrors.streamException(m.exceptionType(), m.payload(), target));
            return;
        }
        if ("error".equals(messageType)) {
            ended = true;
            sink.onError(
                    BedrockErrors.inStream(m.stringHeader(":error-code"), m.stringHeader(":error-message"), target));
            return;
        }
        if (messageType != null && !"event".equals(messageType)) {
            throw malformed("sent an event stream message of type '" + messageType + "'");
        }
        String event = m.eventType();
        if (event == null) {
            throw malformed("sent an event without :event-type");
        }
        switch (event) {
            case "messageStart", "contentBlockStop" -> {
                // nothing to send: the role goes with the first content, blocks need no closing
            }
            case "contentBlockStart" -> blockStart(json(m));
            case "contentBlockDelta" -> blockDelta(json(m));
            case "messageStop" -> {
                if (!finishSent) {
                    finishSent = true;
                    String finish = BedrockResponses.finishReason(
                            json(m).path("stopReason").asText(null), toolCount > 0 || !jsonTool);
                    emitChoice(ChatChunk.Delta.EMPTY, finish);
                }
            }
            case "metadata" -> {
                JsonNode tree = json(m);
                if (!finishSent) {
                    finishSent = true;
                    emitChoice(ChatChunk.Delta.EMPTY, "stop");
                }
                sink.onChunk(chunk(List.of(), BedrockResponses.usage(tree.get("usage"))), null);
                ended = true;
                sink.onDone();
            }
            default -> {
                // event types added later: nothing to send
            }
        }
    }

    private JsonNode json(EventStreamMessage m) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(m.payload());
        } catch (IOException e) {
            throw malformed("sent a " + m.eventType() + " event that is not JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw malformed("sent a " + m.eventType() + " event that is not a JSON object");
        }
        return tree;
    }

    private void blockStart(JsonNode tree) {
        int index = tree.path("contentBlockIndex").asInt(-1);
        JsonNode toolUse = tree.path("start").get("toolUse");
        if (toolUse == null || !toolUse.isObject()) {
            blocks.put(index, new Block(Kind.OTHER, -1));
            return;
        }
        String name = toolUse.path("name").asText(null);
        if (BedrockRequestEncoder.JSON_TOOL.equals(name)) {
            jsonTool = true;
            blocks.put(index, new Block(Kind.JSON, -1));
            return;
        }
        int k = toolCount++;
        blocks.put(index, new Block(Kind.TOOL, k));
        ToolCall call = new ToolCall(
                k, toolUse.path("toolUseId").asText(null), "function", new ToolCall.FunctionCall(name, ""));
        emit(new ChatChunk.Delta(null, null, null, List.of(call), null, null));
    }

    private void blockDelta(JsonNode tree) {
        int index = tree.path("contentBlockIndex").asInt(-1);
        JsonNode delta = tree.path("delta");
        if (delta.get("text") instanceof JsonNode text && text.isTextual()) {
            if (!text.asText().isEmpty()) {
                emit(new ChatChunk.Delta(null, text.asText(), null, null, null, null));
            }
        } else if (delta.get("toolUse") instanceof JsonNode toolUse && toolUse.isObject()) {
            Block block = blocks.get(index);
            if (block == null || (block.kind() != Kind.TOOL && block.kind() != Kind.JSON)) {
                throw malformed("sent a toolUse delta for content block " + index + ", which is not a tool use");
            }
            String partial = toolUse.path("input").asText("");
            if (partial.isEmpty()) {
                return;
            }
            if (block.kind() == Kind.JSON) {
                emit(new ChatChunk.Delta(null, partial, null, null, null, null));
            } else {
                ToolCall call = new ToolCall(block.toolIndex(), null, null, new ToolCall.FunctionCall(null, partial));
                emit(new ChatChunk.Delta(null, null, null, List.of(call), null, null));
            }
        } else if (delta.get("reasoningContent") instanceof JsonNode reasoning && reasoning.isObject()) {
            String text = reasoning.path("text").asText("");
            if (!text.isEmpty()) {
                emit(new ChatChunk.Delta(null, null, text, null, null, null));
            }
            // signature and redactedContent: only needed to send the reasoning back, which OpenAI clients cannot
        }
        // citation, toolResult, image deltas: not passed on
    }

    private void emit(ChatChunk.Delta delta) {
        emitChoice(delta, null);
    }

    private void emitChoice(ChatChunk.Delta delta, String finishReason) {
        if (!roleSent) {
            roleSent = true;
            delta = new ChatChunk.Delta(
                    "assistant", delta.content(), delta.reasoningContent(), delta.toolCalls(), null, null);
        }
        sink.onChunk(chunk(List.of(new ChatChunk.Choice(0, delta, finishReason)), null), null);
    }

    private ChatChunk chunk(List<ChatChunk.Choice> choices, Usage usage) {
        return new ChatChunk(id, ChatChunk.OBJECT, created, target.model(), null, null, choices, usage, null, null);
    }

    private GatewayException malformed(String what) {
        return GatewayException.malformedUpstream(target.provider().name(), what);
    }
}
