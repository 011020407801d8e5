package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token usage, normalized to OpenAI's meaning: {@code prompt_tokens} counts every input token,
 * cached ones included; {@code completion_tokens} counts reasoning tokens too.
 */
public record Usage(
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        PromptTokensDetails promptTokensDetails,
        CompletionTokensDetails completionTokensDetails,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public Usage {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    public static Usage of(int prompt, int completion) {
        return new Usage(prompt, completion, prompt + completion, null, null, null);
    }

    public int prompt() {
        return promptTokens == null ? 0 : promptTokens;
    }

    public int completion() {
        return completionTokens == null ? 0 : completionTokens;
    }

    public int cached() {
        return promptTokensDetails == null || promptTokensDetails.cachedTokens() == null
                ? 0
                : promptTokensDetails.cachedTokens();
    }

    public int reasoning() {
        return completionTokensDetails == null || completionTokensDetails.reasoningTokens() == null
                ? 0
                : completionTokensDetails.reasoningTokens();
    }

    /**
     * {@code cached_tokens} as OpenAI reports it; {@code cache_write_tokens} is Junction's field for
     * providers that bill writing to the prompt cache (Anthropic, Bedrock).
     */
    public record PromptTokensDetails(
            Integer cachedTokens,
            Integer audioTokens,
            Integer cacheWriteTokens,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
        public PromptTokensDetails {
            extra = extra == null ? new LinkedHashMap<>() : extra;
        }
    }

    public record CompletionTokensDetails(
            Integer reasoningTokens,
            Integer audioTokens,
            Integer acceptedPredictionTokens,
            Integer rejectedPredictionTokens,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
        public CompletionTokensDetails {
            extra = extra == null ? new LinkedHashMap<>() : extra;
        }
    }
}
