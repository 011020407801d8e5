package io.junction.core.usage;

import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.ToolCall;
import io.junction.core.stream.PassThroughChunk;
import java.util.List;

/**
 * The completion text a client actually received (content, reasoning, refusals, tool call names
 * and arguments), kept so usage can be estimated when the provider reports none. Bounded: past
 * {@link #MAX_CHARS} characters only the count of further characters is kept. Not thread-safe;
 * owned by one call's event loop until handed over whole.
 */
public final class CompletionText {
    public static final int MAX_CHARS = 1 << 20;

    private StringBuilder text;
    private long overflowChars;

    /** Adds what one streamed chunk delivered. */
    public void add(ChatChunk chunk) {
        List<ChatChunk.Choice> choices = chunk.choices();
        for (int i = 0; i < choices.size(); i++) {
            ChatChunk.Delta d = choices.get(i).delta();
            append(d.content());
            append(d.reasoningContent());
            append(d.refusal());
            toolCalls(d.toolCalls());
        }
    }

    /** Adds what one plain pass-through chunk delivered (same text, same order as the parsed chunk). */
    public void add(PassThroughChunk chunk) {
        if (chunk.choiceCount() == 0) {
            return;
        }
        append(chunk.content());
        append(chunk.reasoningContent());
        append(chunk.refusal());
    }

    /** Adds a whole non-streamed answer. */
    public void add(ChatResponse response) {
        if (response.choices() == null) {
            return;
        }
        for (ChatResponse.Choice c : response.choices()) {
            if (c.message() != null) {
                append(c.message().text());
                append(c.message().reasoningContent());
                append(c.message().refusal());
                toolCalls(c.message().toolCalls());
            }
        }
    }

    private void toolCalls(List<ToolCall> calls) {
        if (calls == null) {
            return;
        }
        for (int i = 0; i < calls.size(); i++) {
            ToolCall tc = calls.get(i);
            if (tc.function() != null) {
                append(tc.function().name());
                append(tc.function().arguments());
            }
        }
    }

    private void append(CharSequence s) {
        if (s == null || s.isEmpty()) {
            return;
        }
        int have = text == null ? 0 : text.length();
        int room = MAX_CHARS - have;
        if (room <= 0) {
            overflowChars += s.length();
            return;
        }
        if (text == null) {
            text = new StringBuilder(Math.min(MAX_CHARS, Math.max(256, s.length())));
        }
        if (s.length() <= room) {
            text.append(s);
        } else {
            text.append(s, 0, room);
            overflowChars += s.length() - room;
        }
    }

    public String text() {
        return text == null ? "" : text.toString();
    }

    /** Characters received beyond {@link #MAX_CHARS}; estimated at 4 characters per token. */
    public long overflowChars() {
        return overflowChars;
    }

    public boolean isEmpty() {
        return (text == null || text.isEmpty()) && overflowChars == 0;
    }
}
