package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * One chat message, in a request or in a non-streamed response.
 *
 * <p>{@code content} is a string or an array of parts ({@link MessageContent}); it is always written,
 * as {@code null} when absent, because OpenAI clients read {@code message.content} unconditionally.
 * {@code reasoning_content} carries a model's reasoning text (DeepSeek's field name, also used for
 * Anthropic thinking and Gemini thoughts). Any other field is kept in {@code extra} and written back
 * as it came.
 *
 * <p>Read by {@link Deserializer}, field by field, not through the canonical constructor as a
 * creator ({@link RecordFieldsDeserializer}): for a chat history, Jackson's creator path was a good
 * part of what parsing a request allocated.
 */
@JsonDeserialize(using = ChatMessage.Deserializer.class)
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
        extra = extra == null ? Map.of() : extra; // read-only when empty: nothing adds to it later
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

    /** A message from JSON, field by field ({@link RecordFieldsDeserializer}). */
    public static final class Deserializer extends RecordFieldsDeserializer<ChatMessage> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(
                    ChatMessage.class,
                    new String[] {
                        "role", "content", "name", "tool_calls", "tool_call_id", "refusal", "reasoning_content"
                    },
                    new Type[] {
                        String.class,
                        MessageContent.class,
                        String.class,
                        new TypeReference<List<ToolCall>>() {}.getType(),
                        String.class,
                        String.class,
                        String.class
                    });
        }

        @Override
        @SuppressWarnings("unchecked")
        protected ChatMessage build(Object[] v, Map<String, Object> extra) {
            return new ChatMessage(
                    (String) v[0],
                    (MessageContent) v[1],
                    (String) v[2],
                    (List<ToolCall>) v[3],
                    (String) v[4],
                    (String) v[5],
                    (String) v[6],
                    extra);
        }
    }
}
