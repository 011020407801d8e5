package io.junction.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.config.BudgetSpec;
import io.junction.core.config.KeySpec;
import io.junction.core.config.LimitsSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.govern.BudgetPeriod;
import io.junction.core.govern.Governor;
import io.junction.core.govern.Policy;
import io.junction.core.schema.Json;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.keys.KeyHasher;
import io.junction.server.keys.KeyRow;
import io.junction.server.keys.KeyStore;
import io.junction.server.keys.RuntimeKeys;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@code /admin/keys}: run-time keys (docs/governance-keys.md). {@code POST /admin/keys} creates one
 * (its secret is in that answer only), {@code GET /admin/keys} lists them with the config's keys
 * (read-only), {@code GET|PATCH|DELETE /admin/keys/{id}} reads, updates, revokes one, and
 * {@code GET /admin/keys/{id}/spend} shows its spend (and its team's) against the budget.
 *
 * <p>The request is parsed and checked on the event loop (cheap, no I/O); database work runs on the
 * run-time keys' thread; the answer is written from the connection's event loop when it is ready.
 */
final class AdminKeysEndpoint {
    private AdminKeysEndpoint() {}

    static final String PATH = "/admin/keys";
    /** Id prefix of the config's keys in this API: {@code config:<name>}. */
    static final String CONFIG_ID = "config:";

    private static final Set<String> FIELDS =
            Set.of("name", "team", "models", "providers", "budget", "limits", "expires_at", "enabled", "metadata");
    private static final int MAX_NAME = 100;
    private static final int MAX_GLOBS = 100;
    private static final int MAX_METADATA = 50;

    private record Reply(int status, byte[] body) {}

    /**
     * Dispatches and starts the operation (a bad request throws at once, on the loop); {@code onDone}
     * runs on the event loop after the response was written.
     */
    static void start(
            ChannelHandlerContext ctx,
            GatewayContext gw,
            FullHttpRequest req,
            String requestId,
            long startNanos,
            java.util.function.IntConsumer onDone) {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String rest = q.path().substring(PATH.length());
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String[] seg = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
        HttpMethod m = req.method();
        CompletionStage<Reply> reply;
        if (seg.length == 0) {
            if (m.equals(HttpMethod.GET)) {
                boolean revoked = "true".equals(first(q, "include_revoked"));
                reply = list(gw, revoked);
            } else if (m.equals(HttpMethod.POST)) {
                reply = create(gw, body(req));
            } else {
                throw methodNotAllowed(m, "GET or POST");
            }
        } else if (seg.length == 1 && !seg[0].isEmpty()) {
            String id = QueryStringDecoder.decodeComponent(seg[0]);
            if (m.equals(HttpMethod.GET)) {
                reply = get(gw, id);
            } else if (m.equals(HttpMethod.PATCH)) {
                reply = patch(gw, id, body(req));
            } else if (m.equals(HttpMethod.DELETE)) {
                reply = revoke(gw, id);
            } else {
                throw methodNotAllowed(m, "GET, PATCH or DELETE");
            }
        } else if (seg.length == 2 && !seg[0].isEmpty() && seg[1].equals("spend")) {
            if (!m.equals(HttpMethod.GET)) {
                throw methodNotAllowed(m, "GET");
            }
            reply = spend(gw, QueryStringDecoder.decodeComponent(seg[0]));
        } else {
            throw GatewayException.notFound("Unknown request URL: " + m + " " + q.path() + ".");
        }
        reply.whenComplete((r, error) -> ctx.executor().execute(() -> {
            FullHttpResponse response;
            if (error == null) {
                response = HttpResponses.json(r.status(), r.body(), requestId);
            } else {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                GatewayException e = cause instanceof GatewayException ge
                        ? ge
                        : GatewayException.internal("The run-time keys database failed: " + cause.getMessage(), cause);
                response = HttpResponses.error(e, requestId);
            }
            int status = response.status().code();
            ctx.writeAndFlush(response);
            gw.metrics().request("admin", "none", "none", status, System.nanoTime() - startNanos);
            onDone.accept(status);
        }));
    }

    // ---- operations ----

    private static CompletionStage<Reply> list(GatewayContext gw, boolean includeRevoked) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        configKeys(gw).forEach((name, k) -> data.add(configView(name, k)));
        RuntimeKeys rk = gw.auth().runtime();
        if (!rk.available()) {
            return CompletableFuture.completedFuture(new Reply(200, Json.bytes(root)));
        }
        return rk.submit(() -> {
            long now = System.currentTimeMillis();
            for (KeyRow r : rk.store().all()) {
                if (includeRevoked || !r.revoked()) {
                    data.add(view(r, now));
                }
            }
            return new Reply(200, Json.bytes(root));
        });
    }

    private static CompletionStage<Reply> create(GatewayContext gw, ObjectNode body) {
        RuntimeKeys rk = store(gw);
        Map<String, JsonNode> fields = fields(body);
        if (!fields.containsKey("name") || fields.get("name").isNull()) {
            throw GatewayException.invalidRequest("name", "Missing required parameter: 'name'.");
        }
        apply(gw, blankFor("new"), fields, 0); // validates on the loop, before any I/O
        return rk.submit(() -> {
            // SecureRandom may read /dev/urandom: on the keys' thread, never on an event loop
            long now = System.currentTimeMillis();
            String secret = KeyHasher.newSecret();
            KeyRow blank = new KeyRow(
                    KeyHasher.newId(),
                    null,
                    rk.hasher().hash(secret),
                    KeyHasher.shown(secret),
                    rk.hasher().pepperId(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    true,
                    null,
                    now,
                    now,
                    null);
            KeyRow row = apply(gw, blank, fields, now);
            try {
                rk.store().insert(row);
            } catch (KeyStore.NameTaken e) {
                throw nameTaken(row.name());
            }
            rk.refresh(); // usable on this replica as soon as the answer is sent
            ObjectNode o = view(row, now);
            o.put("key", secret);
            return new Reply(201, Json.bytes(o));
        });
    }

    private static CompletionStage<Reply> get(GatewayContext gw, String id) {
        if (id.startsWith(CONFIG_ID)) {
            KeySpec k = configKey(gw, id);
            return CompletableFuture.completedFuture(
                    new Reply(200, Json.bytes(configView(id.substring(CONFIG_ID.length()), k))));
        }
        RuntimeKeys rk = store(gw);
        return rk.submit(() -> new Reply(200, Json.bytes(view(find(rk, id), System.currentTimeMillis()))));
    }

    private static CompletionStage<Reply> patch(GatewayContext gw, String id, ObjectNode body) {
        if (id.startsWith(CONFIG_ID)) {
            configKey(gw, id); // 404 when unknown
            throw readOnly(id);
        }
        RuntimeKeys rk = store(gw);
        Map<String, JsonNode> fields = fields(body);
        apply(gw, blankFor(id), fields, 0); // validates the body on the loop, before any I/O
        return rk.submit(() -> {
            KeyRow old = find(rk, id);
            if (old.revoked()) {
                throw new GatewayException(
                        409,
                        "invalid_request_error",
                        "key_revoked",
                        null,
                        "Key " + id + " is revoked; a revoked key cannot be changed.",
                        false);
            }
            long now = System.currentTimeMillis();
            KeyRow row = apply(gw, old, fields, now);
            try {
                rk.store().update(row);
            } catch (KeyStore.NameTaken e) {
                throw nameTaken(row.name());
            }
            rk.refresh();
            return new Reply(200, Json.bytes(view(row, now)));
        });
    }

    private static CompletionStage<Reply> revoke(GatewayContext gw, String id) {
        if (id.startsWith(CONFIG_ID)) {
            configKey(gw, id);
            throw readOnly(id);
        }
        RuntimeKeys rk = store(gw);
        return rk.submit(() -> {
            KeyRow row = find(rk, id);
            long now = System.currentTimeMillis();
            if (!row.revoked()) {
                row = row.withRevoked(now);
                rk.store().update(row);
                rk.refresh();
            }
            return new Reply(200, Json.bytes(view(row, now)));
        });
    }

    private static CompletionStage<Reply> spend(GatewayContext gw, String id) {
        Governor governor = gw.governor();
        CompletionStage<Object[]> who; // {name, KeySpec}
        if (id.startsWith(CONFIG_ID)) {
            who = CompletableFuture.completedFuture(new Object[] {id.substring(CONFIG_ID.length()), configKey(gw, id)});
        } else {
            RuntimeKeys rk = store(gw);
            who = rk.submit(() -> {
                KeyRow r = find(rk, id);
                return new Object[] {r.name(), r.spec()};
            });
        }
        return who.thenCompose(nk -> {
            String name = (String) nk[0];
            KeySpec spec = (KeySpec) nk[1];
            Policy key = KeyAuthenticator.Principal.of(name, spec).policy();
            Policy team = governor.team(spec.team());
            long now = governor.now();
            CompletableFuture<ObjectNode> k = scope(governor, key, now);
            CompletableFuture<ObjectNode> t =
                    team == null ? CompletableFuture.completedFuture(null) : scope(governor, team, now);
            return k.thenCombine(t, (kv, tv) -> {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("object", "key.spend");
                o.put("id", id);
                o.put("name", name);
                o.set("key", kv);
                if (tv == null) {
                    o.putNull("team");
                } else {
                    o.set("team", tv);
                }
                return new Reply(200, Json.bytes(o));
            });
        });
    }

    private static CompletableFuture<ObjectNode> scope(Governor g, Policy p, long now) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("scope", p.scope());
        if (p.budgetMicros() == null) {
            o.putNull("budget_usd");
            o.putNull("period");
            o.putNull("spent_usd");
            return CompletableFuture.completedFuture(o);
        }
        BudgetPeriod.Window w = p.period().window(now);
        return g.spend(p).toCompletableFuture().thenApply(spent -> {
            o.put("budget_usd", p.budgetMicros() / 1e6);
            o.put("period", p.period().toString());
            o.put("window_start", Instant.ofEpochMilli(w.startMs()).toString());
            o.put("window_end", Instant.ofEpochMilli(w.endMs()).toString());
            o.put("spent_usd", spent / 1e6);
            o.put("remaining_usd", Math.max(0, p.budgetMicros() - spent) / 1e6);
            o.put("fraction", p.budgetMicros() == 0 ? 1.0 : (double) spent / p.budgetMicros());
            return o;
        });
    }

    // ---- validation ----

    private static ObjectNode body(FullHttpRequest req) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(req.content().toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "The request body is not valid JSON.");
        }
        if (!(n instanceof ObjectNode o)) {
            throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
        }
        return o;
    }

    private static Map<String, JsonNode> fields(ObjectNode body) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("key") || e.getKey().equals("secret")) {
                throw GatewayException.invalidRequest(
                        e.getKey(),
                        "A key's secret cannot be chosen or changed: Junction generates it at creation. Create a new"
                                + " key and revoke this one to rotate it.");
            }
            if (!FIELDS.contains(e.getKey())) {
                throw GatewayException.invalidRequest(
                        e.getKey(),
                        "Unrecognized request argument supplied: " + e.getKey() + " (known: budget, enabled,"
                                + " expires_at, limits, metadata, models, name, providers, team).");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static KeyRow blankFor(String id) {
        return new KeyRow(id, "x", "", "", "", null, null, null, null, null, null, true, null, 0, 0, null);
    }

    /** {@code row} with {@code fields} applied (validated: 400 naming the param, 409 for a config key's name). */
    static KeyRow apply(GatewayContext gw, KeyRow row, Map<String, JsonNode> fields, long now) {
        String name = row.name();
        String team = row.team();
        List<String> models = row.models();
        List<String> providers = row.providers();
        BudgetSpec budget = row.budget();
        LimitsSpec limits = row.limits();
        Long expires = row.expiresAtMs();
        boolean enabled = row.enabled();
        Map<String, String> metadata = row.metadata();
        for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "name" -> name = name(gw, v);
                case "team" -> team = team(gw, v);
                case "models" -> models = globs("models", v);
                case "providers" -> providers = globs("providers", v);
                case "budget" -> budget = budget(v);
                case "limits" -> limits = limits(v);
                case "expires_at" -> expires = expires(v);
                case "enabled" -> {
                    if (!v.isBoolean()) {
                        throw GatewayException.invalidRequest("enabled", "'enabled' must be true or false.");
                    }
                    enabled = v.booleanValue();
                }
                case "metadata" -> metadata = metadata(v);
                default -> throw new IllegalStateException(e.getKey());
            }
        }
        return new KeyRow(
                row.id(),
                name,
                row.secretHash(),
                row.secretPrefix(),
                row.pepperId(),
                team,
                models,
                providers,
                budget,
                limits,
                expires,
                enabled,
                metadata,
                row.createdAtMs(),
                now,
                row.revokedAtMs());
    }

    private static String name(GatewayContext gw, JsonNode v) {
        if (!v.isTextual() || v.asText().isEmpty() || v.asText().length() > MAX_NAME) {
            throw GatewayException.invalidRequest(
                    "name", "'name' must be a string of 1 to " + MAX_NAME + " characters.");
        }
        String s = v.asText();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7f || Character.isWhitespace(c)) {
                throw GatewayException.invalidRequest("name", "'name' must not contain spaces or control characters.");
            }
        }
        if (s.startsWith(CONFIG_ID)) {
            throw GatewayException.invalidRequest("name", "'name' must not start with '" + CONFIG_ID + "'.");
        }
        if (gw.auth().configNames().contains(s)) {
            throw nameTaken(s);
        }
        return s;
    }

    private static String team(GatewayContext gw, JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw GatewayException.invalidRequest("team", "'team' must be a string (a name under teams:) or null.");
        }
        if (!gw.config().teams().containsKey(v.asText())) {
            throw GatewayException.invalidRequest(
                    "team",
                    "Unknown team '" + v.asText() + "'"
                            + (gw.config().teams().isEmpty()
                                    ? ": no teams are configured (teams: in the config)."
                                    : " (configured teams: "
                                            + String.join(
                                                    ", ", gw.config().teams().keySet()) + ")."));
        }
        return v.asText();
    }

    private static List<String> globs(String param, JsonNode v) {
        if (v.isNull()) {
            return List.of("*");
        }
        if (!v.isArray() || v.isEmpty() || v.size() > MAX_GLOBS) {
            throw GatewayException.invalidRequest(
                    param,
                    "'" + param + "' must be a list of 1 to " + MAX_GLOBS + " globs (use [\"*\"] for all), or null.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode g : v) {
            if (!g.isTextual() || g.asText().isBlank()) {
                throw GatewayException.invalidRequest(
                        param, "Each entry of '" + param + "' must be a non-empty string.");
            }
            out.add(g.asText());
        }
        return out;
    }

    private static BudgetSpec budget(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw GatewayException.invalidRequest("budget", "'budget' must be an object {usd, period} or null.");
        }
        only(v, "budget", Set.of("usd", "period", "alert_at"));
        JsonNode usd = v.get("usd");
        if (usd == null || !usd.isNumber() || usd.asDouble() < 0 || !Double.isFinite(usd.asDouble())) {
            throw GatewayException.invalidRequest("budget.usd", "'budget.usd' must be a number >= 0.");
        }
        String period = null;
        if (v.hasNonNull("period")) {
            if (!v.get("period").isTextual()) {
                throw GatewayException.invalidRequest("budget.period", "'budget.period' must be a string.");
            }
            try {
                period = BudgetPeriod.parse(v.get("period").asText()).toString();
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalidRequest("budget.period", e.getMessage());
            }
        }
        Double alertAt = null;
        if (v.hasNonNull("alert_at")) {
            JsonNode a = v.get("alert_at");
            if (!a.isNumber() || a.asDouble() <= 0 || a.asDouble() > 1) {
                throw GatewayException.invalidRequest("budget.alert_at", "'budget.alert_at' must be in (0, 1].");
            }
            alertAt = a.asDouble();
        }
        return new BudgetSpec(usd.asDouble(), period, alertAt);
    }

    private static LimitsSpec limits(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw GatewayException.invalidRequest(
                    "limits", "'limits' must be an object {rpm, tpm, concurrent} or null.");
        }
        only(v, "limits", Set.of("rpm", "tpm", "concurrent"));
        Long rpm = positive(v, "rpm", Long.MAX_VALUE);
        Long tpm = positive(v, "tpm", Long.MAX_VALUE);
        Long concurrent = positive(v, "concurrent", Integer.MAX_VALUE);
        LimitsSpec l = new LimitsSpec(rpm, tpm, concurrent == null ? null : concurrent.intValue());
        return l.any() ? l : null;
    }

    private static Long positive(JsonNode parent, String field, long max) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > max) {
            throw GatewayException.invalidRequest(
                    "limits." + field, "'limits." + field + "' must be a positive whole number.");
        }
        return n.asLong();
    }

    private static void only(JsonNode obj, String param, Set<String> allowed) {
        Iterator<String> names = obj.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!allowed.contains(f)) {
                throw GatewayException.invalidRequest(
                        param + "." + f,
                        "Unrecognized argument '" + param + "." + f + "' (known: "
                                + String.join(", ", allowed.stream().sorted().toList()) + ").");
            }
        }
    }

    private static Long expires(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw GatewayException.invalidRequest(
                    "expires_at", "'expires_at' must be an ISO-8601 instant or date string, or null.");
        }
        try {
            return KeyAuthenticator.expiry(v.asText());
        } catch (IllegalArgumentException e) {
            throw GatewayException.invalidRequest("expires_at", e.getMessage());
        }
    }

    private static Map<String, String> metadata(JsonNode v) {
        if (v.isNull()) {
            return Map.of();
        }
        if (!v.isObject() || v.size() > MAX_METADATA) {
            throw GatewayException.invalidRequest(
                    "metadata", "'metadata' must be an object of at most " + MAX_METADATA + " string values.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw GatewayException.invalidRequest(
                        "metadata." + e.getKey(), "'metadata." + e.getKey() + "' must be a string.");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    // ---- lookups and views ----

    private static RuntimeKeys store(GatewayContext gw) {
        RuntimeKeys rk = gw.auth().runtime();
        if (!rk.available()) {
            throw new GatewayException(
                    501,
                    "invalid_request_error",
                    "keys_store_unavailable",
                    null,
                    "Run-time keys need a database: set ledger.type to sqlite or postgres (it is none). Keys in the"
                            + " config's keys: section still work and are listed by GET /admin/keys.",
                    false);
        }
        return rk;
    }

    private static KeyRow find(RuntimeKeys rk, String id) throws java.sql.SQLException {
        KeyRow r = rk.store().get(id);
        if (r == null) {
            throw GatewayException.notFound("No key with id '" + id + "'.");
        }
        return r;
    }

    private static Map<String, KeySpec> configKeys(GatewayContext gw) {
        Map<String, KeySpec> out = new LinkedHashMap<>();
        List<KeySpec> keys = gw.config().keys();
        for (int i = 0; i < keys.size(); i++) {
            out.put(keys.get(i).effectiveName(i), keys.get(i));
        }
        return out;
    }

    private static KeySpec configKey(GatewayContext gw, String id) {
        KeySpec k = configKeys(gw).get(id.substring(CONFIG_ID.length()));
        if (k == null) {
            throw GatewayException.notFound("No key with id '" + id + "'.");
        }
        return k;
    }

    private static GatewayException readOnly(String id) {
        return new GatewayException(
                409,
                "invalid_request_error",
                "key_read_only",
                null,
                "Key " + id + " is defined in the config file (keys:); change it there.",
                false);
    }

    private static GatewayException nameTaken(String name) {
        return new GatewayException(
                409,
                "invalid_request_error",
                "key_name_taken",
                "name",
                "A key named '" + name + "' already exists.",
                false);
    }

    private static String status(boolean revoked, boolean enabled, Long expiresAtMs, long now) {
        if (revoked) {
            return "revoked";
        }
        if (!enabled) {
            return "disabled";
        }
        return expiresAtMs != null && now >= expiresAtMs ? "expired" : "active";
    }

    /** A run-time key as the API shows it: never its secret or hash. */
    static ObjectNode view(KeyRow r, long now) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("object", "key");
        o.put("id", r.id());
        o.put("source", "runtime");
        o.put("name", r.name());
        o.put("key_prefix", r.secretPrefix());
        common(
                o,
                r.team(),
                r.models(),
                r.providers(),
                r.budget(),
                r.limits(),
                r.expiresAtMs(),
                r.enabled(),
                r.metadata());
        o.put("status", status(r.revoked(), r.enabled(), r.expiresAtMs(), now));
        o.put("created_at", Instant.ofEpochMilli(r.createdAtMs()).toString());
        o.put("updated_at", Instant.ofEpochMilli(r.updatedAtMs()).toString());
        if (r.revokedAtMs() == null) {
            o.putNull("revoked_at");
        } else {
            o.put("revoked_at", Instant.ofEpochMilli(r.revokedAtMs()).toString());
        }
        return o;
    }

    /** A config key: read-only, no prefix of its secret. */
    static ObjectNode configView(String name, KeySpec k) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("object", "key");
        o.put("id", CONFIG_ID + name);
        o.put("source", "config");
        o.put("read_only", true);
        o.put("name", name);
        Long expires;
        try {
            long e = KeyAuthenticator.expiry(k.expiresAt());
            expires = e == Long.MAX_VALUE ? null : e;
        } catch (IllegalArgumentException e) {
            expires = null;
        }
        common(o, k.team(), k.models(), k.providers(), k.budget(), k.limits(), expires, k.enabled(), k.metadata());
        o.put("status", status(false, k.enabled(), expires, System.currentTimeMillis()));
        return o;
    }

    private static void common(
            ObjectNode o,
            String team,
            List<String> models,
            List<String> providers,
            BudgetSpec budget,
            LimitsSpec limits,
            Long expiresAtMs,
            boolean enabled,
            Map<String, String> metadata) {
        if (team == null) {
            o.putNull("team");
        } else {
            o.put("team", team);
        }
        models.forEach(o.putArray("models")::add);
        providers.forEach(o.putArray("providers")::add);
        if (budget == null) {
            o.putNull("budget");
        } else {
            o.set("budget", KeyStore.budgetJson(budget));
        }
        if (limits == null) {
            o.putNull("limits");
        } else {
            o.set("limits", KeyStore.limitsJson(limits));
        }
        if (expiresAtMs == null) {
            o.putNull("expires_at");
        } else {
            o.put("expires_at", Instant.ofEpochMilli(expiresAtMs).toString());
        }
        o.put("enabled", enabled);
        ObjectNode md = o.putObject("metadata");
        metadata.forEach(md::put);
    }

    private static GatewayException methodNotAllowed(HttpMethod m, String allowed) {
        return new GatewayException(
                405,
                "invalid_request_error",
                "method_not_allowed",
                null,
                "Method " + m + " is not allowed here; use " + allowed + ".",
                false);
    }

    private static String first(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
