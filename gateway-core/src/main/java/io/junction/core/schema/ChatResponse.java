package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A non-streamed chat completion ({@code object: "chat.completion"}). */
public record ChatResponse(
        String id,
        String object,
        Long created,
        String model,
        List<Choice> choices,
        Usage usage,
        String systemFingerprint,
        String serviceTier,
        ExtraFields extraFields,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public ChatResponse {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    public ChatResponse withExtraFields(ExtraFields fields) {
        return new ChatResponse(
                id, object, created, model, choices, usage, systemFingerprint, serviceTier, fields, extra);
    }

    public record Choice(
            @JsonInclude(JsonInclude.Include.ALWAYS) int index,
            @JsonInclude(JsonInclude.Include.ALWAYS) ChatMessage message,
            @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode logprobs,
            @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
        public Choice {
            extra = extra == null ? new LinkedHashMap<>() : extra;
        }
    }
}
