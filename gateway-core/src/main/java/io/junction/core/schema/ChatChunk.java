package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One streamed chunk ({@code object: "chat.completion.chunk"}). */
public record ChatChunk(
        String id,
        String object,
        Long created,
        String model,
        String systemFingerprint,
        String serviceTier,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<Choice> choices,
        Usage usage,
        ExtraFields extraFields,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public ChatChunk {
        extra = extra == null ? new LinkedHashMap<>() : extra;
        choices = choices == null ? List.of() : choices;
    }

    public static final String OBJECT = "chat.completion.chunk";

    /** The trailing usage chunk of a stream with {@code include_usage}: no choices, usage set. */
    @JsonIgnore
    public boolean isUsageOnly() {
        return usage != null && choices.isEmpty();
    }

    public ChatChunk withExtraFields(ExtraFields fields) {
        return new ChatChunk(id, object, created, model, systemFingerprint, serviceTier, choices, usage, fields, extra);
    }

    public record Choice(
            @JsonInclude(JsonInclude.Include.ALWAYS) int index,
            @JsonInclude(JsonInclude.Include.ALWAYS) Delta delta,
            @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode logprobs,
            @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
        public Choice {
            extra = extra == null ? new LinkedHashMap<>() : extra;
            delta = delta == null ? Delta.EMPTY : delta;
        }

        public Choice(int index, Delta delta, String finishReason) {
            this(index, delta, null, finishReason, null);
        }
    }

    /** The incremental message fields of one chunk. */
    public record Delta(
            String role,
            String content,
            String reasoningContent,
            List<ToolCall> toolCalls,
            String refusal,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
        public static final Delta EMPTY = new Delta(null, null, null, null, null, Map.of());

        public Delta {
            extra = extra == null ? new LinkedHashMap<>() : extra;
        }

        public static Delta content(String text) {
            return new Delta(null, text, null, null, null, null);
        }
    }
}
