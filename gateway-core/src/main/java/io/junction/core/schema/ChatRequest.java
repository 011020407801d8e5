package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI chat completion request plus Junction's extension fields.
 *
 * <p>Every OpenAI parameter is a typed component. Top-level fields Junction does not know are kept
 * in {@link #extra()} and passed through unchanged to OpenAI-compatible upstreams. Extension fields
 * carry {@code @JsonView(Views.Gateway.class)}: they are consumed by Junction and never forwarded.
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        Double topP,
        Integer n,
        // explicit: without it the @JsonIgnore on isStream() (same logical property) drops "stream" on output
        @JsonProperty("stream") Boolean stream,
        StreamOptions streamOptions,

        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> stop,

        Integer maxTokens,
        Integer maxCompletionTokens,
        Double presencePenalty,
        Double frequencyPenalty,
        Map<String, Number> logitBias,
        Boolean logprobs,
        Integer topLogprobs,
        String user,
        ResponseFormat responseFormat,
        List<Tool> tools,
        ToolChoice toolChoice,
        Boolean parallelToolCalls,
        Long seed,
        String serviceTier,
        String reasoningEffort,
        Boolean store,
        String verbosity,
        String promptCacheKey,
        String safetyIdentifier,
        Map<String, String> metadata,
        List<String> modalities,
        // --- gateway extensions: consumed by Junction, never sent upstream ---
        @JsonView(Views.Gateway.class) List<String> fallbacks,
        @JsonView(Views.Gateway.class) String sessionId,
        @JsonView(Views.Gateway.class) List<String> tags,
        @JsonView(Views.Gateway.class) Map<String, String> labels,
        @JsonView(Views.Gateway.class) Long maxTtftMs,
        @JsonView(Views.Gateway.class) Map<String, String> systemPromptArgs,
        @JsonView(Views.Gateway.class) String abCampaign,
        @JsonView(Views.Gateway.class) ProviderPreferences provider,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {

    public ChatRequest {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    @JsonIgnore
    public boolean isStream() {
        return Boolean.TRUE.equals(stream);
    }

    /** True when the client asked for the final usage chunk of a stream. */
    @JsonIgnore
    public boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    /** Labels for accounting: {@code labels}, falling back to {@code metadata} when no labels are given. */
    @JsonIgnore
    public Map<String, String> effectiveLabels() {
        if (labels != null && !labels.isEmpty()) {
            return labels;
        }
        return metadata == null ? Map.of() : metadata;
    }

    /** This request for {@code newModel}; itself when that is its model already (an alias of the same name). */
    public ChatRequest withModel(String newModel) {
        return java.util.Objects.equals(model, newModel)
                ? this
                : toBuilder().model(newModel).build();
    }

    /**
     * Whether {@code other} is this request but for its {@code model} and {@code stream_options}: every
     * other component the same object (as {@link #withModel} and {@link #withStreamOptions} keep
     * them), {@link #extra} equal. Cheap, and exact enough for {@link ChatRequestSource}: a component
     * replaced by an equal copy only makes it answer false. Keep in step with the components (a test
     * changes each one in turn).
     */
    public boolean differsAtMostInModelAndStreamOptions(ChatRequest other) {
        return this == other
                || (messages == other.messages
                        && temperature == other.temperature
                        && topP == other.topP
                        && n == other.n
                        && stream == other.stream
                        && stop == other.stop
                        && maxTokens == other.maxTokens
                        && maxCompletionTokens == other.maxCompletionTokens
                        && presencePenalty == other.presencePenalty
                        && frequencyPenalty == other.frequencyPenalty
                        && logitBias == other.logitBias
                        && logprobs == other.logprobs
                        && topLogprobs == other.topLogprobs
                        && user == other.user
                        && responseFormat == other.responseFormat
                        && tools == other.tools
                        && toolChoice == other.toolChoice
                        && parallelToolCalls == other.parallelToolCalls
                        && seed == other.seed
                        && serviceTier == other.serviceTier
                        && reasoningEffort == other.reasoningEffort
                        && store == other.store
                        && verbosity == other.verbosity
                        && promptCacheKey == other.promptCacheKey
                        && safetyIdentifier == other.safetyIdentifier
                        && metadata == other.metadata
                        && modalities == other.modalities
                        && fallbacks == other.fallbacks
                        && sessionId == other.sessionId
                        && tags == other.tags
                        && labels == other.labels
                        && maxTtftMs == other.maxTtftMs
                        && systemPromptArgs == other.systemPromptArgs
                        && abCampaign == other.abCampaign
                        && provider == other.provider
                        && extra.equals(other.extra));
    }

    public ChatRequest withStreamOptions(StreamOptions options) {
        return toBuilder().streamOptions(options).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-and-modify helper; records have no withers and adapters rewrite a few fields. */
    public static final class Builder {
        private String model;
        private List<ChatMessage> messages;
        private Double temperature;
        private Double topP;
        private Integer n;
        private Boolean stream;
        private StreamOptions streamOptions;
        private List<String> stop;
        private Integer maxTokens;
        private Integer maxCompletionTokens;
        private Double presencePenalty;
        private Double frequencyPenalty;
        private Map<String, Number> logitBias;
        private Boolean logprobs;
        private Integer topLogprobs;
        private String user;
        private ResponseFormat responseFormat;
        private List<Tool> tools;
        private ToolChoice toolChoice;
        private Boolean parallelToolCalls;
        private Long seed;
        private String serviceTier;
        private String reasoningEffort;
        private Boolean store;
        private String verbosity;
        private String promptCacheKey;
        private String safetyIdentifier;
        private Map<String, String> metadata;
        private List<String> modalities;
        private List<String> fallbacks;
        private String sessionId;
        private List<String> tags;
        private Map<String, String> labels;
        private Long maxTtftMs;
        private Map<String, String> systemPromptArgs;
        private String abCampaign;
        private ProviderPreferences provider;
        private Map<String, Object> extra;

        public Builder() {
            this.extra = new LinkedHashMap<>();
        }

        Builder(ChatRequest r) {
            model = r.model;
            messages = r.messages;
            temperature = r.temperature;
            topP = r.topP;
            n = r.n;
            stream = r.stream;
            streamOptions = r.streamOptions;
            stop = r.stop;
            maxTokens = r.maxTokens;
            maxCompletionTokens = r.maxCompletionTokens;
            presencePenalty = r.presencePenalty;
            frequencyPenalty = r.frequencyPenalty;
            logitBias = r.logitBias;
            logprobs = r.logprobs;
            topLogprobs = r.topLogprobs;
            user = r.user;
            responseFormat = r.responseFormat;
            tools = r.tools;
            toolChoice = r.toolChoice;
            parallelToolCalls = r.parallelToolCalls;
            seed = r.seed;
            serviceTier = r.serviceTier;
            reasoningEffort = r.reasoningEffort;
            store = r.store;
            verbosity = r.verbosity;
            promptCacheKey = r.promptCacheKey;
            safetyIdentifier = r.safetyIdentifier;
            metadata = r.metadata;
            modalities = r.modalities;
            fallbacks = r.fallbacks;
            sessionId = r.sessionId;
            tags = r.tags;
            labels = r.labels;
            maxTtftMs = r.maxTtftMs;
            systemPromptArgs = r.systemPromptArgs;
            abCampaign = r.abCampaign;
            provider = r.provider;
            extra = new LinkedHashMap<>(r.extra);
        }

        public Builder model(String v) {
            model = v;
            return this;
        }

        public Builder messages(List<ChatMessage> v) {
            messages = v;
            return this;
        }

        public Builder temperature(Double v) {
            temperature = v;
            return this;
        }

        public Builder topP(Double v) {
            topP = v;
            return this;
        }

        public Builder n(Integer v) {
            n = v;
            return this;
        }

        public Builder stream(Boolean v) {
            stream = v;
            return this;
        }

        public Builder streamOptions(StreamOptions v) {
            streamOptions = v;
            return this;
        }

        public Builder stop(List<String> v) {
            stop = v;
            return this;
        }

        public Builder maxTokens(Integer v) {
            maxTokens = v;
            return this;
        }

        public Builder maxCompletionTokens(Integer v) {
            maxCompletionTokens = v;
            return this;
        }

        public Builder tools(List<Tool> v) {
            tools = v;
            return this;
        }

        public Builder toolChoice(ToolChoice v) {
            toolChoice = v;
            return this;
        }

        public Builder responseFormat(ResponseFormat v) {
            responseFormat = v;
            return this;
        }

        public Builder reasoningEffort(String v) {
            reasoningEffort = v;
            return this;
        }

        public Builder metadata(Map<String, String> v) {
            metadata = v;
            return this;
        }

        public Builder fallbacks(List<String> v) {
            fallbacks = v;
            return this;
        }

        public Builder user(String v) {
            user = v;
            return this;
        }

        public Builder sessionId(String v) {
            sessionId = v;
            return this;
        }

        public Builder systemPromptArgs(Map<String, String> v) {
            systemPromptArgs = v;
            return this;
        }

        public Builder abCampaign(String v) {
            abCampaign = v;
            return this;
        }

        public Builder provider(ProviderPreferences v) {
            provider = v;
            return this;
        }

        public Builder extra(String key, Object value) {
            if (value == null) {
                extra.remove(key);
            } else {
                extra.put(key, value);
            }
            return this;
        }

        public ChatRequest build() {
            return new ChatRequest(
                    model,
                    messages,
                    temperature,
                    topP,
                    n,
                    stream,
                    streamOptions,
                    stop,
                    maxTokens,
                    maxCompletionTokens,
                    presencePenalty,
                    frequencyPenalty,
                    logitBias,
                    logprobs,
                    topLogprobs,
                    user,
                    responseFormat,
                    tools,
                    toolChoice,
                    parallelToolCalls,
                    seed,
                    serviceTier,
                    reasoningEffort,
                    store,
                    verbosity,
                    promptCacheKey,
                    safetyIdentifier,
                    metadata,
                    modalities,
                    fallbacks,
                    sessionId,
                    tags,
                    labels,
                    maxTtftMs,
                    systemPromptArgs,
                    abCampaign,
                    provider,
                    extra);
        }
    }
}
