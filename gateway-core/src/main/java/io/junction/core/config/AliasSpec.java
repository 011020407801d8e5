package io.junction.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model alias ({@code models:} entry).
 *
 * @param targets {@code provider/model} strings: the first is the primary, the rest are fallbacks
 *     (the order the {@code fallback} strategy uses)
 * @param ttftTimeoutMs when set, the first-token deadline for calls to this alias
 * @param strategy how targets are ordered per call: {@code fallback} (as listed, default),
 *     {@code weighted}, {@code least_latency}, {@code least_busy}
 * @param weights one weight per target for {@code weighted} (default 1 each)
 * @param systemPrompt a template prepended as a system message to every call of this alias
 * @param contextWindowFallbacks models or aliases to continue with when a target answers
 *     {@code context_length_exceeded} (typically ones with larger context windows)
 * @param hedgeAfterMs opt-in hedging: after this long without a first token, the next target starts
 *     in parallel and the first to produce wins
 * @param cache the response cache for this alias: {@code true} caches its answers even when a request
 *     is not deterministic (as {@code cache.mode: always} would), {@code false} never caches them,
 *     null follows {@code cache.mode}
 */
public record AliasSpec(
        List<String> targets,
        Long ttftTimeoutMs,
        String strategy,
        List<Double> weights,
        String systemPrompt,
        List<String> contextWindowFallbacks,
        Long hedgeAfterMs,
        Boolean cache) {

    public static final List<String> STRATEGIES =
            List.of("fallback", "weighted", "least_latency", "least_busy", "cost");

    public AliasSpec {
        targets = targets == null ? List.of() : List.copyOf(targets);
        strategy = strategy == null ? "fallback" : strategy;
        if (weights == null || weights.size() != targets.size()) {
            List<Double> ones = new ArrayList<>(targets.size());
            for (int i = 0; i < targets.size(); i++) {
                ones.add(weights != null && i < weights.size() && weights.get(i) != null ? weights.get(i) : 1.0);
            }
            weights = ones;
        }
        weights = List.copyOf(weights);
        contextWindowFallbacks = contextWindowFallbacks == null ? List.of() : List.copyOf(contextWindowFallbacks);
    }

    public AliasSpec(
            List<String> targets, Long ttftTimeoutMs, String strategy, List<Double> weights, String systemPrompt) {
        this(targets, ttftTimeoutMs, strategy, weights, systemPrompt, null, null);
    }

    public AliasSpec(
            List<String> targets,
            Long ttftTimeoutMs,
            String strategy,
            List<Double> weights,
            String systemPrompt,
            List<String> contextWindowFallbacks,
            Long hedgeAfterMs) {
        this(targets, ttftTimeoutMs, strategy, weights, systemPrompt, contextWindowFallbacks, hedgeAfterMs, null);
    }

    public AliasSpec(
            List<String> targets,
            Long ttftTimeoutMs,
            String strategy,
            List<Double> weights,
            String systemPrompt,
            List<String> contextWindowFallbacks) {
        this(targets, ttftTimeoutMs, strategy, weights, systemPrompt, contextWindowFallbacks, null);
    }

    public AliasSpec(List<String> targets) {
        this(targets, null, null, null, null);
    }

    public AliasSpec(List<String> targets, Long ttftTimeoutMs) {
        this(targets, ttftTimeoutMs, null, null, null);
    }

    /**
     * YAML form: each target is {@code provider/model} or {@code {target: provider/model, weight: 3}}.
     */
    @JsonCreator
    static AliasSpec fromConfig(
            @JsonProperty("targets") List<Object> targets,
            @JsonProperty("ttft_timeout_ms") Long ttftTimeoutMs,
            @JsonProperty("strategy") String strategy,
            @JsonProperty("system_prompt") String systemPrompt,
            @JsonProperty("context_window_fallbacks") List<String> contextWindowFallbacks,
            @JsonProperty("hedge_after_ms") Long hedgeAfterMs,
            @JsonProperty("cache") Boolean cache) {
        List<String> names = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        if (targets != null) {
            for (int i = 0; i < targets.size(); i++) {
                Object t = targets.get(i);
                if (t instanceof String s) {
                    names.add(s);
                    weights.add(1.0);
                } else if (t instanceof Map<?, ?> m) {
                    for (Object k : m.keySet()) {
                        if (!"target".equals(k) && !"weight".equals(k)) {
                            throw new IllegalArgumentException(
                                    "targets[" + i + "]: unknown key '" + k + "' (known keys: target, weight)");
                        }
                    }
                    if (!(m.get("target") instanceof String name)) {
                        throw new IllegalArgumentException("targets[" + i + "].target: expected provider/model");
                    }
                    Object w = m.get("weight");
                    if (w != null && !(w instanceof Number)) {
                        throw new IllegalArgumentException("targets[" + i + "].weight: expected a number");
                    }
                    names.add(name);
                    weights.add(w == null ? 1.0 : ((Number) w).doubleValue());
                } else {
                    throw new IllegalArgumentException(
                            "targets[" + i + "]: expected provider/model or {target: provider/model, weight: N}");
                }
            }
        }
        return new AliasSpec(
                names, ttftTimeoutMs, strategy, weights, systemPrompt, contextWindowFallbacks, hedgeAfterMs, cache);
    }
}
