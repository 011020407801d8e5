package io.junction.core.error;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The OpenAI error body: {@code {"error":{"message","type","param","code"}}}. */
public record OpenAiError(Detail error) {

    public record Detail(
            String message,
            String type,
            @JsonInclude(JsonInclude.Include.ALWAYS) String param,
            @JsonInclude(JsonInclude.Include.ALWAYS) String code) {}
}
