package io.junction.provider.anthropic;

import io.junction.core.config.ProviderSpec;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The type-specific settings of an {@code anthropic} provider, parsed from {@link ProviderSpec#options()}.
 *
 * @param version the {@code anthropic-version} header
 * @param defaultMaxTokens {@code max_tokens} when the request sets neither max_completion_tokens nor max_tokens
 * @param thinkingBudgets {@code reasoning_effort} value to {@code thinking.budget_tokens}; every effort is present
 * @param beta the {@code anthropic-beta} header value, or null for none
 */
record AnthropicOptions(String version, int defaultMaxTokens, Map<String, Integer> thinkingBudgets, String beta) {

    static final String VERSION = "anthropic_version";
    static final String DEFAULT_MAX_TOKENS = "default_max_tokens";
    static final String THINKING_BUDGETS = "thinking_budgets";
    static final String BETA = "anthropic_beta";

    static final Set<String> KEYS = Set.of(VERSION, DEFAULT_MAX_TOKENS, THINKING_BUDGETS, BETA);

    static final String DEFAULT_VERSION = "2023-06-01";
    static final int DEFAULT_DEFAULT_MAX_TOKENS = 4096;

    /** Anthropic rejects a thinking budget below this. */
    static final int MIN_THINKING_BUDGET = 1024;

    /** The efforts OpenAI's {@code reasoning_effort} takes besides {@code none}, with their default budgets. */
    static final Map<String, Integer> DEFAULT_BUDGETS = defaultBudgets();

    private static Map<String, Integer> defaultBudgets() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("minimal", 1024);
        m.put("low", 2048);
        m.put("medium", 8192);
        m.put("high", 16384);
        m.put("xhigh", 32768);
        m.put("max", 64000);
        return Map.copyOf(m);
    }

    /** Parses and checks the options; throws IllegalArgumentException naming the key on a bad value. */
    static AnthropicOptions of(ProviderSpec spec) {
        Map<String, Object> o = spec.options();

        String version = DEFAULT_VERSION;
        Object v = o.get(VERSION);
        if (v != null) {
            if (!(v instanceof String s) || s.isBlank()) {
                throw new IllegalArgumentException(
                        VERSION + ": expected a non-empty string such as '" + DEFAULT_VERSION + "'");
            }
            version = s.trim();
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

        String beta = null;
        Object b = o.get(BETA);
        if (b instanceof String s) {
            beta = s.isBlank() ? null : s.trim();
        } else if (b instanceof Collection<?> list) {
            List<String> parts = list.stream()
                    .map(String::valueOf)
                    .map(String::trim)
                    .filter(x -> !x.isEmpty())
                    .toList();
            beta = parts.isEmpty() ? null : String.join(",", parts);
        } else if (b != null) {
            throw new IllegalArgumentException(BETA + ": expected a string or a list of strings");
        }
        return new AnthropicOptions(version, maxTokens, Map.copyOf(budgets), beta);
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
