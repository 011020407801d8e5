package io.junction.provider.azure;

import io.junction.core.config.ProviderSpec;
import java.util.Locale;
import java.util.Set;

/**
 * The type-specific settings of an {@code azure} provider, parsed from {@link ProviderSpec#options()}.
 *
 * @param style which URL form to call: the dated deployments API or the v1 API
 * @param apiVersion the {@code api-version} query value; null for the v1 form when none is configured
 * @param entra true for Microsoft Entra ID ({@code Authorization: Bearer}), false for {@code api-key}
 * @param token the credential: {@code azure_ad_token} for Entra when set, else {@code api_key}; null for none
 */
record AzureOptions(Style style, String apiVersion, boolean entra, String token) {

    enum Style {
        DEPLOYMENTS,
        V1
    }

    static final String API_STYLE = "api_style";
    static final String API_VERSION = "api_version";
    static final String AUTH = "auth";
    static final String AZURE_AD_TOKEN = "azure_ad_token";

    static final Set<String> KEYS = Set.of(API_STYLE, API_VERSION, AUTH, AZURE_AD_TOKEN);

    /** The newest GA dated version of the Azure OpenAI inference API (stable/2024-10-21/inference.json). */
    static final String DEFAULT_API_VERSION = "2024-10-21";

    /** Parses and checks the options; throws IllegalArgumentException naming the key on a bad value. */
    static AzureOptions of(ProviderSpec spec) {
        if (spec.baseUrl() == null || spec.baseUrl().isBlank()) {
            throw new IllegalArgumentException("base_url: required for type azure: the resource endpoint,"
                    + " e.g. https://<resource>.openai.azure.com");
        }
        Style style = Style.DEPLOYMENTS;
        String s = string(spec, API_STYLE);
        if (s != null) {
            style = switch (s.toLowerCase(Locale.ROOT)) {
                case "deployments" -> Style.DEPLOYMENTS;
                case "v1" -> Style.V1;
                default ->
                    throw new IllegalArgumentException(API_STYLE + ": expected 'deployments' or 'v1', got '" + s + "'");
            };
        }
        String version = string(spec, API_VERSION);
        if (version == null && style == Style.DEPLOYMENTS) {
            version = DEFAULT_API_VERSION;
        }
        boolean entra = false;
        String auth = string(spec, AUTH);
        if (auth != null) {
            entra = switch (auth.toLowerCase(Locale.ROOT)) {
                case "api_key", "api-key", "key" -> false;
                case "entra", "entra_id", "azure_ad", "bearer" -> true;
                default ->
                    throw new IllegalArgumentException(AUTH + ": expected 'api_key' or 'entra', got '" + auth + "'");
            };
        }
        String adToken = string(spec, AZURE_AD_TOKEN);
        if (adToken != null && !entra) {
            throw new IllegalArgumentException(AZURE_AD_TOKEN + ": only used with auth: entra");
        }
        String apiKey = spec.apiKey() == null || spec.apiKey().isEmpty() ? null : spec.apiKey();
        String token = entra && adToken != null ? adToken : apiKey;
        if (entra && token == null) {
            throw new IllegalArgumentException(
                    AUTH + ": entra needs a token in azure_ad_token (or api_key); none is configured");
        }
        return new AzureOptions(style, version, entra, token);
    }

    private static String string(ProviderSpec spec, String key) {
        Object v = spec.options().get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String str) || str.isBlank()) {
            throw new IllegalArgumentException(key + ": expected a non-empty string");
        }
        return str.trim();
    }
}
