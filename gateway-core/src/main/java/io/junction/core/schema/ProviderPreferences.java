package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The request's {@code provider} routing preferences, in the shape OpenAI-compatible routers use. */
public record ProviderPreferences(
        List<String> order,
        Boolean allowFallbacks,
        List<String> only,
        List<String> ignore,
        String sort,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
    public ProviderPreferences {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }
}
