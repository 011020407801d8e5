package io.junction.provider.gemini;

import io.junction.core.config.ProviderSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The type-specific settings of a {@code gemini} provider, parsed from {@link ProviderSpec#options()}.
 *
 * @param apiVersion the path segment after the API root ({@code v1beta})
 * @param thinking {@code reasoning_effort} value to the thinking setting sent for it; every effort is present
 * @param schemaMode how JSON Schemas (tool parameters, {@code response_format} schemas) are sent
 * @param safetySettings {@code safetySettings} sent with every request, as configured; empty for none
 * @param signaturePlaceholder when Gemini's documented placeholder thought signature goes on replayed function calls
 */
record GeminiOptions(
        String apiVersion,
        Map<String, Thinking> thinking,
        SchemaMode schemaMode,
        List<Map<String, Object>> safetySettings,
        SignaturePlaceholder signaturePlaceholder) {

    static final String API_VERSION = "api_version";
    static final String THINKING_BUDGETS = "thinking_budgets";
    static final String SCHEMA_MODE = "schema_mode";
    static final String SAFETY_SETTINGS = "safety_settings";
    static final String THOUGHT_SIGNATURE_PLACEHOLDER = "thought_signature_placeholder";

    static final Set<String> KEYS =
            Set.of(API_VERSION, THINKING_BUDGETS, SCHEMA_MODE, SAFETY_SETTINGS, THOUGHT_SIGNATURE_PLACEHOLDER);

    static final String DEFAULT_API_VERSION = "v1beta";

    /** Gemini 3's {@code thinkingLevel} values, accepted in place of a budget. */
    static final Set<String> LEVELS = Set.of("minimal", "low", "medium", "high");

    private static final Pattern VERSION = Pattern.compile("v[0-9]+[a-z0-9]*");

    /**
     * What one reasoning effort turns into: a {@code thinkingBudget} in tokens (0 turns thinking off,
     * -1 lets the model decide), or a Gemini 3 {@code thinkingLevel} when {@code level} is set.
     */
    record Thinking(Integer budget, String level) {
        boolean off() {
            return level == null && budget == 0;
        }
    }

    enum SchemaMode {
        /** Send the client's JSON Schema unchanged: {@code parametersJsonSchema}, {@code responseJsonSchema}. */
        JSON_SCHEMA,
        /** Convert to Gemini's OpenAPI-subset {@code Schema}: {@code parameters}, {@code responseSchema}. */
        OPENAPI
    }

    enum SignaturePlaceholder {
        /** On models named {@code gemini-3…} or later, which reject function calls without a signature. */
        AUTO,
        ALWAYS,
        NEVER
    }

    /**
     * Default effort → budget. Every value is valid on all Gemini 2.5 models (Pro takes 128..32768,
     * Flash 0..24576, Flash-Lite 512..24576), except {@code none} → 0 on 2.5 Pro, which cannot stop thinking.
     */
    static final Map<String, Thinking> DEFAULT_THINKING = defaultThinking();

    private static Map<String, Thinking> defaultThinking() {
        Map<String, Thinking> m = new LinkedHashMap<>();
        m.put("none", new Thinking(0, null));
        m.put("minimal", new Thinking(512, null));
        m.put("low", new Thinking(1024, null));
        m.put("medium", new Thinking(8192, null));
        m.put("high", new Thinking(24576, null));
        m.put("xhigh", new Thinking(24576, null));
        m.put("max", new Thinking(24576, null));
        return Map.copyOf(m);
    }

    /** Parses and checks the options; throws IllegalArgumentException naming the key on a bad value. */
    static GeminiOptions of(ProviderSpec spec) {
        Map<String, Object> o = spec.options();

        String version = DEFAULT_API_VERSION;
        Object v = o.get(API_VERSION);
        if (v != null) {
            if (!(v instanceof String s) || !VERSION.matcher(s.trim()).matches()) {
                throw new IllegalArgumentException(
                        API_VERSION + ": expected an API version such as 'v1beta' or 'v1', got '" + v + "'");
            }
            version = s.trim();
        }

        Map<String, Thinking> thinking = new LinkedHashMap<>(DEFAULT_THINKING);
        Object tb = o.get(THINKING_BUDGETS);
        if (tb != null) {
            if (!(tb instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(THINKING_BUDGETS
                        + ": expected a map from reasoning effort (none, minimal, low, medium, high, xhigh, max)"
                        + " to a token budget or a thinking level");
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String effort = String.valueOf(e.getKey());
                if (!DEFAULT_THINKING.containsKey(effort)) {
                    throw new IllegalArgumentException(THINKING_BUDGETS + "." + effort
                            + ": unknown reasoning effort (known: none, minimal, low, medium, high, xhigh, max)");
                }
                thinking.put(effort, thinking(THINKING_BUDGETS + "." + effort, e.getValue()));
            }
        }

        SchemaMode mode = SchemaMode.JSON_SCHEMA;
        Object sm = o.get(SCHEMA_MODE);
        if (sm != null) {
            mode = switch (String.valueOf(sm).trim()) {
                case "json_schema" -> SchemaMode.JSON_SCHEMA;
                case "openapi" -> SchemaMode.OPENAPI;
                default ->
                    throw new IllegalArgumentException(
                            SCHEMA_MODE + ": expected 'json_schema' or 'openapi', got '" + sm + "'");
            };
        }

        List<Map<String, Object>> safety = List.of();
        Object ss = o.get(SAFETY_SETTINGS);
        if (ss != null) {
            safety = safetySettings(ss);
        }

        SignaturePlaceholder placeholder = SignaturePlaceholder.AUTO;
        Object tp = o.get(THOUGHT_SIGNATURE_PLACEHOLDER);
        if (tp != null) {
            placeholder = switch (String.valueOf(tp).trim()) {
                case "auto" -> SignaturePlaceholder.AUTO;
                case "always", "true" -> SignaturePlaceholder.ALWAYS;
                case "never", "false" -> SignaturePlaceholder.NEVER;
                default ->
                    throw new IllegalArgumentException(
                            THOUGHT_SIGNATURE_PLACEHOLDER + ": expected 'auto', 'always' or 'never', got '" + tp + "'");
            };
        }
        return new GeminiOptions(version, Map.copyOf(thinking), mode, safety, placeholder);
    }

    private static Thinking thinking(String key, Object value) {
        if (value instanceof String s && LEVELS.contains(s.trim())) {
            return new Thinking(null, s.trim());
        }
        long n;
        if (value instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            n = num.longValue();
        } else if (value instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key
                        + ": expected a token budget (a whole number, -1 for dynamic) or a thinking level"
                        + " (minimal, low, medium, high), got '" + s + "'");
            }
        } else {
            throw new IllegalArgumentException(key
                    + ": expected a token budget (a whole number, -1 for dynamic) or a thinking level"
                    + " (minimal, low, medium, high), got '" + value + "'");
        }
        if (n < -1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    key + ": expected a token budget of at least -1 (dynamic) or 0 (off), got " + n);
        }
        return new Thinking((int) n, null);
    }

    private static List<Map<String, Object>> safetySettings(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(SAFETY_SETTINGS
                    + ": expected a list of {category, threshold} maps, e.g."
                    + " [{category: HARM_CATEGORY_HARASSMENT, threshold: BLOCK_ONLY_HIGH}]");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String key = SAFETY_SETTINGS + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException(key + ": expected a map with 'category' and 'threshold'");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : entry.entrySet()) {
                copy.put(String.valueOf(e.getKey()), e.getValue());
            }
            for (String required : List.of("category", "threshold")) {
                if (!(copy.get(required) instanceof String s) || s.isBlank()) {
                    throw new IllegalArgumentException(key + "." + required + ": expected a non-empty string");
                }
            }
            out.add(Collections.unmodifiableMap(copy));
        }
        return List.copyOf(out);
    }
}
