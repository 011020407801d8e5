package io.junction.core.route;

import io.junction.core.config.AbCampaignSpec;
import io.junction.core.config.AliasSpec;
import io.junction.core.config.JunctionConfig;
import io.junction.core.error.GatewayException;
import io.junction.core.pricing.PricingTable;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ProviderPreferences;
import io.junction.core.spi.Target;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * Turns a request into the ordered targets a {@link RoutedCall} will try:
 *
 * <ol>
 *   <li>{@code ab_campaign}: the campaign picks an arm by weight, sticky per {@code session_id} (else
 *       {@code user}, else random); the arm's model is what gets resolved;
 *   <li>the model's targets, ordered by its alias's {@code strategy};
 *   <li>the request's {@code fallbacks} (each alias ordered by its own strategy), deduplicated;
 *   <li>the request's {@code provider} preferences: {@code only}/{@code ignore} filter,
 *       {@code order} and {@code sort} reorder, {@code allow_fallbacks: false} keeps the first.
 * </ol>
 *
 * The alias's {@code system_prompt} and the request's {@code system_prompt_args} are applied here too.
 */
public final class RoutePlanner {
    private final JunctionConfig config;
    private final ModelResolver resolver;
    private final TargetStats stats;
    private final PricingTable prices;

    /**
     * What to run: the request to send (prompts rendered), the targets, the A/B arm chosen (or null),
     * the targets skipped for lack of a capability (as attempts, status 0), and where to continue when
     * a target reports {@code context_length_exceeded}.
     */
    public record Plan(
            ChatRequest request,
            List<Target> targets,
            String abArm,
            List<Attempt> skipped,
            List<Target> contextFallbacks) {
        public Plan(ChatRequest request, List<Target> targets, String abArm) {
            this(request, targets, abArm, List.of(), List.of());
        }
    }

    public RoutePlanner(JunctionConfig config, ModelResolver resolver, TargetStats stats) {
        this(config, resolver, stats, PricingTable.load(config.pricing()));
    }

    public RoutePlanner(JunctionConfig config, ModelResolver resolver, TargetStats stats, PricingTable prices) {
        this.config = config;
        this.resolver = resolver;
        this.stats = stats;
        this.prices = prices;
    }

    /** USD per 1M input + 1M output tokens: the order {@code cost} and {@code sort: price} use; unpriced last. */
    double price(Target t) {
        return prices.lookup(t).map(m -> m.price().input() + m.price().output()).orElse(Double.MAX_VALUE);
    }

    public Plan plan(ChatRequest request, List<String> fallbacks, DoubleSupplier random) {
        String model = request.model();
        String arm = null;
        if (request.abCampaign() != null) {
            AbCampaignSpec.Arm chosen = arm(request, random);
            arm = chosen.name();
            model = chosen.model();
        }
        Set<String> seen = new LinkedHashSet<>();
        List<Target> targets = new ArrayList<>();
        addAll(targets, seen, ordered(model, random));
        if (fallbacks != null) {
            for (int i = 0; i < fallbacks.size(); i++) {
                List<Target> more;
                try {
                    more = ordered(fallbacks.get(i), random);
                } catch (GatewayException e) {
                    throw GatewayException.invalidRequest(
                            "fallbacks[" + i + "]",
                            "model_not_found",
                            "Unknown fallback model '" + fallbacks.get(i) + "'.");
                }
                addAll(targets, seen, more);
            }
        }
        targets = applyPreferences(targets, request.provider());
        List<Attempt> skipped = new ArrayList<>();
        targets = capable(targets, Needs.of(request), skipped);
        AliasSpec alias = config.models().get(model);
        List<Target> contextFallbacks = new ArrayList<>();
        if (alias != null) {
            for (String m : alias.contextWindowFallbacks()) {
                for (Target t : resolver.resolve(m)) {
                    if (!seen.contains(t.id())) {
                        contextFallbacks.add(t);
                    }
                }
            }
        }
        ChatRequest rendered = SystemPrompts.apply(request, alias == null ? null : alias.systemPrompt());
        return new Plan(rendered, List.copyOf(targets), arm, List.copyOf(skipped), List.copyOf(contextFallbacks));
    }

    /** What a request needs from a target. */
    record Needs(boolean tools, boolean vision, boolean jsonSchema, boolean reasoning, int estimatedTokens) {
        static Needs of(ChatRequest r) {
            boolean tools = r.tools() != null
                    && !r.tools().isEmpty()
                    && !(r.toolChoice() instanceof io.junction.core.schema.ToolChoice.Mode m
                            && "none".equals(m.value()));
            boolean vision = false;
            long chars = 0;
            for (io.junction.core.schema.ChatMessage msg : r.messages()) {
                chars += msg.text().length() + 16;
                if (msg.content() instanceof io.junction.core.schema.MessageContent.Parts parts) {
                    for (io.junction.core.schema.ContentPart part : parts.parts()) {
                        vision |= part instanceof io.junction.core.schema.ContentPart.ImageUrlPart;
                    }
                }
            }
            Integer max = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
            // ~4 characters per token: a deliberate, documented approximation (no tokenizer per model here)
            long tokens = chars / 4 + (max == null ? 0 : max);
            return new Needs(
                    tools,
                    vision,
                    r.responseFormat() instanceof io.junction.core.schema.ResponseFormat.JsonSchema,
                    r.reasoningEffort() != null && !"none".equals(r.reasoningEffort()),
                    (int) Math.min(Integer.MAX_VALUE, tokens));
        }
    }

    /** Drops targets that cannot serve {@code needs}, recording why; all dropped is a 400. */
    private static List<Target> capable(List<Target> targets, Needs needs, List<Attempt> skipped) {
        List<Target> out = new ArrayList<>(targets.size());
        for (Target t : targets) {
            String missing = missing(t.capabilities(), needs);
            if (missing == null) {
                out.add(t);
            } else {
                skipped.add(new Attempt(t.id(), 0, missing, 0));
            }
        }
        if (out.isEmpty()) {
            StringBuilder why = new StringBuilder();
            for (Attempt a : skipped) {
                why.append(why.isEmpty() ? "" : "; ")
                        .append(a.target())
                        .append(": ")
                        .append(a.errorCode());
            }
            throw GatewayException.invalidRequest(
                    null, "no_capable_target", "No target of this model can serve this request (" + why + ").");
        }
        return out;
    }

    static String missing(io.junction.core.config.CapabilitiesSpec c, Needs n) {
        if (n.tools() && !Boolean.TRUE.equals(c.tools())) {
            return "unsupported_tools";
        }
        if (n.vision() && !Boolean.TRUE.equals(c.vision())) {
            return "unsupported_vision";
        }
        if (n.jsonSchema() && !Boolean.TRUE.equals(c.jsonSchema())) {
            return "unsupported_json_schema";
        }
        if (n.reasoning() && !Boolean.TRUE.equals(c.reasoning())) {
            return "unsupported_reasoning";
        }
        if (c.contextWindow() != null && n.estimatedTokens() > c.contextWindow()) {
            return "context_window_too_small";
        }
        return null;
    }

    /** The targets of a model or alias, in the order its strategy gives for this call. */
    List<Target> ordered(String model, DoubleSupplier random) {
        List<Target> targets = resolver.resolve(model);
        AliasSpec alias = config.models().get(model);
        if (alias == null || targets.size() < 2) {
            return targets;
        }
        return switch (alias.strategy()) {
            case "weighted" -> weighted(targets, alias.weights(), random);
            case "least_latency" ->
                sorted(targets, Comparator.comparingDouble(t -> {
                    double v = stats.latencyNanos(t);
                    return Double.isNaN(v) ? -1 : v; // no sample yet: try it, so it gets one
                }));
            case "least_busy" -> sorted(targets, Comparator.comparingInt(stats::inflight));
            case "cost" -> sorted(targets, Comparator.comparingDouble(this::price));
            default -> targets;
        };
    }

    /**
     * A weighted random order without replacement (Efraimidis–Spirakis: sort by u^(1/w)), so the
     * first target is picked in proportion to its weight and the rest remain as fallbacks.
     */
    static List<Target> weighted(List<Target> targets, List<Double> weights, DoubleSupplier random) {
        int n = targets.size();
        double[] keys = new double[n];
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            double u = Math.max(random.getAsDouble(), 1e-12);
            keys[i] = Math.pow(u, 1.0 / weights.get(i));
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(keys[b], keys[a]));
        List<Target> out = new ArrayList<>(n);
        for (Integer i : idx) {
            out.add(targets.get(i));
        }
        return out;
    }

    private static List<Target> sorted(List<Target> targets, Comparator<Target> by) {
        List<Target> out = new ArrayList<>(targets);
        out.sort(by); // stable: ties keep the configured order
        return out;
    }

    private AbCampaignSpec.Arm arm(ChatRequest request, DoubleSupplier random) {
        AbCampaignSpec campaign = config.abCampaigns().get(request.abCampaign());
        if (campaign == null) {
            throw GatewayException.invalidRequest(
                    "ab_campaign", "Unknown A/B campaign '" + request.abCampaign() + "'.");
        }
        String stickyKey = request.sessionId() != null ? request.sessionId() : request.user();
        double u = stickyKey == null ? random.getAsDouble() : unit(request.abCampaign() + "\u0000" + stickyKey);
        double total = 0;
        for (AbCampaignSpec.Arm a : campaign.arms()) {
            total += a.weight();
        }
        double point = u * total;
        for (AbCampaignSpec.Arm a : campaign.arms()) {
            point -= a.weight();
            if (point < 0) {
                return a;
            }
        }
        return campaign.arms().get(campaign.arms().size() - 1);
    }

    /** A stable number in [0, 1) from a string: the same session always lands in the same arm. */
    static double unit(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 7; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v / (double) (1L << 56);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Target> applyPreferences(List<Target> targets, ProviderPreferences prefs) {
        if (prefs == null) {
            return targets;
        }
        Map<String, ?> providers = resolver.providers();
        checkNames("provider.only", prefs.only(), providers);
        checkNames("provider.ignore", prefs.ignore(), providers);
        checkNames("provider.order", prefs.order(), providers);
        List<Target> out = new ArrayList<>(targets);
        if (prefs.only() != null) {
            out.removeIf(t -> !prefs.only().contains(t.provider().name()));
        }
        if (prefs.ignore() != null) {
            out.removeIf(t -> prefs.ignore().contains(t.provider().name()));
        }
        if (prefs.sort() != null) {
            switch (prefs.sort()) {
                case "latency", "throughput" ->
                    out = sorted(out, Comparator.comparingDouble(t -> {
                        double v = stats.latencyNanos(t);
                        return Double.isNaN(v) ? Double.MAX_VALUE : v; // measured targets first
                    }));
                case "price" -> out = sorted(out, Comparator.comparingDouble(this::price));
                default ->
                    throw GatewayException.invalidRequest(
                            "provider.sort",
                            "Invalid 'provider.sort': '" + prefs.sort()
                                    + "'. Expected one of price, latency, throughput.");
            }
        }
        if (prefs.order() != null && !prefs.order().isEmpty()) {
            List<String> order = prefs.order();
            out = sorted(out, Comparator.comparingInt(t -> {
                int i = order.indexOf(t.provider().name());
                return i < 0 ? Integer.MAX_VALUE : i;
            }));
        }
        if (Boolean.FALSE.equals(prefs.allowFallbacks()) && out.size() > 1) {
            out = List.of(out.get(0));
        }
        if (out.isEmpty()) {
            throw GatewayException.invalidRequest(
                    "provider",
                    "no_target",
                    "No target of this model is allowed by the request's provider preferences.");
        }
        return out;
    }

    private static void checkNames(String param, List<String> names, Map<String, ?> providers) {
        if (names == null) {
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!providers.containsKey(names.get(i))) {
                throw GatewayException.invalidRequest(
                        param + "[" + i + "]", "Unknown provider '" + names.get(i) + "' in " + param + ".");
            }
        }
    }

    private static void addAll(List<Target> plan, Set<String> seen, List<Target> targets) {
        for (Target t : targets) {
            if (seen.add(t.id())) {
                plan.add(t);
            }
        }
    }
}
