package io.junction.provider.gemini;

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
 * Gemini's {@code streamGenerateContent?alt=sse} body to OpenAI chunks. One instance per stream; not
 * thread-safe.
 *
 * <p>Each event is a whole {@code GenerateContentResponse} holding only the new parts. Every chunk
 * shares the first event's {@code responseId} and {@code modelVersion} and one {@code created}. Per
 * candidate (OpenAI choice), the first chunk carries {@code role: "assistant"}; text parts become
 * {@code content}, thought parts {@code reasoning_content}, and each {@code functionCall} part (Gemini
 * sends them whole) one tool call delta with its ordinal as {@code index}, a generated id, the name
 * and the complete arguments. A {@code finishReason} yields the finish chunk. When every candidate the
 * request asked for ({@code n}) has finished, the usage-only chunk (from the last
 * {@code usageMetadata} seen) follows and then {@code onDone}; Gemini has no end marker, so if fewer
 * candidates came, that happens when the body ends. A body that ends before any
 * {@code finishReason} is incomplete: no {@code onDone}, and the router reports it.
 */
final class GeminiStreamDecoder implements StreamDecoder, SseDecoder.Listener {

    private static final class Candidate {
        boolean roleSent;
        int toolCount;
        boolean finished;
    }

    private final SseDecoder sse = new SseDecoder();
    private final Target target;
    private final long created;
    private final String fallbackId;
    private final int expected;
    private final Map<Integer, Candidate> candidates = new HashMap<>();
    private StreamSink sink;
    private String id;
    private String idBase;
    private String model;
    private JsonNode usage;
    private int finished;
    private boolean ended;

    /**
     * @param expected how many candidates the request asked for ({@code n}, at least 1)
     * @param fallbackId used for {@code id} and tool call ids when the stream has no {@code responseId}
     */
    GeminiStreamDecoder(Target target, long created, int expected, String fallbackId) {
        this.target = target;
        this.created = created;
        this.expected = Math.max(1, expected);
        this.fallbackId = fallbackId;
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
        if (!ended && finished > 0) {
            end(); // fewer candidates than asked for: the body's end is the end
        }
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
        if (tree.has("error")) {
            ended = true;
            sink.onError(GeminiErrors.inBody(tree.get("error"), target));
            return;
        }
        if (id == null) {
            String responseId = GeminiResponses.textOrNull(tree, "responseId");
            idBase = responseId != null ? responseId : fallbackId;
            id = responseId != null ? responseId : "chatcmpl-" + fallbackId;
            String version = GeminiResponses.textOrNull(tree, "modelVersion");
            model = version != null ? version : target.model();
        }
        if (tree.path("usageMetadata").isObject()) {
            usage = tree.get("usageMetadata"); // counts are cumulative; the last one is the total
        }
        JsonNode list = tree.get("candidates");
        if (list != null && list.isArray() && !list.isEmpty()) {
            for (int pos = 0; pos < list.size(); pos++) {
                if (!candidate(list.get(pos), pos)) {
                    return;
                }
            }
        } else if (GeminiResponses.blockReason(tree) != null) {
            Candidate c = candidates.computeIfAbsent(0, k -> new Candidate());
            if (!c.finished) {
                c.finished = true;
                finished++;
                emit(
                        0,
                        c,
                        new ChatChunk.Delta(null, null, null, null, GeminiResponses.refusal(tree), null),
                        null,
                        "content_filter");
            }
        }
        if (finished >= expected) {
            end();
        }
    }

    /** Emits what one candidate of an event carries; false when the stream failed. */
    private boolean candidate(JsonNode cand, int position) {
        int index = cand.path("index").canConvertToInt() ? cand.get("index").intValue() : position;
        Candidate c = candidates.computeIfAbsent(index, k -> new Candidate());
        if (c.finished) {
            return true;
        }
        String reason = GeminiResponses.textOrNull(cand, "finishReason");
        if (GeminiResponses.isToolCallFailure(reason)) {
            ended = true;
            sink.onError(
                    GeminiResponses.toolCallFailure(reason, GeminiResponses.textOrNull(cand, "finishMessage"), target));
            return false;
        }
        JsonNode logprobs = GeminiResponses.logprobs(cand.get("logprobsResult"));
        for (JsonNode part : cand.path("content").path("parts")) {
            ChatChunk.Delta delta = null;
            JsonNode call = part.get("functionCall");
            if (call != null && call.isObject()) {
                int k = c.toolCount++;
                ToolCall tc = new ToolCall(
                        k,
                        GeminiResponses.toolCallId(idBase, index, k, call),
                        "function",
                        new ToolCall.FunctionCall(call.path("name").asText(null), GeminiResponses.arguments(call)));
                delta = new ChatChunk.Delta(null, null, null, List.of(tc), null, null);
            } else if (part.path("text").isTextual()
                    && !part.get("text").asText().isEmpty()) {
                String text = part.get("text").asText();
                delta = part.path("thought").asBoolean(false)
                        ? new ChatChunk.Delta(null, null, text, null, null, null)
                        : ChatChunk.Delta.content(text);
            }
            if (delta != null) {
                emit(index, c, delta, logprobs, null);
                logprobs = null; // an event's logprobs go with its first chunk
            }
        }
        if (reason != null) {
            c.finished = true;
            finished++;
            emit(index, c, ChatChunk.Delta.EMPTY, logprobs, GeminiResponses.finishReason(reason, c.toolCount > 0));
        }
        return true;
    }

    private void emit(int index, Candidate c, ChatChunk.Delta delta, JsonNode logprobs, String finishReason) {
        if (!c.roleSent) {
            c.roleSent = true;
            delta = new ChatChunk.Delta(
                    "assistant", delta.content(), delta.reasoningContent(), delta.toolCalls(), delta.refusal(), null);
        }
        ChatChunk.Choice choice = new ChatChunk.Choice(index, delta, logprobs, finishReason, null);
        sink.onChunk(chunk(List.of(choice), null), null);
    }

    /** The usage-only chunk (when Gemini reported usage), then the end of the stream. */
    private void end() {
        ended = true;
        Usage u = GeminiResponses.usage(usage);
        if (u != null) {
            sink.onChunk(chunk(List.of(), u), null);
        }
        sink.onDone();
    }

    private ChatChunk chunk(List<ChatChunk.Choice> choices, Usage u) {
        return new ChatChunk(id, ChatChunk.OBJECT, created, model, null, null, choices, u, null, null);
    }

    private GatewayException malformed(String what) {
        return GatewayException.malformedUpstream(target.provider().name(), what);
    }
}
