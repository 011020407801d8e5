package io.junction.core.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code tracing:} — OpenTelemetry spans exported over OTLP/HTTP (protobuf). Off by default: then
 * no part of the OpenTelemetry SDK is created and a W3C {@code traceparent} is only propagated.
 *
 * @param enabled create and export spans (default false)
 * @param endpoint the OTLP/HTTP traces URL (default {@code http://127.0.0.1:4318/v1/traces})
 * @param sampleRatio fraction of new traces sampled, 0 to 1 (default 1.0); parent-based: a request
 *     whose {@code traceparent} carries a sampling decision follows it
 * @param serviceName the {@code service.name} resource attribute (default {@code junction})
 * @param headers HTTP headers sent with every export (e.g. an API key of a hosted backend); never
 *     logged
 * @param timeoutMs how long one export may take (default 10000)
 */
public record TracingSpec(
        Boolean enabled,
        String endpoint,
        Double sampleRatio,
        String serviceName,
        Map<String, String> headers,
        Long timeoutMs) {
    public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318/v1/traces";
    public static final TracingSpec DEFAULTS = new TracingSpec(null, null, null, null, null, null);

    public TracingSpec {
        enabled = enabled == null ? Boolean.FALSE : enabled;
        endpoint = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.strip();
        sampleRatio = sampleRatio == null ? 1.0 : sampleRatio;
        serviceName = serviceName == null || serviceName.isBlank() ? "junction" : serviceName.strip();
        headers = headers == null ? Map.of() : new LinkedHashMap<>(headers);
        timeoutMs = timeoutMs == null ? 10_000L : timeoutMs;
    }

    /** Header values are redacted: they usually hold credentials. */
    @Override
    public String toString() {
        return "TracingSpec[enabled=" + enabled + ", endpoint=" + endpoint + ", sampleRatio=" + sampleRatio
                + ", serviceName=" + serviceName + ", headers=" + headers.keySet() + " (values redacted), timeoutMs="
                + timeoutMs + "]";
    }
}
