package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat message, in a request or in a non-streamed response.
 *
 * <p>{@code content} is a string or an array of parts ({@link MessageContent}); it is always written,
 * as {@code null} when absent, because OpenAI clients read {@code message.content} unconditionally.
 * {@code reasoning_content} carries a model's reasoning text (DeepSeek's field name, also used for
 * Anthropic thinking and Gemini thoughts).
 */
public record ChatMessage(
        String role,
        @JsonInclude(JsonInclude.Include.ALWAYS) MessageContent content,
        String name,
        List<ToolCall> toolCalls,
        String toolCallId,
        String refusal,
        String reasoningContent,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public ChatMessage {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    public static ChatMessage of(String role, String text) {
        return new ChatMessage(
                role, text == null ? null : new MessageContent.Text(text), null, null, null, null, null, null);
    }

    /** The message's text: the string content, or its text parts joined with no separator. */
    @JsonIgnore
    public String text() {
        return content == null ? "" : content.text();
    }
}
