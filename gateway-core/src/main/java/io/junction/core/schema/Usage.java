package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * Token usage, normalized to OpenAI's meaning: {@code prompt_tokens} counts every input token,
 * cached ones included; {@code completion_tokens} counts reasoning tokens too. Read field by field
 * ({@link RecordFieldsDeserializer}), as every answer carries one.
 */
@JsonDeserialize(using = Usage.Deserializer.class)
public record Usage(
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        PromptTokensDetails promptTokensDetails,
        CompletionTokensDetails completionTokensDetails,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public Usage {
        extra = extra == null ? Map.of() : extra; // read-only when empty: nothing adds to it later
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
    @JsonDeserialize(using = PromptTokensDetails.Deserializer.class)
    public record PromptTokensDetails(
            Integer cachedTokens,
            Integer audioTokens,
            Integer cacheWriteTokens,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
        public PromptTokensDetails {
            extra = extra == null ? Map.of() : extra;
        }

        public static final class Deserializer extends RecordFieldsDeserializer<PromptTokensDetails> {
            private static final long serialVersionUID = 1L;

            public Deserializer() {
                super(
                        PromptTokensDetails.class,
                        new String[] {"cached_tokens", "audio_tokens", "cache_write_tokens"},
                        new Type[] {Integer.class, Integer.class, Integer.class});
            }

            @Override
            protected PromptTokensDetails build(Object[] v, Map<String, Object> extra) {
                return new PromptTokensDetails((Integer) v[0], (Integer) v[1], (Integer) v[2], extra);
            }
        }
    }

    @JsonDeserialize(using = CompletionTokensDetails.Deserializer.class)
    public record CompletionTokensDetails(
            Integer reasoningTokens,
            Integer audioTokens,
            Integer acceptedPredictionTokens,
            Integer rejectedPredictionTokens,
            @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
        public CompletionTokensDetails {
            extra = extra == null ? Map.of() : extra;
        }

        public static final class Deserializer extends RecordFieldsDeserializer<CompletionTokensDetails> {
            private static final long serialVersionUID = 1L;

            public Deserializer() {
                super(
                        CompletionTokensDetails.class,
                        new String[] {
                            "reasoning_tokens",
                            "audio_tokens",
                            "accepted_prediction_tokens",
                            "rejected_prediction_tokens"
                        },
                        new Type[] {Integer.class, Integer.class, Integer.class, Integer.class});
            }

            @Override
            protected CompletionTokensDetails build(Object[] v, Map<String, Object> extra) {
                return new CompletionTokensDetails(
                        (Integer) v[0], (Integer) v[1], (Integer) v[2], (Integer) v[3], extra);
            }
        }
    }

    /** Usage from JSON, field by field. */
    public static final class Deserializer extends RecordFieldsDeserializer<Usage> {
        private static final long serialVersionUID = 1L;

        public Deserializer() {
            super(
                    Usage.class,
                    new String[] {
                        "prompt_tokens",
                        "completion_tokens",
                        "total_tokens",
                        "prompt_tokens_details",
                        "completion_tokens_details"
                    },
                    new Type[] {
                        Integer.class,
                        Integer.class,
                        Integer.class,
                        PromptTokensDetails.class,
                        CompletionTokensDetails.class
                    });
        }

        @Override
        protected Usage build(Object[] v, Map<String, Object> extra) {
            return new Usage(
                    (Integer) v[0],
                    (Integer) v[1],
                    (Integer) v[2],
                    (PromptTokensDetails) v[3],
                    (CompletionTokensDetails) v[4],
                    extra);
        }
    }
}
