package io.junction.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.junction.core.config.AbCampaignSpec;
import io.junction.core.config.AliasSpec;
import io.junction.core.config.BreakerSpec;
import io.junction.core.config.BudgetSpec;
import io.junction.core.config.CacheSpec;
import io.junction.core.config.JunctionConfig;
import io.junction.core.config.KeySpec;
import io.junction.core.config.LedgerSpec;
import io.junction.core.config.LimitsSpec;
import io.junction.core.config.LimitsStoreSpec;
import io.junction.core.config.PriceSpec;
import io.junction.core.config.ProviderSpec;
import io.junction.core.config.RetrySpec;
import io.junction.core.config.RoutingSpec;
import io.junction.core.config.ServerSpec;
import io.junction.core.config.TeamSpec;
import io.junction.core.config.TracingSpec;
import io.junction.core.govern.BudgetPeriod;
import io.junction.core.pricing.PricingTable;
import io.junction.core.schema.Json;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.auth.KeyAuthenticator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads junction.yaml: YAML → tree → {@code ${VAR}} / {@code ${VAR:-default}} interpolation in every
 * string → strict binding (unknown keys and wrong types fail) → semantic checks (provider types,
 * alias targets, keys). Every failure is one {@link ConfigException} whose message reads
 * {@code <file>: <yaml.path>: <problem>}.
 */
public final class ConfigLoader {
    private static final Pattern VAR = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper BINDER = Json.MAPPER
            .copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final ProviderRegistry registry;
    private final Function<String, String> env;

    public ConfigLoader(ProviderRegistry registry, Function<String, String> env) {
        this.registry = registry;
        this.env = env;
    }

    public ConfigLoader(ProviderRegistry registry) {
        this(registry, System::getenv);
    }

    public JunctionConfig load(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(name + ": file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return load(name, in);
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + e.getMessage());
        }
    }

    public JunctionConfig load(String name, InputStream in) {
        JsonNode tree;
        try {
            tree = YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException(name + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = BINDER.createObjectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(name + ": the top level must be a mapping (server:, providers:, models:, keys:)");
        }
        interpolate(name, tree, "");
        JunctionConfig config;
        try {
            config = BINDER.treeToValue(tree, JunctionConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(name + ": " + describe(e));
        }
        config = withDefaultTypes(name, config);
        check(name, config);
        return config;
    }

    // ---- interpolation ----

    private void interpolate(String file, JsonNode node, String path) {
        if (node instanceof ObjectNode obj) {
            Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
            List<Map.Entry<String, JsonNode>> replace = new ArrayList<>();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getValue().isTextual()) {
                    replace.add(Map.entry(
                            e.getKey(),
                            new TextNode(expand(file, p, e.getValue().asText()))));
                } else {
                    interpolate(file, e.getValue(), p);
                }
            }
            for (Map.Entry<String, JsonNode> e : replace) {
                obj.set(e.getKey(), e.getValue());
            }
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                String p = path + "[" + i + "]";
                if (arr.get(i).isTextual()) {
                    arr.set(i, new TextNode(expand(file, p, arr.get(i).asText())));
                } else {
                    interpolate(file, arr.get(i), p);
                }
            }
        }
    }

    private String expand(String file, String path, String value) {
        if (value.indexOf('$') < 0) {
            return value;
        }
        Matcher m = VAR.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String v = env.apply(m.group(1));
                if (v == null || (v.isEmpty() && m.group(2) != null)) {
                    v = m.group(2);
                }
                if (v == null) {
                    throw new ConfigException(file + ": " + path + ": environment variable " + m.group(1)
                            + " is not set (write ${" + m.group(1) + ":-default} to give a default)");
                }
                replacement = v;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    // ---- binding errors ----

    private static String describe(JsonProcessingException e) {
        String path = e instanceof JsonMappingException jme ? path(jme) : "";
        String prefix = path.isEmpty() ? "" : path + ": ";
        if (e instanceof UnrecognizedPropertyException u) {
            String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
            Collection<Object> known = u.getKnownPropertyIds();
            Set<String> names = new TreeSet<>();
            if (known != null) {
                for (Object k : known) {
                    names.add(snake(k.toString()));
                }
            }
            return (parent.isEmpty() ? "" : parent + ": ") + "unknown key '" + u.getPropertyName() + "'"
                    + (names.isEmpty() ? "" : " (known keys: " + String.join(", ", names) + ")");
        }
        if (e instanceof InvalidFormatException f) {
            return prefix + "expected " + typeName(f.getTargetType()) + ", got '" + f.getValue() + "'";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return prefix + "expected " + typeName(m.getTargetType());
        }
        return prefix + firstLine(e.getOriginalMessage());
    }

    private static String typeName(Class<?> t) {
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
            return "a whole number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(t)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(t) || t.isRecord()) {
            return "a mapping";
        }
        return t.getSimpleName();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ---- semantic checks ----

    private JunctionConfig withDefaultTypes(String file, JunctionConfig config) {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        for (Map.Entry<String, ProviderSpec> e : config.providers().entrySet()) {
            String name = e.getKey();
            ProviderSpec spec = e.getValue();
            if (spec == null) {
                spec = new ProviderSpec(null, null, null, null, null, null, null, null);
            }
            if (spec.type() == null || spec.type().isBlank()) {
                if (!registry.has(name)) {
                    throw new ConfigException(file + ": providers." + name + ".type: missing, and '" + name
                            + "' is not a provider type (known types: " + String.join(", ", registry.types()) + ")");
                }
                spec = spec.withType(name);
            }
            providers.put(name, spec);
        }
        return config.withProviders(providers);
    }

    private void check(String file, JunctionConfig c) {
        if (c.server().port() < 0 || c.server().port() > 65535) {
            throw new ConfigException(file + ": server.port: must be between 0 and 65535, got "
                    + c.server().port());
        }
        if (c.server().maxBodyBytes() < 1) {
            throw new ConfigException(file + ": server.max_body_bytes: must be positive");
        }
        if (c.server().eventLoopThreads() < 0) {
            throw new ConfigException(file + ": server.event_loop_threads: must not be negative");
        }
        if (!ServerSpec.TRANSPORTS.contains(c.server().transport())) {
            throw new ConfigException(
                    file + ": server.transport: must be one of " + String.join(", ", ServerSpec.TRANSPORTS) + ", got '"
                            + c.server().transport() + "'");
        }
        for (Map.Entry<String, ProviderSpec> e : c.providers().entrySet()) {
            checkProvider(file, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, AliasSpec> e : c.models().entrySet()) {
            String p = "models." + e.getKey();
            if (e.getValue() == null || e.getValue().targets().isEmpty()) {
                throw new ConfigException(file + ": " + p + ".targets: an alias needs at least one target");
            }
            AliasSpec alias = e.getValue();
            if (!AliasSpec.STRATEGIES.contains(alias.strategy())) {
                throw new ConfigException(file + ": " + p + ".strategy: unknown strategy '" + alias.strategy()
                        + "' (known: " + String.join(", ", AliasSpec.STRATEGIES) + ")");
            }
            for (int i = 0; i < alias.weights().size(); i++) {
                if (!(alias.weights().get(i) > 0)) {
                    throw new ConfigException(file + ": " + p + ".targets[" + i + "].weight: must be positive");
                }
            }
            if (alias.hedgeAfterMs() != null && alias.hedgeAfterMs() < 1) {
                throw new ConfigException(file + ": " + p + ".hedge_after_ms: must be positive");
            }
            for (int i = 0; i < alias.contextWindowFallbacks().size(); i++) {
                if (!resolvable(c, alias.contextWindowFallbacks().get(i))) {
                    throw new ConfigException(file + ": " + p + ".context_window_fallbacks[" + i + "]: '"
                            + alias.contextWindowFallbacks().get(i)
                            + "' is neither an alias nor <provider>/<model> for a configured provider");
                }
            }
            if (alias.ttftTimeoutMs() != null && alias.ttftTimeoutMs() < 1) {
                throw new ConfigException(file + ": " + p + ".ttft_timeout_ms: must be positive");
            }
            List<String> targets = alias.targets();
            for (int i = 0; i < targets.size(); i++) {
                String t = targets.get(i);
                int slash = t == null ? -1 : t.indexOf('/');
                if (slash <= 0 || slash == t.length() - 1) {
                    throw new ConfigException(
                            file + ": " + p + ".targets[" + i + "]: '" + t + "' is not <provider>/<model>");
                }
                String provider = t.substring(0, slash);
                if (!c.providers().containsKey(provider)) {
                    throw new ConfigException(file + ": " + p + ".targets[" + i + "]: unknown provider '" + provider
                            + "' (configured providers: "
                            + (c.providers().isEmpty()
                                    ? "none"
                                    : String.join(", ", c.providers().keySet())) + ")");
                }
            }
        }
        if (c.server().drainTimeoutMs() < 0) {
            throw new ConfigException(file + ": server.drain_timeout_ms: must not be negative");
        }
        if (c.server().requestTimeoutMs() < 1 || c.server().streamKeepaliveMs() < 0) {
            throw new ConfigException(
                    file + ": server: request_timeout_ms must be positive and stream_keepalive_ms not negative");
        }
        checkObservability(file, c);
        checkGovernance(file, c);
        checkCache(file, c);
        if (c.admin().key() != null && c.admin().key().isBlank()) {
            throw new ConfigException(file + ": admin.key: empty (remove admin: to turn admin endpoints off)");
        }
        // run-time keys (docs/governance-keys.md)
        if (c.admin().keyPepper() != null && c.admin().keyPepper().length() < 16) {
            throw new ConfigException(file + ": admin.key_pepper: at least 16 characters (e.g. openssl rand -hex 32),"
                    + " or remove it to use a pepper generated and kept in the database");
        }
        if (c.admin().keysRefreshMs() < 100 || c.admin().keysRefreshMs() > 3_600_000) {
            throw new ConfigException(file + ": admin.keys_refresh_ms: expected 100..3600000");
        }
        RoutingSpec routing = c.routing();
        if (routing.commitChars() == -2) {
            throw new ConfigException(file + ": routing.stream_commit: expected first_token, first_chunk or a positive"
                    + " number of characters, got '" + routing.streamCommit() + "'");
        }
        if (routing.retryBudgetRatio() < 0
                || routing.retryBudgetMinPerSecond() < 0
                || routing.retryBudgetWindowMs() < 1) {
            throw new ConfigException(file + ": routing: retry_budget_ratio and retry_budget_min_per_second must not be"
                    + " negative, retry_budget_window_ms must be positive");
        }
        for (Map.Entry<String, AbCampaignSpec> e : c.abCampaigns().entrySet()) {
            String p = "ab_campaigns." + e.getKey();
            List<AbCampaignSpec.Arm> arms =
                    e.getValue() == null ? List.of() : e.getValue().arms();
            if (arms.isEmpty()) {
                throw new ConfigException(file + ": " + p + ".arms: a campaign needs at least one arm");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < arms.size(); i++) {
                AbCampaignSpec.Arm arm = arms.get(i);
                String ap = p + ".arms[" + i + "]";
                if (arm.name() == null || arm.name().isBlank() || !names.add(arm.name())) {
                    throw new ConfigException(file + ": " + ap + ".name: missing or repeated");
                }
                if (arm.model() == null || !resolvable(c, arm.model())) {
                    throw new ConfigException(file + ": " + ap + ".model: '" + arm.model()
                            + "' is neither an alias nor <provider>/<model> for a configured provider");
                }
                if (!(arm.weight() > 0)) {
                    throw new ConfigException(file + ": " + ap + ".weight: must be positive");
                }
            }
        }
        Set<String> secrets = new HashSet<>();
        List<KeySpec> keys = c.keys();
        for (int i = 0; i < keys.size(); i++) {
            KeySpec k = keys.get(i);
            if (k == null || k.key() == null || k.key().isBlank()) {
                throw new ConfigException(file + ": keys[" + i + "].key: missing or empty");
            }
            if (!secrets.add(k.key())) {
                throw new ConfigException(file + ": keys[" + i + "].key: the same key is configured twice");
            }
        }
    }

    /** {@code cache:} (key names, which scope its entries, are unique: checked with the keys). */
    private static void checkCache(String file, JunctionConfig c) {
        CacheSpec cache = c.cache();
        String problem = cache.problem();
        if (problem != null) {
            throw new ConfigException(file + ": cache." + problem);
        }
        if (cache.redis()) {
            try {
                io.lettuce.core.RedisURI.create(cache.url());
            } catch (RuntimeException e) {
                // the URL may hold a password: not echoed
                throw new ConfigException(file + ": cache.url: not a valid Redis URL"
                        + " (redis://[[user]:password@]host[:port][/db], rediss:// for TLS)");
            }
        }
    }

    private static boolean resolvable(JunctionConfig c, String model) {
        if (c.models().containsKey(model)) {
            return true;
        }
        int slash = model.indexOf('/');
        return slash > 0 && slash < model.length() - 1 && c.providers().containsKey(model.substring(0, slash));
    }

    /** {@code teams:}, the keys' team, budget, limits and expiry, and {@code limits_store:}. */
    private static void checkGovernance(String file, JunctionConfig c) {
        for (Map.Entry<String, TeamSpec> e : c.teams().entrySet()) {
            String tp = "teams." + e.getKey();
            if (e.getValue() == null) {
                throw new ConfigException(file + ": " + tp + ": empty (give it a budget and/or limits)");
            }
            checkBudget(file, tp + ".budget", e.getValue().budget());
            checkLimits(file, tp + ".limits", e.getValue().limits());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.keys().size(); i++) {
            KeySpec k = c.keys().get(i);
            String kp = "keys[" + i + "]";
            String name = k.effectiveName(i);
            if (!names.add(name)) {
                throw new ConfigException(file + ": " + kp + ".name: '" + name
                        + "' is used by another key (names identify keys in limits, budgets and the ledger)");
            }
            if (k.team() != null && !c.teams().containsKey(k.team())) {
                throw new ConfigException(file + ": " + kp + ".team: unknown team '" + k.team() + "' (known: "
                        + String.join(", ", new TreeSet<>(c.teams().keySet())) + ")");
            }
            checkBudget(file, kp + ".budget", k.budget());
            checkLimits(file, kp + ".limits", k.limits());
            try {
                KeyAuthenticator.expiry(k.expiresAt());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(file + ": " + kp + ".expires_at: " + ex.getMessage());
            }
        }
        LimitsStoreSpec ls = c.limitsStore();
        if (!Set.of("memory", "redis").contains(ls.type())) {
            throw new ConfigException(file + ": limits_store.type: expected memory or redis, got '" + ls.type() + "'");
        }
        if ("redis".equals(ls.type())
                && (ls.url() == null
                        || !(ls.url().startsWith("redis://") || ls.url().startsWith("rediss://")))) {
            throw new ConfigException(
                    file + ": limits_store.url: type redis needs a URL (redis://host:6379, rediss:// for TLS)");
        }
        if (!Set.of("fail_open", "fail_closed").contains(ls.onError())) {
            throw new ConfigException(
                    file + ": limits_store.on_error: expected fail_open or fail_closed, got '" + ls.onError() + "'");
        }
        if (ls.timeoutMs() < 1 || ls.timeoutMs() > 10_000) {
            throw new ConfigException(file + ": limits_store.timeout_ms: must be between 1 and 10000");
        }
    }

    private static void checkBudget(String file, String path, BudgetSpec b) {
        if (b == null) {
            return;
        }
        if (b.usd() == null || !(b.usd() >= 0) || b.usd() > 1e9) {
            throw new ConfigException(file + ": " + path + ".usd: required, a non-negative amount in US dollars");
        }
        try {
            BudgetPeriod.parse(b.period());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + path + ".period: " + e.getMessage());
        }
        if (!(b.alertAt() > 0 && b.alertAt() <= 1)) {
            throw new ConfigException(file + ": " + path + ".alert_at: must be a fraction in (0, 1]");
        }
    }

    private static void checkLimits(String file, String path, LimitsSpec l) {
        if (l == null) {
            return;
        }
        if (l.rpm() != null && l.rpm() < 1) {
            throw new ConfigException(file + ": " + path + ".rpm: must be at least 1");
        }
        if (l.tpm() != null && l.tpm() < 1) {
            throw new ConfigException(file + ": " + path + ".tpm: must be at least 1");
        }
        if (l.concurrent() != null && l.concurrent() < 1) {
            throw new ConfigException(file + ": " + path + ".concurrent: must be at least 1");
        }
    }

    /** {@code pricing:}, {@code ledger:} and {@code metrics:}. */
    private static void checkObservability(String file, JunctionConfig c) {
        for (Map.Entry<String, PriceSpec> e : c.pricing().entrySet()) {
            String problem = PricingTable.problem(e.getKey(), e.getValue());
            if (problem != null) {
                throw new ConfigException(file + ": pricing." + e.getKey() + ": " + problem);
            }
        }
        LedgerSpec l = c.ledger();
        if (!Set.of("sqlite", "postgres", "none").contains(l.type())) {
            throw new ConfigException(
                    file + ": ledger.type: expected sqlite, postgres or none, got '" + l.type() + "'");
        }
        if ("postgres".equals(l.type()) && (l.url() == null || !l.url().startsWith("jdbc:postgresql:"))) {
            throw new ConfigException(
                    file + ": ledger.url: type postgres needs a JDBC URL (jdbc:postgresql://host:5432/database)");
        }
        if (l.queueSize() < 1 || l.batchSize() < 1 || l.flushIntervalMs() < 1 || l.flushIntervalMs() > 60_000) {
            throw new ConfigException(file + ": ledger: queue_size and batch_size must be positive and"
                    + " flush_interval_ms between 1 and 60000");
        }
        if (c.metrics().maxKeyLabels() < 1) {
            throw new ConfigException(file + ": metrics.max_key_labels: must be positive");
        }
        if (c.metrics().maxTagLabels() < 1) {
            throw new ConfigException(file + ": metrics.max_tag_labels: must be positive");
        }
        List<String> exclude = c.logging().accessLogExclude();
        for (int i = 0; i < exclude.size(); i++) {
            if (exclude.get(i) == null || !exclude.get(i).startsWith("/")) {
                throw new ConfigException(file + ": logging.access_log_exclude[" + i
                        + "]: expected a path starting with '/' (a trailing * matches a prefix), got '" + exclude.get(i)
                        + "'");
            }
        }
        checkTracing(file, c.tracing());
    }

    /** {@code tracing:} (checked even when disabled, so turning it on later does not surprise). */
    private static void checkTracing(String file, TracingSpec t) {
        URI uri;
        try {
            uri = URI.create(t.endpoint());
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null
                || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new ConfigException(file + ": tracing.endpoint: expected an http:// or https:// URL of an OTLP/HTTP"
                    + " traces receiver (e.g. " + TracingSpec.DEFAULT_ENDPOINT + "), got '" + t.endpoint() + "'");
        }
        if (t.sampleRatio().isNaN() || t.sampleRatio() < 0 || t.sampleRatio() > 1) {
            throw new ConfigException(file + ": tracing.sample_ratio: must be between 0 and 1, got " + t.sampleRatio());
        }
        if (t.timeoutMs() < 1 || t.timeoutMs() > 60_000) {
            throw new ConfigException(file + ": tracing.timeout_ms: must be between 1 and 60000");
        }
        for (Map.Entry<String, String> h : t.headers().entrySet()) {
            if (!HEADER_NAME.matcher(h.getKey()).matches()) {
                throw new ConfigException(file + ": tracing.headers: '" + h.getKey() + "' is not a valid header name");
            }
            if (h.getValue() == null
                    || h.getValue().indexOf('\n') >= 0
                    || h.getValue().indexOf('\r') >= 0) {
                throw new ConfigException(file + ": tracing.headers." + h.getKey()
                        + ": expected a single-line value (the value is never shown)");
            }
        }
    }

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private void checkProvider(String file, String name, ProviderSpec spec) {
        String p = "providers." + name;
        ProviderAdapter adapter = registry.get(spec.type());
        if (adapter == null) {
            throw new ConfigException(file + ": " + p + ".type: unknown provider type '" + spec.type()
                    + "' (known types: " + String.join(", ", registry.types()) + ")");
        }
        if (name.isBlank() || name.contains("/")) {
            throw new ConfigException(file + ": " + p + ": a provider name must be non-empty and contain no '/'");
        }
        for (String key : spec.options().keySet()) {
            if (!adapter.optionKeys().contains(key)) {
                Set<String> allowed = new TreeSet<>(adapter.optionKeys());
                allowed.addAll(List.of(
                        "type",
                        "base_url",
                        "api_key",
                        "models",
                        "headers",
                        "connect_timeout_ms",
                        "read_timeout_ms",
                        "retry",
                        "ttft_timeout_ms",
                        "circuit_breaker",
                        "capabilities",
                        "api_keys",
                        "limits"));
                throw new ConfigException(file + ": " + p + ": unknown key '" + key + "' for type '" + spec.type()
                        + "' (known keys: " + String.join(", ", allowed) + ")");
            }
        }
        if (spec.baseUrl() != null && !spec.baseUrl().isBlank()) {
            URI uri;
            try {
                uri = URI.create(spec.baseUrl());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": " + p + ".base_url: not a valid URL: " + spec.baseUrl());
            }
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new ConfigException(file + ": " + p + ".base_url: expected an http:// or https:// URL, got '"
                        + spec.baseUrl() + "'");
            }
        }
        if (spec.connectTimeoutMs() < 1 || spec.readTimeoutMs() < 1) {
            throw new ConfigException(file + ": " + p + ": timeouts must be positive");
        }
        if (spec.ttftTimeoutMs() != null && spec.ttftTimeoutMs() < 1) {
            throw new ConfigException(file + ": " + p + ".ttft_timeout_ms: must be positive");
        }
        RetrySpec r = spec.retry();
        if (r.maxRetries() < 0 || r.initialBackoffMs() < 0 || r.maxBackoffMs() < r.initialBackoffMs()) {
            throw new ConfigException(file + ": " + p + ".retry: max_retries and backoffs must not be negative, and"
                    + " max_backoff_ms must be at least initial_backoff_ms");
        }
        BreakerSpec b = spec.circuitBreaker();
        if (b.consecutiveFailures() < 1
                || b.window() < 1
                || b.minCalls() < 1
                || b.cooldownMs() < 1
                || b.failureRate() <= 0
                || b.failureRate() > 1) {
            throw new ConfigException(file + ": " + p + ".circuit_breaker: consecutive_failures, window, min_calls and"
                    + " cooldown_ms must be positive and failure_rate in (0, 1]");
        }
        LimitsSpec l = spec.limits();
        if ((l.rpm() != null && l.rpm() < 1) || (l.tpm() != null && l.tpm() < 1)) {
            throw new ConfigException(
                    file + ": " + p + ".limits: rpm and tpm must be positive (omit one for no limit)");
        }
        if (l.concurrent() != null) {
            throw new ConfigException(file + ": " + p
                    + ".limits.concurrent: not a provider limit (providers take rpm and tpm; concurrent applies to"
                    + " keys and teams)");
        }
        try {
            adapter.validate(spec);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + p + ": " + e.getMessage());
        }
    }
}
