package io.junction.core.config;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One configured provider ({@code providers.<name>}).
 *
 * @param type adapter type (openai, anthropic, mock, ...); defaults to the provider's name when that is a type
 * @param baseUrl API base URL; each type has a default, so this is only needed for proxies and tests
 * @param apiKey the provider's secret; never logged
 * @param models model names listed by {@code GET /v1/models} for this provider
 * @param headers extra headers sent on every upstream request
 * @param connectTimeoutMs TCP+TLS connect timeout (default 10000)
 * @param readTimeoutMs longest wait for the next upstream byte while Junction wants one (default 600000)
 * @param retry same-target retries and backoff (defaults in {@link RetrySpec})
 * @param ttftTimeoutMs streams: abandon an attempt with no first token after this long (default none)
 * @param circuitBreaker per-target breaker settings (defaults in {@link BreakerSpec})
 * @param capabilities what the provider's models can do, over the adapter's defaults
 * @param apiKeys more keys to rotate over (with {@code api_key}); a key that gets 401/403/429 is cooled down alone
 * @param options type-specific keys (validated against the adapter's {@code optionKeys()})
 * @param limits the provider key's own rpm/tpm, enforced locally (default none; see {@link LimitsSpec})
 */
public record ProviderSpec(
        String type,
        String baseUrl,
        String apiKey,
        List<String> models,
        Map<String, String> headers,
        Long connectTimeoutMs,
        Long readTimeoutMs,
        RetrySpec retry,
        Long ttftTimeoutMs,
        BreakerSpec circuitBreaker,
        CapabilitiesSpec capabilities,
        List<String> apiKeys,
        @JsonAnySetter Map<String, Object> options,
        LimitsSpec limits) {

    public ProviderSpec {
        limits = limits == null ? LimitsSpec.NONE : limits;
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        models = models == null ? List.of() : List.copyOf(models);
        headers = headers == null ? Map.of() : new LinkedHashMap<>(headers);
        connectTimeoutMs = connectTimeoutMs == null ? 10_000L : connectTimeoutMs;
        readTimeoutMs = readTimeoutMs == null ? 600_000L : readTimeoutMs;
        retry = retry == null ? RetrySpec.DEFAULTS : retry;
        circuitBreaker = circuitBreaker == null ? BreakerSpec.DEFAULTS : circuitBreaker;
        capabilities = capabilities == null ? CapabilitiesSpec.UNSET : capabilities;
        options = options == null ? new LinkedHashMap<>() : options;
    }

    /** Everything but {@code limits} (the shape before local limits). */
    public ProviderSpec(
            String type,
            String baseUrl,
            String apiKey,
            List<String> models,
            Map<String, String> headers,
            Long connectTimeoutMs,
            Long readTimeoutMs,
            RetrySpec retry,
            Long ttftTimeoutMs,
            BreakerSpec circuitBreaker,
            CapabilitiesSpec capabilities,
            List<String> apiKeys,
            Map<String, Object> options) {
        this(
                type,
                baseUrl,
                apiKey,
                models,
                headers,
                connectTimeoutMs,
                readTimeoutMs,
                retry,
                ttftTimeoutMs,
                circuitBreaker,
                capabilities,
                apiKeys,
                options,
                null);
    }

    /** The settings every type shares, without routing policy (defaults apply). */
    public ProviderSpec(
            String type,
            String baseUrl,
            String apiKey,
            List<String> models,
            Map<String, String> headers,
            Long connectTimeoutMs,
            Long readTimeoutMs,
            Map<String, Object> options) {
        this(type, baseUrl, apiKey, models, headers, connectTimeoutMs, readTimeoutMs, null, null, null, null, options);
    }

    /** With routing policy, without capability overrides. */
    public ProviderSpec(
            String type,
            String baseUrl,
            String apiKey,
            List<String> models,
            Map<String, String> headers,
            Long connectTimeoutMs,
            Long readTimeoutMs,
            RetrySpec retry,
            Long ttftTimeoutMs,
            BreakerSpec circuitBreaker,
            Map<String, Object> options) {
        this(
                type,
                baseUrl,
                apiKey,
                models,
                headers,
                connectTimeoutMs,
                readTimeoutMs,
                retry,
                ttftTimeoutMs,
                circuitBreaker,
                null,
                options);
    }

    public ProviderSpec withType(String newType) {
        return new ProviderSpec(
                newType,
                baseUrl,
                apiKey,
                models,
                headers,
                connectTimeoutMs,
                readTimeoutMs,
                retry,
                ttftTimeoutMs,
                circuitBreaker,
                capabilities,
                apiKeys,
                options,
                limits);
    }

    /** With all routing settings but a single key (the pre-rotation shape). */
    public ProviderSpec(
            String type,
            String baseUrl,
            String apiKey,
            List<String> models,
            Map<String, String> headers,
            Long connectTimeoutMs,
            Long readTimeoutMs,
            RetrySpec retry,
            Long ttftTimeoutMs,
            BreakerSpec circuitBreaker,
            CapabilitiesSpec capabilities,
            Map<String, Object> options) {
        this(
                type,
                baseUrl,
                apiKey,
                models,
                headers,
                connectTimeoutMs,
                readTimeoutMs,
                retry,
                ttftTimeoutMs,
                circuitBreaker,
                capabilities,
                null,
                options);
    }

    /** Every key to rotate over: {@code api_key} first (when set), then {@code api_keys}. */
    public List<String> allApiKeys() {
        boolean hasKey = apiKey != null && !apiKey.isEmpty();
        if (apiKeys.isEmpty()) { // the usual case, asked on every attempt: no list to build
            return hasKey ? List.of(apiKey) : List.of();
        }
        List<String> all = new java.util.ArrayList<>(apiKeys.size() + 1);
        if (apiKey != null && !apiKey.isEmpty()) {
            all.add(apiKey);
        }
        for (String k : apiKeys) {
            if (k != null && !k.isEmpty() && !all.contains(k)) {
                all.add(k);
            }
        }
        return all;
    }

    /** The same settings sending {@code key} as the provider's key. */
    public ProviderSpec withApiKey(String key) {
        return new ProviderSpec(
                type,
                baseUrl,
                key,
                models,
                headers,
                connectTimeoutMs,
                readTimeoutMs,
                retry,
                ttftTimeoutMs,
                circuitBreaker,
                capabilities,
                apiKeys,
                options,
                limits);
    }

    /** The same settings with local {@code limits}. */
    public ProviderSpec withLimits(LimitsSpec newLimits) {
        return new ProviderSpec(
                type,
                baseUrl,
                apiKey,
                models,
                headers,
                connectTimeoutMs,
                readTimeoutMs,
                retry,
                ttftTimeoutMs,
                circuitBreaker,
                capabilities,
                apiKeys,
                options,
                newLimits);
    }

    public long longOption(String key, long fallback) {
        Object v = options.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        return Long.parseLong(v.toString().trim());
    }

    public String stringOption(String key, String fallback) {
        Object v = options.get(key);
        return v == null ? fallback : v.toString();
    }

    @Override
    public String toString() {
        return "ProviderSpec[type=" + type + ", baseUrl=" + baseUrl + ", apiKey=<redacted>, apiKeys=<" + apiKeys.size()
                + " redacted>, models=" + models + "]";
    }
}
