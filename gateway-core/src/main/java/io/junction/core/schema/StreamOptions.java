package io.junction.core.schema;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code stream_options}: {@code include_usage} plus any option Junction does not interpret. */
public record StreamOptions(
        Boolean includeUsage, @JsonAnySetter @JsonAnyGetter Map<String, Object> extra) {
    public StreamOptions {
        extra = extra == null ? new LinkedHashMap<>() : extra;
    }

    public static StreamOptions includingUsage(StreamOptions base) {
        return new StreamOptions(true, base == null ? null : new LinkedHashMap<>(base.extra()));
    }
}
