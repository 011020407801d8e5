package io.junction.provider.bedrock;

import io.junction.core.config.ProviderSpec;
import io.junction.provider.bedrock.sigv4.AwsCredentials;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of a {@code bedrock} provider, from {@link ProviderSpec} and, where the spec is silent,
 * the standard AWS environment variables.
 *
 * @param region the AWS region (signing scope and default endpoint); null only with a {@code base_url}
 *     and a Bedrock API key
 * @param baseUrl the endpoint root without trailing slash, e.g. {@code https://bedrock-runtime.us-east-1.amazonaws.com}
 * @param credentials SigV4 credentials, or null when {@code bearerToken} is set
 * @param bearerToken a Bedrock API key sent as {@code Authorization: Bearer}, or null for SigV4
 * @param defaultMaxTokens the answer's room when thinking is on and the request sets no max
 * @param thinkingBudgets {@code reasoning_effort} to Anthropic {@code thinking.budget_tokens}
 */
record BedrockOptions(
        String region,
        String baseUrl,
        AwsCredentials credentials,
        String bearerToken,
        int defaultMaxTokens,
        Map<String, Integer> thinkingBudgets) {

    static final String REGION = "region";
    static final String ACCESS_KEY_ID = "access_key_id";
    static final String SECRET_ACCESS_KEY = "secret_access_key";
    static final String SESSION_TOKEN = "session_token";
    static final String DEFAULT_MAX_TOKENS = "default_max_tokens";
    static final String THINKING_BUDGETS = "thinking_budgets";

    static final Set<String> KEYS =
            Set.of(REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, DEFAULT_MAX_TOKENS, THINKING_BUDGETS);

    static final int DEFAULT_DEFAULT_MAX_TOKENS = 4096;

    /** Anthropic rejects a thinking budget below this. */
    static final int MIN_THINKING_BUDGET = 1024;

    static final Map<String, Integer> DEFAULT_BUDGETS =
            Map.of("minimal", 1024, "low", 2048, "medium", 8192, "high", 16384, "xhigh", 32768, "max", 64000);

    private static final Pattern REGION_PATTERN = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)+");
    private static final Pattern BEDROCK_HOST =
            Pattern.compile("bedrock-runtime(?:-fips)?\\.([a-z0-9-]+)\\.(?:amazonaws\\.com|api\\.aws)(?:\\.cn)?");

    /** Parses and checks the settings; throws IllegalArgumentException naming the key on a bad value. */
    static BedrockOptions of(ProviderSpec spec, Function<String, String> env) {
        Map<String, Object> o = spec.options();

        String baseUrl = spec.baseUrl() == null || spec.baseUrl().isBlank()
                ? null
                : spec.baseUrl().trim();
        if (baseUrl != null) {
            while (baseUrl.endsWith("/")) {
                baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
            }
            URI uri;
            try {
                uri = URI.create(baseUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("base_url: not a valid URL: '" + spec.baseUrl() + "'");
            }
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new IllegalArgumentException(
                        "base_url: expected an http(s) URL with a host, got '" + spec.baseUrl() + "'");
            }
        }

        String region = string(o, REGION);
        if (region == null) {
            region = blankToNull(env.apply("AWS_REGION"));
        }
        if (region == null) {
            region = blankToNull(env.apply("AWS_DEFAULT_REGION"));
        }
        if (region == null && baseUrl != null) {
            Matcher m = BEDROCK_HOST.matcher(URI.create(baseUrl).getHost());
            if (m.matches()) {
                region = m.group(1);
            }
        }
        if (region != null && !REGION_PATTERN.matcher(region).matches()) {
            throw new IllegalArgumentException(
                    REGION + ": expected an AWS region such as 'us-east-1', got '" + region + "'");
        }
        if (baseUrl == null) {
            if (region == null) {
                throw new IllegalArgumentException(
                        REGION + ": required (or set AWS_REGION / AWS_DEFAULT_REGION, or give base_url)");
            }
            baseUrl = "https://bedrock-runtime." + region + ".amazonaws.com";
        }

        // --- credentials: api_key, then the options, then the environment ---
        AwsCredentials credentials = null;
        String bearer = blankToNull(spec.apiKey());
        String akid = string(o, ACCESS_KEY_ID);
        String secret = string(o, SECRET_ACCESS_KEY);
        String token = string(o, SESSION_TOKEN);
        if (akid != null || secret != null || token != null) {
            if (akid == null || secret == null) {
                String missing = akid == null ? ACCESS_KEY_ID : SECRET_ACCESS_KEY;
                String other = akid == null ? SECRET_ACCESS_KEY : ACCESS_KEY_ID;
                throw new IllegalArgumentException(
                        missing + ": required when " + other + " or " + SESSION_TOKEN + " is set");
            }
            if (bearer != null) {
                throw new IllegalArgumentException(
                        "api_key: give either api_key (a Bedrock API key) or access_key_id/secret_access_key, not both");
            }
            credentials = new AwsCredentials(akid, secret, token);
        } else if (bearer == null) {
            String envAkid = blankToNull(env.apply("AWS_ACCESS_KEY_ID"));
            String envSecret = blankToNull(env.apply("AWS_SECRET_ACCESS_KEY"));
            if (envAkid != null && envSecret != null) {
                credentials = new AwsCredentials(envAkid, envSecret, blankToNull(env.apply("AWS_SESSION_TOKEN")));
            } else {
                bearer = blankToNull(env.apply("AWS_BEARER_TOKEN_BEDROCK"));
            }
        }
        if (credentials == null && bearer == null) {
            throw new IllegalArgumentException(ACCESS_KEY_ID
                    + ": no AWS credentials: set access_key_id and secret_access_key (and session_token for temporary"
                    + " credentials), or api_key for a Bedrock API key, or the environment variables"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN) or AWS_BEARER_TOKEN_BEDROCK");
        }
        if (credentials != null && region == null) {
            throw new IllegalArgumentException(REGION + ": required to sign requests: base_url '" + baseUrl
                    + "' does not name a region (or set AWS_REGION)");
        }

        int maxTokens = DEFAULT_DEFAULT_MAX_TOKENS;
        Object mt = o.get(DEFAULT_MAX_TOKENS);
        if (mt != null) {
            maxTokens = positiveInt(DEFAULT_MAX_TOKENS, mt, 1);
        }
        Map<String, Integer> budgets = new LinkedHashMap<>(DEFAULT_BUDGETS);
        Object tb = o.get(THINKING_BUDGETS);
        if (tb != null) {
            if (!(tb instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(THINKING_BUDGETS
                        + ": expected a map from reasoning effort (minimal, low, medium, high, xhigh, max)"
                        + " to a token budget");
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String effort = String.valueOf(e.getKey());
                if (!DEFAULT_BUDGETS.containsKey(effort)) {
                    throw new IllegalArgumentException(THINKING_BUDGETS + "." + effort
                            + ": unknown reasoning effort (known: minimal, low, medium, high, xhigh, max)");
                }
                budgets.put(effort, positiveInt(THINKING_BUDGETS + "." + effort, e.getValue(), MIN_THINKING_BUDGET));
            }
        }
        return new BedrockOptions(region, baseUrl, credentials, bearer, maxTokens, Map.copyOf(budgets));
    }

    @Override
    public String toString() {
        return "BedrockOptions[region=" + region + ", baseUrl=" + baseUrl + ", auth="
                + (bearerToken != null ? "bearer" : "sigv4 " + credentials) + "]";
    }

    private static String string(Map<String, Object> o, String key) {
        Object v = o.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(key + ": expected a string");
        }
        return blankToNull(s);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static int positiveInt(String key, Object value, int min) {
        long n;
        if (value instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            n = num.longValue();
        } else if (value instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": expected a whole number, got '" + s + "'");
            }
        } else {
            throw new IllegalArgumentException(key + ": expected a whole number, got '" + value + "'");
        }
        if (n < min || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + ": expected a whole number of at least " + min + ", got " + n);
        }
        return (int) n;
    }
}
