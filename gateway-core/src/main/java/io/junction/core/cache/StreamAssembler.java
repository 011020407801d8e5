package io.junction.core.cache;

import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.MessageContent;
import io.junction.core.schema.ToolCall;
import io.junction.core.schema.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds the complete answer from the chunks of a stream, as a client would: per choice, content,
 * reasoning and refusal concatenated, tool calls merged by their {@code index} (name once, argument
 * pieces concatenated), the finish reason, and the usage of the usage chunk. Gives up (and
 * {@link #build} returns null) on what it cannot rebuild faithfully: per-token {@code logprobs}, or
 * more than {@link #MAX_CHARS} characters. Not thread-safe: one stream, one event loop.
 */
public final class StreamAssembler {
    /** Answers longer than this (characters of text and tool arguments) are not cached. */
    public static final int MAX_CHARS = 1 << 20;

    private final TreeMap<Integer, ChoiceState> choices = new TreeMap<>();
    private String id;
    private Long created;
    private String model;
    private String systemFingerprint;
    private String serviceTier;
    private Usage usage;
    private long chars;
    private boolean unusable;

    private static final class ChoiceState {
        String role;
        StringBuilder content;
        StringBuilder reasoning;
        StringBuilder refusal;
        final TreeMap<Integer, ToolState> tools = new TreeMap<>();
        String finishReason;
    }

    private static final class ToolState {
        String id;
        String type;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    /** Adds one chunk the client received. */
    public void add(ChatChunk chunk) {
        if (unusable) {
            return;
        }
        if (id == null) {
            id = chunk.id();
        }
        if (created == null) {
            created = chunk.created();
        }
        if (model == null) {
            model = chunk.model();
        }
        if (systemFingerprint == null) {
            systemFingerprint = chunk.systemFingerprint();
        }
        if (serviceTier == null) {
            serviceTier = chunk.serviceTier();
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        for (ChatChunk.Choice c : chunk.choices()) {
            if (c.logprobs() != null && !c.logprobs().isNull()) {
                unusable = true;
                return;
            }
            ChoiceState s = choices.computeIfAbsent(c.index(), i -> new ChoiceState());
            ChatChunk.Delta d = c.delta();
            if (d.role() != null && s.role == null) {
                s.role = d.role();
            }
            s.content = append(s.content, d.content());
            s.reasoning = append(s.reasoning, d.reasoningContent());
            s.refusal = append(s.refusal, d.refusal());
            if (d.toolCalls() != null) {
                for (int i = 0; i < d.toolCalls().size(); i++) {
                    ToolCall tc = d.toolCalls().get(i);
                    ToolState t = s.tools.computeIfAbsent(tc.index() != null ? tc.index() : i, k -> new ToolState());
                    if (tc.id() != null && t.id == null) {
                        t.id = tc.id();
                    }
                    if (tc.type() != null && t.type == null) {
                        t.type = tc.type();
                    }
                    if (tc.function() != null) {
                        if (tc.function().name() != null && t.name == null) {
                            t.name = tc.function().name();
                        }
                        if (tc.function().arguments() != null) {
                            t.arguments.append(tc.function().arguments());
                            count(tc.function().arguments());
                        }
                    }
                }
            }
            if (c.finishReason() != null) {
                s.finishReason = c.finishReason();
            }
        }
    }

    private StringBuilder append(StringBuilder sb, String s) {
        if (s == null) {
            return sb;
        }
        count(s);
        return sb == null ? new StringBuilder(s) : sb.append(s);
    }

    private void count(String s) {
        chars += s.length();
        if (chars > MAX_CHARS) {
            unusable = true;
        }
    }

    /** The usage seen in the stream (the provider's usage chunk), or null. */
    public Usage usage() {
        return usage;
    }

    /**
     * The assembled answer with {@code usage} (when the stream carried none), or null when it cannot
     * be cached: nothing received, a choice without a finish reason, logprobs, or too long.
     */
    public ChatResponse build(Usage fallbackUsage) {
        if (unusable || choices.isEmpty()) {
            return null;
        }
        List<ChatResponse.Choice> out = new ArrayList<>(choices.size());
        for (Map.Entry<Integer, ChoiceState> e : choices.entrySet()) {
            ChoiceState s = e.getValue();
            if (s.finishReason == null) {
                return null;
            }
            List<ToolCall> calls = null;
            if (!s.tools.isEmpty()) {
                calls = new ArrayList<>(s.tools.size());
                for (ToolState t : s.tools.values()) {
                    calls.add(new ToolCall(
                            null,
                            t.id,
                            t.type == null ? "function" : t.type,
                            new ToolCall.FunctionCall(t.name, t.arguments.toString())));
                }
            }
            ChatMessage message = new ChatMessage(
                    s.role == null ? "assistant" : s.role,
                    s.content == null ? null : new MessageContent.Text(s.content.toString()),
                    null,
                    calls,
                    null,
                    s.refusal == null ? null : s.refusal.toString(),
                    s.reasoning == null ? null : s.reasoning.toString(),
                    null);
            out.add(new ChatResponse.Choice(e.getKey(), message, null, s.finishReason, null));
        }
        return new ChatResponse(
                id,
                "chat.completion",
                created,
                model,
                out,
                usage != null ? usage : fallbackUsage,
                systemFingerprint,
                serviceTier,
                null,
                null);
    }
}
