package io.junction.provider.cohere;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.Json;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
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
 * Cohere's v2 chat event stream to OpenAI chunks. One instance per stream; not thread-safe.
 *
 * <p>Every chunk has the id of {@code message-start}, the target's model and one {@code created}.
 * The first chunk that carries a choice also carries {@code role: "assistant"}; nothing is sent for
 * {@code message-start} alone, so an error before any content can still fail over. A tool call's
 * OpenAI {@code index} is its ordinal among the message's tool calls, counted in the order of
 * {@code tool-call-start}. {@code message-end} yields the finish-reason chunk, then the usage-only
 * chunk when it carries usage (the router drops it for clients that did not ask), then
 * {@code onDone}; a message-end with
 * finish reason ERROR or TIMEOUT is an error instead.
 */
final class CohereStreamDecoder implements StreamDecoder, SseDecoder.Listener {
    private final SseDecoder sse = new SseDecoder();
    private final Target target;
    private final long created;
    private final Map<Integer, Integer> toolOrdinals = new HashMap<>();
    private StreamSink sink;
    private String id;
    private boolean started;
    private boolean roleSent;
    private boolean ended;

    CohereStreamDecoder(Target target, long created) {
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
        if (isDone(data)) {
            return; // Cohere ends with message-end; a [DONE] marker, if any, adds nothing
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
        JsonNode message = tree.path("delta").path("message");
        String type = tree.path("type").asText(event == null ? "" : event);
        switch (type) {
            case "message-start" -> {
                started = true;
                id = tree.path("id").asText(null);
            }
            case "content-start", "content-delta" -> {
                JsonNode content = message.path("content");
                String text = content.path("text").asText("");
                String thinking = content.path("thinking").asText("");
                if (!thinking.isEmpty()) {
                    emit(new ChatChunk.Delta(null, null, thinking, null, null, null));
                }
                if (!text.isEmpty()) {
                    emit(ChatChunk.Delta.content(text));
                }
            }
            case "tool-plan-delta" -> {
                String plan = message.path("tool_plan").asText("");
                if (!plan.isEmpty()) {
                    emit(ChatChunk.Delta.content(plan));
                }
            }
            case "tool-call-start" -> {
                int k = toolOrdinals.size();
                toolOrdinals.put(tree.path("index").asInt(k), k);
                JsonNode call = message.path("tool_calls");
                JsonNode fn = call.path("function");
                String args = fn.path("arguments").asText("");
                ToolCall start = new ToolCall(
                        k,
                        call.path("id").asText(null),
                        "function",
                        new ToolCall.FunctionCall(fn.path("name").asText(null), args));
                emit(new ChatChunk.Delta(null, null, null, List.of(start), null, null));
            }
            case "tool-call-delta" -> {
                int index = tree.path("index").asInt(-1);
                Integer k = toolOrdinals.get(index);
                if (k == null) {
                    throw malformed("sent tool-call-delta for tool call " + index + ", which was never started");
                }
                String args = message.path("tool_calls")
                        .path("function")
                        .path("arguments")
                        .asText("");
                if (!args.isEmpty()) {
                    ToolCall piece = new ToolCall(k, null, null, new ToolCall.FunctionCall(null, args));
                    emit(new ChatChunk.Delta(null, null, null, List.of(piece), null, null));
                }
            }
            case "message-end" -> {
                JsonNode delta = tree.path("delta");
                String reason = CohereResponses.text(delta, "finish_reason");
                ended = true;
                GatewayException failed = CohereResponses.failure(reason, target);
                if (failed != null) {
                    sink.onError(failed);
                    return;
                }
                emitChoice(ChatChunk.Delta.EMPTY, CohereResponses.finishReason(reason));
                Usage usage = CohereResponses.usage(delta.get("usage"));
                if (usage != null) {
                    sink.onChunk(chunk(List.of(), usage), null);
                }
                sink.onDone();
            }
            default -> {
                // content-end, tool-call-end, citation-start/-end, debug, and event types added later
            }
        }
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

    private ChatChunk chunk(List<ChatChunk.Choice> choices, Usage usage) {
        return new ChatChunk(id, ChatChunk.OBJECT, created, target.model(), null, null, choices, usage, null, null);
    }

    private void requireStart() {
        if (!started) {
            throw malformed("sent stream content before message-start");
        }
    }

    private GatewayException malformed(String what) {
        return GatewayException.malformedUpstream(target.provider().name(), what);
    }

    private static boolean isDone(byte[] data) {
        return data.length <= 16 && "[DONE]".equals(new String(data, java.nio.charset.StandardCharsets.UTF_8).strip());
    }
}
