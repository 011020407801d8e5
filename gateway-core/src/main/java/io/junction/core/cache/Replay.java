package io.junction.core.cache;

import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.ExtraFields;
import io.junction.core.schema.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * A cached answer as a client sees it again: the JSON response, or the OpenAI stream chunks — per
 * choice one chunk with the role and the whole message (content, reasoning, refusal, tool calls
 * with their {@code index}), then one with the finish reason, then (when the client asked for it)
 * the usage chunk. {@code id} and {@code created} are fresh; the content is the stored one.
 */
public final class Replay {
    private Replay() {}

    /** The non-streamed answer, with a fresh {@code id}/{@code created} and {@code extra} (nullable). */
    public static ChatResponse response(ChatResponse stored, String id, long created, ExtraFields extra) {
        return new ChatResponse(
                id,
                "chat.completion",
                created,
                stored.model(),
                stored.choices(),
                stored.usage(),
                stored.systemFingerprint(),
                stored.serviceTier(),
                extra,
                stored.extra());
    }

    /**
     * The stream's chunks; the usage chunk (choices empty, {@code usage}, {@code extra}) is last and only
     * when {@code includeUsage}.
     */
    public static List<ChatChunk> chunks(
            ChatResponse stored, String id, long created, boolean includeUsage, ExtraFields extra) {
        List<ChatResponse.Choice> choices = stored.choices() == null ? List.of() : stored.choices();
        List<ChatChunk> out = new ArrayList<>(choices.size() * 2 + 1);
        for (ChatResponse.Choice c : choices) {
            ChatMessage m = c.message();
            ChatChunk.Delta delta;
            if (m == null) {
                delta = new ChatChunk.Delta("assistant", "", null, null, null, null);
            } else {
                List<ToolCall> calls = null;
                if (m.toolCalls() != null && !m.toolCalls().isEmpty()) {
                    calls = new ArrayList<>(m.toolCalls().size());
                    for (int i = 0; i < m.toolCalls().size(); i++) {
                        ToolCall t = m.toolCalls().get(i);
                        calls.add(new ToolCall(i, t.id(), t.type() == null ? "function" : t.type(), t.function()));
                    }
                }
                String content = m.content() == null ? null : m.content().text();
                delta = new ChatChunk.Delta(
                        m.role() == null ? "assistant" : m.role(),
                        content == null && calls == null ? "" : content,
                        m.reasoningContent(),
                        calls,
                        m.refusal(),
                        null);
            }
            out.add(chunk(stored, id, created, List.of(new ChatChunk.Choice(c.index(), delta, null))));
        }
        for (ChatResponse.Choice c : choices) {
            out.add(chunk(
                    stored,
                    id,
                    created,
                    List.of(new ChatChunk.Choice(c.index(), ChatChunk.Delta.EMPTY, c.finishReason()))));
        }
        if (includeUsage) {
            out.add(new ChatChunk(
                    id,
                    ChatChunk.OBJECT,
                    created,
                    stored.model(),
                    stored.systemFingerprint(),
                    stored.serviceTier(),
                    List.of(),
                    stored.usage() != null ? stored.usage() : io.junction.core.schema.Usage.of(0, 0),
                    extra,
                    null));
        }
        return out;
    }

    private static ChatChunk chunk(ChatResponse stored, String id, long created, List<ChatChunk.Choice> choices) {
        return new ChatChunk(
                id,
                ChatChunk.OBJECT,
                created,
                stored.model(),
                stored.systemFingerprint(),
                stored.serviceTier(),
                choices,
                null,
                null,
                null);
    }
}
