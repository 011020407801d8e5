package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.LinkedHashMap;
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
 * creator: Jackson's creator path costs a property buffer, its array and an any-setter map per
 * message, which for a chat history was a good part of what parsing a request allocated.
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

    /**
     * A message from JSON, with what Jackson's record creator would give: each field read by the
     * deserializer of its type (so coercions and mismatch errors are Jackson's own), a JSON null as
     * null, an error wrapped with the field's name for the param path ({@code messages[2].role}), a
     * repeated field's last value winning (the first, for a field that goes to {@code extra}), and
     * every other field kept in {@code extra} as Jackson's untyped values, in order.
     * {@code ChatMessageReadingTest} holds it to Jackson's creator, input by input.
     */
    public static final class Deserializer extends StdDeserializer<ChatMessage> implements ResolvableDeserializer {
        private static final long serialVersionUID = 1L;
        private transient JsonDeserializer<Object> strings;
        private transient JsonDeserializer<Object> contents;
        private transient JsonDeserializer<Object> toolCalls;
        private transient JsonDeserializer<Object> untyped;

        public Deserializer() {
            super(ChatMessage.class);
        }

        @Override
        public void resolve(DeserializationContext ctxt) throws JsonMappingException {
            strings = ctxt.findRootValueDeserializer(ctxt.constructType(String.class));
            contents = ctxt.findRootValueDeserializer(ctxt.constructType(MessageContent.class));
            toolCalls = ctxt.findRootValueDeserializer(
                    ctxt.getTypeFactory().constructCollectionType(List.class, ToolCall.class));
            untyped = ctxt.findRootValueDeserializer(ctxt.constructType(Object.class));
        }

        @Override
        @SuppressWarnings("unchecked")
        public ChatMessage deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT) {
                t = p.nextToken();
            } else if (t != JsonToken.FIELD_NAME && t != JsonToken.END_OBJECT) {
                return (ChatMessage) ctxt.handleUnexpectedToken(ChatMessage.class, p);
            }
            String role = null;
            MessageContent content = null;
            String name = null;
            List<ToolCall> calls = null;
            String toolCallId = null;
            String refusal = null;
            String reasoning = null;
            Map<String, Object> extra = null;
            for (; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                boolean isNull = p.nextToken() == JsonToken.VALUE_NULL;
                try {
                    switch (field) {
                        case "role" -> role = isNull ? null : (String) strings.deserialize(p, ctxt);
                        case "content" -> content = isNull ? null : (MessageContent) contents.deserialize(p, ctxt);
                        case "name" -> name = isNull ? null : (String) strings.deserialize(p, ctxt);
                        case "tool_calls" -> calls = isNull ? null : (List<ToolCall>) toolCalls.deserialize(p, ctxt);
                        case "tool_call_id" -> toolCallId = isNull ? null : (String) strings.deserialize(p, ctxt);
                        case "refusal" -> refusal = isNull ? null : (String) strings.deserialize(p, ctxt);
                        case "reasoning_content" -> reasoning = isNull ? null : (String) strings.deserialize(p, ctxt);
                        default -> {
                            Object value = isNull ? null : untyped.deserialize(p, ctxt);
                            if (extra == null) {
                                extra = new LinkedHashMap<>();
                            }
                            if (!extra.containsKey(field)) { // a repeated unknown field: the first value, as Jackson's
                                extra.put(field, value);
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    throw wrap(e, field, ctxt);
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return (ChatMessage) ctxt.handleUnexpectedToken(ChatMessage.class, p);
            }
            return new ChatMessage(role, content, name, calls, toolCallId, refusal, reasoning, extra);
        }

        /** As Jackson's bean deserializers wrap a property's failure: I/O errors as they are, the rest with the path. */
        private static IOException wrap(Exception e, String field, DeserializationContext ctxt) throws IOException {
            if (e instanceof IOException io
                    && (!(e instanceof JacksonException) || !ctxt.isEnabled(DeserializationFeature.WRAP_EXCEPTIONS))) {
                throw io;
            }
            return JsonMappingException.wrapWithPath(e, ChatMessage.class, field);
        }
    }
}
