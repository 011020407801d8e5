package io.junction.core.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.junction.core.config.PriceSpec;
import io.junction.core.schema.Json;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Target;
import io.junction.core.util.Glob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices per model, and the one place a call's cost is computed from its normalized usage.
 *
 * <p>Two sources: the shipped table ({@code config/pricing.yaml}, packaged in the jar; keys are
 * <em>provider type</em>/model) and the user's {@code pricing:} config (keys are <em>provider
 * name</em>/model, or provider type/model). Lookup order for a call to provider {@code P} (type
 * {@code T}) with model {@code M}:
 *
 * <ol>
 *   <li>user entries against {@code P/M};
 *   <li>user entries against {@code T/M} (when {@code T} differs from {@code P});
 *   <li>shipped entries against {@code T/M}.
 * </ol>
 *
 * Within each step {@code M} is tried as sent and in its canonical form (without a date or version
 * suffix, {@code -latest}, a {@code models/} prefix or a Bedrock cross-region prefix); an exact key
 * beats a glob, and among globs the most specific (most literal characters) wins, then the first
 * declared. The first step with a match decides. No match: the model is unknown and has no cost.
 *
 * <p>Thread-safe; lookups are cached per provider/model.
 */
public final class PricingTable {
    private static final Logger log = LoggerFactory.getLogger(PricingTable.class);
    /** Classpath location of the shipped table (copied from config/pricing.yaml by the build). */
    public static final String SHIPPED_RESOURCE = "/io/junction/core/pricing/pricing.yaml";

    private static final ObjectMapper STRICT =
            Json.MAPPER.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int MAX_CACHED = 10_000;
    private static final Pattern GEO_PREFIX = Pattern.compile("^(?:us|eu|apac|au|ca|jp|global|us-gov)\\.");
    private static final Pattern VERSION_SUFFIX = Pattern.compile("-v\\d+(?::\\d+)?$");
    private static final Pattern DATE_SUFFIX = Pattern.compile("-(?:\\d{8}|\\d{4}-\\d{2}-\\d{2})$");
    private static volatile Shipped shipped;

    /** The shipped table: its date and its rows in file order. */
    public record Shipped(String asOf, Map<String, PriceSpec> models) {}

    /** A price found for a call: the price, the key that matched, and where it came from. */
    public record Match(PriceSpec price, String key, String source) {}

    private record Rule(String key, Glob glob, boolean literal, int specificity, PriceSpec price) {}

    private static final Match NONE = new Match(null, null, null);

    private final List<Rule> user;
    private final List<Rule> builtIn;
    private final String asOf;
    /** Lookups by provider name, then type, then model: no key string built per lookup. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, Match>>> cache =
            new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicInteger cached = new java.util.concurrent.atomic.AtomicInteger();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private PricingTable(Map<String, PriceSpec> shippedPrices, String asOf, Map<String, PriceSpec> userPrices) {
        this.builtIn = rules(shippedPrices);
        this.user = rules(userPrices);
        this.asOf = asOf;
    }

    /** The shipped table plus the user's {@code pricing:} entries. */
    public static PricingTable load(Map<String, PriceSpec> userPrices) {
        Shipped s = shipped();
        return new PricingTable(s.models(), s.asOf(), userPrices == null ? Map.of() : userPrices);
    }

    /** A table from explicit rows (tests, or a deployment that wants no shipped prices). */
    public static PricingTable of(Map<String, PriceSpec> shippedPrices, Map<String, PriceSpec> userPrices) {
        return new PricingTable(shippedPrices, null, userPrices);
    }

    /** The shipped table, read once from the classpath. */
    public static Shipped shipped() {
        Shipped s = shipped;
        if (s == null) {
            try (InputStream in = PricingTable.class.getResourceAsStream(SHIPPED_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing " + SHIPPED_RESOURCE + " on the classpath");
                }
                s = parse(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shipped = s;
        }
        return s;
    }

    /** Parses a price table in the shipped format ({@code as_of:}, {@code models: {key: price}}). */
    public static Shipped parse(InputStream yaml) throws IOException {
        JsonNode root = new YAMLMapper().readTree(yaml);
        Map<String, PriceSpec> models = new LinkedHashMap<>();
        JsonNode m = root == null ? null : root.get("models");
        if (m != null) {
            Iterator<Map.Entry<String, JsonNode>> it = m.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                PriceSpec p = STRICT.treeToValue(e.getValue(), PriceSpec.class);
                String problem = problem(e.getKey(), p);
                if (problem != null) {
                    throw new IllegalArgumentException("pricing.yaml: models." + e.getKey() + ": " + problem);
                }
                models.put(e.getKey(), p);
            }
        }
        return new Shipped(root == null ? null : root.path("as_of").asText(null), models);
    }

    /** Why a price entry is invalid, or null: keys are provider/model, prices non-negative, input and output set. */
    public static String problem(String key, PriceSpec p) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash <= 0 || slash == key.length() - 1) {
            return "the key must be <provider>/<model> (globs allowed), got '" + key + "'";
        }
        if (p == null || p.input() == null || p.output() == null) {
            return "input and output are required (USD per 1M tokens)";
        }
        for (Double d : new Double[] {p.input(), p.cachedInput(), p.cacheWrite(), p.output(), p.reasoning()}) {
            if (d != null && (d < 0 || d.isNaN() || d.isInfinite())) {
                return "prices must be non-negative numbers";
            }
        }
        return null;
    }

    /** The date the shipped prices were taken, or null for a table built with {@link #of}. */
    public String asOf() {
        return asOf;
    }

    private static List<Rule> rules(Map<String, PriceSpec> prices) {
        List<Rule> out = new ArrayList<>(prices.size());
        for (Map.Entry<String, PriceSpec> e : prices.entrySet()) {
            String k = e.getKey();
            boolean literal = k.indexOf('*') < 0 && k.indexOf('?') < 0;
            int specificity = 0;
            for (int i = 0; i < k.length(); i++) {
                if (k.charAt(i) != '*' && k.charAt(i) != '?') {
                    specificity++;
                }
            }
            out.add(new Rule(k, literal ? null : Glob.of(k), literal, specificity, e.getValue()));
        }
        return out;
    }

    public Optional<Match> lookup(Target target) {
        return lookup(target.provider().name(), target.provider().spec().type(), target.model());
    }

    /** The price for {@code model} on provider {@code name} of type {@code type}, per the lookup order above. */
    public Optional<Match> lookup(String name, String type, String model) {
        ConcurrentHashMap<String, Match> byModel = cache.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(type, t -> new ConcurrentHashMap<>());
        Match m = byModel.get(model);
        if (m == null) {
            m = find(name, type, model);
            if (cached.incrementAndGet() > MAX_CACHED) {
                cache.clear(); // clients can name arbitrary models of a provider
                cached.set(0);
            }
            byModel.put(model, m);
        }
        return m == NONE ? Optional.empty() : Optional.of(m);
    }

    private Match find(String name, String type, String model) {
        String canonical = canonical(model);
        Rule r = best(user, name + "/" + model, name + "/" + canonical);
        if (r != null) {
            return new Match(r.price(), r.key(), "config");
        }
        if (type != null && !type.equals(name)) {
            r = best(user, type + "/" + model, type + "/" + canonical);
            if (r != null) {
                return new Match(r.price(), r.key(), "config");
            }
        }
        r = type == null ? null : best(builtIn, type + "/" + model, type + "/" + canonical);
        return r == null ? NONE : new Match(r.price(), r.key(), "shipped");
    }

    /** Exact raw, exact canonical, then the most specific glob over either form. */
    private static Rule best(List<Rule> rules, String raw, String canonical) {
        for (Rule r : rules) {
            if (r.literal() && r.key().equals(raw)) {
                return r;
            }
        }
        for (Rule r : rules) {
            if (r.literal() && r.key().equals(canonical)) {
                return r;
            }
        }
        Rule best = null;
        for (Rule r : rules) {
            if (!r.literal()
                    && (best == null || r.specificity() > best.specificity())
                    && (r.glob().matches(raw) || r.glob().matches(canonical))) {
                best = r;
            }
        }
        return best;
    }

    /**
     * A model id without what does not change its price: a {@code models/} prefix, a Bedrock
     * cross-region prefix ({@code us.}), a version suffix ({@code -v1:0}), a date suffix
     * ({@code -20250929}, {@code -2024-07-18}) and {@code -latest}.
     */
    public static String canonical(String model) {
        String m = model;
        if (m.startsWith("models/")) {
            m = m.substring("models/".length());
        }
        m = GEO_PREFIX.matcher(m).replaceFirst("");
        m = VERSION_SUFFIX.matcher(m).replaceFirst("");
        m = DATE_SUFFIX.matcher(m).replaceFirst("");
        if (m.endsWith("-latest")) {
            m = m.substring(0, m.length() - "-latest".length());
        }
        return m;
    }

    /** The cost of {@code usage} on {@code target}, or empty when the model has no price. */
    public Optional<Cost> cost(Target target, Usage usage) {
        return lookup(target).map(m -> cost(m.price(), usage));
    }

    /**
     * The cost of normalized usage at {@code price}: {@code prompt_tokens} includes cached and
     * cache-write tokens, billed at their own rates, the rest at {@code input};
     * {@code completion_tokens} includes reasoning tokens, billed at {@code reasoning} (default
     * {@code output}), the rest at {@code output}. Inconsistent counts are clamped, never negative.
     */
    public static Cost cost(PriceSpec price, Usage usage) {
        long prompt = Math.max(0, usage.prompt());
        long cached = clamp(usage.cached(), prompt);
        long cacheWrite = clamp(cacheWriteTokens(usage), prompt - cached);
        long uncached = prompt - cached - cacheWrite;
        long completion = Math.max(0, usage.completion());
        long reasoning = clamp(usage.reasoning(), completion);
        double perToken = 1e-6;
        return Cost.of(
                uncached * price.inputRate() * perToken,
                cached * price.cachedInputRate() * perToken,
                cacheWrite * price.cacheWriteRate() * perToken,
                ((completion - reasoning) * price.outputRate() + reasoning * price.reasoningRate()) * perToken);
    }

    /** {@code prompt_tokens_details.cache_write_tokens}, Junction's field for billed prompt-cache writes. */
    public static int cacheWriteTokens(Usage usage) {
        return usage.promptTokensDetails() == null
                        || usage.promptTokensDetails().cacheWriteTokens() == null
                ? 0
                : usage.promptTokensDetails().cacheWriteTokens();
    }

    private static long clamp(long v, long max) {
        return Math.max(0, Math.min(v, max));
    }

    /**
     * True the first time an unknown model is reported for {@code targetId}, and logs a warning
     * then; false afterwards (the caller counts every occurrence in a metric).
     */
    public boolean warnUnknownOnce(String targetId) {
        if (warned.size() < MAX_CACHED && warned.add(targetId)) {
            log.warn(
                    "no price for '{}': its cost is reported as null. Add it under pricing: in the config"
                            + " (USD per 1M tokens), e.g. pricing: {\"{}\": {input: 1.0, output: 2.0}}",
                    targetId,
                    targetId);
            return true;
        }
        return false;
    }
}
