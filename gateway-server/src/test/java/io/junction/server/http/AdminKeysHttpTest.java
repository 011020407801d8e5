package io.junction.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.junction.core.schema.Json;
import io.junction.server.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /admin/keys} through an in-process gateway with a SQLite ledger: the API, and its keys on the chat path. */
class AdminKeysHttpTest {
    @TempDir
    static Path dir;

    private static TestGateway gw;
    private static final Map<String, String> ADMIN = Map.of("authorization", "Bearer adm");

    @BeforeAll
    static void start() throws Exception {
        gw = new TestGateway("""
                keys:
                  - { key: sk-cfg, name: cfg-bot, team: research }
                admin: { key: adm, key_pepper: "a-test-pepper-0123456789", keys_refresh_ms: 60000 }
                teams:
                  research: { budget: { usd: 5 } }
                providers:
                  mock: { models: [echo] }
                pricing:
                  "mock/*": { input: 1000, output: 2000 }
                ledger: { type: sqlite, path: "%s", flush_interval_ms: 20 }
                """.formatted(dir.resolve("usage.db").toString().replace("\\", "/")));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static HttpResponse<String> send(TestGateway g, String method, String path, String body, Map<String, String> h)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(g.uri(path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        h.forEach(b::header);
        return g.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return send(gw, method, path, body, ADMIN);
    }

    static HttpResponse<String> chat(TestGateway g, String key) throws Exception {
        return g.post(
                "/v1/chat/completions",
                "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}",
                key == null ? Map.of() : Map.of("authorization", "Bearer " + key));
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String param) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = json(r).get("error");
        assertThat(e.get("message").asText()).isNotBlank();
        if (param != null) {
            assertThat(e.get("param").asText()).isEqualTo(param);
        }
    }

    @Test
    void createUseDisableEnableRevoke() throws Exception {
        HttpResponse<String> created = admin("POST", "/admin/keys", """
                {"name": "bot-1", "team": "research", "models": ["mock/*"], "providers": ["mock"],
                 "budget": {"usd": 10, "period": "30d"}, "limits": {"rpm": 100, "concurrent": 2},
                 "expires_at": "2099-01-01", "metadata": {"owner": "alice"}}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode k = json(created);
        String secret = k.get("key").asText();
        String id = k.get("id").asText();
        assertThat(secret).matches("jk-[A-Za-z0-9_-]{43}");
        assertThat(id).startsWith("key_");
        assertThat(k.get("key_prefix").asText()).isEqualTo(secret.substring(0, 8));
        assertThat(k.get("source").asText()).isEqualTo("runtime");
        assertThat(k.get("status").asText()).isEqualTo("active");
        assertThat(k.get("team").asText()).isEqualTo("research");
        assertThat(k.get("budget").get("usd").asDouble()).isEqualTo(10.0);
        assertThat(k.get("budget").get("period").asText()).isEqualTo("30d");
        assertThat(k.get("limits").get("rpm").asLong()).isEqualTo(100);
        assertThat(k.get("limits").has("tpm")).isFalse();
        assertThat(k.get("expires_at").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(k.get("metadata").get("owner").asText()).isEqualTo("alice");
        assertThat(k.get("revoked_at").isNull()).isTrue();

        assertThat(chat(gw, secret).statusCode()).isEqualTo(200);
        assertThat(chat(gw, "sk-cfg").statusCode()).isEqualTo(200);

        // never shown again: not by GET, not in the list
        HttpResponse<String> one = admin("GET", "/admin/keys/" + id, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).doesNotContain(secret).contains(id);
        assertThat(json(one).has("key")).isFalse();
        HttpResponse<String> list = admin("GET", "/admin/keys", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(secret).doesNotContain("sk-cfg");
        JsonNode data = json(list).get("data");
        JsonNode cfg = null;
        boolean found = false;
        for (JsonNode d : data) {
            assertThat(d.has("key")).isFalse();
            found |= d.get("id").asText().equals(id);
            if (d.get("id").asText().equals("config:cfg-bot")) {
                cfg = d;
            }
        }
        assertThat(found).isTrue();
        assertThat(cfg).isNotNull();
        assertThat(cfg.get("source").asText()).isEqualTo("config");
        assertThat(cfg.get("read_only").asBoolean()).isTrue();
        assertThat(cfg.has("key_prefix")).isFalse();

        HttpResponse<String> off = admin("PATCH", "/admin/keys/" + id, "{\"enabled\": false}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        assertThat(json(off).get("status").asText()).isEqualTo("disabled");
        assertThat(json(off).get("limits").get("rpm").asLong()).isEqualTo(100); // the rest is kept
        HttpResponse<String> refused = chat(gw, secret);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("'bot-1' is disabled").doesNotContain(secret);

        assertThat(admin("PATCH", "/admin/keys/" + id, "{\"enabled\": true, \"metadata\": null}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(chat(gw, secret).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = admin("DELETE", "/admin/keys/" + id, null);
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(json(revoked).get("status").asText()).isEqualTo("revoked");
        assertThat(json(revoked).get("revoked_at").asText()).isNotEmpty();
        assertThat(json(revoked).get("metadata").size()).isZero();
        HttpResponse<String> gone = chat(gw, secret);
        assertThat(gone.statusCode()).isEqualTo(401);
        assertThat(gone.body()).contains("'bot-1' has been revoked").doesNotContain(secret);

        assertThat(admin("GET", "/admin/keys", null).body()).doesNotContain(id);
        assertThat(admin("GET", "/admin/keys?include_revoked=true", null).body())
                .contains(id);
        assertError(admin("PATCH", "/admin/keys/" + id, "{\"enabled\": true}"), 409, null);
        assertThat(admin("DELETE", "/admin/keys/" + id, null).statusCode()).isEqualTo(200); // idempotent
        // the name is free again
        assertThat(admin("POST", "/admin/keys", "{\"name\": \"bot-1\"}").statusCode())
                .isEqualTo(201);
    }

    @Test
    void keysCarryTheirAllowListsAndExpiry() throws Exception {
        String limited = json(admin("POST", "/admin/keys", "{\"name\": \"only-other\", \"models\": [\"mock/other\"]}"))
                .get("key")
                .asText();
        HttpResponse<String> r = chat(gw, limited);
        assertThat(r.statusCode()).isEqualTo(403);

        String past = Instant.now().minusSeconds(60).toString();
        HttpResponse<String> c = admin("POST", "/admin/keys", "{\"name\": \"old\", \"expires_at\": \"" + past + "\"}");
        assertThat(c.statusCode()).isEqualTo(201);
        assertThat(json(c).get("status").asText()).isEqualTo("expired");
        HttpResponse<String> expired = chat(gw, json(c).get("key").asText());
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("'old' has expired");

        assertThat(chat(gw, "jk-not-a-key").statusCode()).isEqualTo(401);
        assertThat(chat(gw, null).statusCode()).isEqualTo(401);
    }

    @Test
    void spendShowsTheKeysAndItsTeamsBudgetWindow() throws Exception {
        HttpResponse<String> c = admin(
                "POST",
                "/admin/keys",
                "{\"name\": \"spender\", \"team\": \"research\", \"budget\": {\"usd\": 50, \"period\": \"1d\"}}");
        String id = json(c).get("id").asText();
        String secret = json(c).get("key").asText();
        JsonNode before = json(admin("GET", "/admin/keys/" + id + "/spend", null));
        assertThat(before.get("object").asText()).isEqualTo("key.spend");
        assertThat(before.get("name").asText()).isEqualTo("spender");
        JsonNode k = before.get("key");
        assertThat(k.get("scope").asText()).isEqualTo("key:spender");
        assertThat(k.get("budget_usd").asDouble()).isEqualTo(50.0);
        assertThat(k.get("period").asText()).isEqualTo("1d");
        assertThat(k.get("spent_usd").asDouble()).isZero();
        assertThat(k.get("remaining_usd").asDouble()).isEqualTo(50.0);
        assertThat(k.get("fraction").asDouble()).isZero();
        Instant start = Instant.parse(k.get("window_start").asText());
        Instant end = Instant.parse(k.get("window_end").asText());
        assertThat(Duration.between(start, end)).isEqualTo(Duration.ofDays(1));
        assertThat(Instant.now()).isBetween(start, end);
        assertThat(before.get("team").get("scope").asText()).isEqualTo("team:research");
        assertThat(before.get("team").get("budget_usd").asDouble()).isEqualTo(5.0);

        assertThat(chat(gw, secret).statusCode()).isEqualTo(200);
        // the call is charged when it ends (mock usage: a few tokens at $1000 / $2000 per 1M)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode after;
        do {
            after = json(admin("GET", "/admin/keys/" + id + "/spend", null));
            Thread.sleep(20);
        } while (after.get("key").get("spent_usd").asDouble() == 0 && System.nanoTime() < deadline);
        double spent = after.get("key").get("spent_usd").asDouble();
        assertThat(spent).isPositive();
        assertThat(after.get("key").get("remaining_usd").asDouble()).isCloseTo(50.0 - spent, within(1e-9));
        assertThat(after.get("key").get("fraction").asDouble()).isCloseTo(spent / 50.0, within(1e-9));
        assertThat(after.get("team").get("spent_usd").asDouble()).isGreaterThanOrEqualTo(spent);

        // a key without a budget: spend is not tracked against anything
        String plain = json(admin("POST", "/admin/keys", "{\"name\": \"plain\"}"))
                .get("id")
                .asText();
        JsonNode none = json(admin("GET", "/admin/keys/" + plain + "/spend", null));
        assertThat(none.get("key").get("budget_usd").isNull()).isTrue();
        assertThat(none.get("team").isNull()).isTrue();
        // config keys too
        JsonNode cfg = json(admin("GET", "/admin/keys/config:cfg-bot/spend", null));
        assertThat(cfg.get("team").get("scope").asText()).isEqualTo("team:research");
        assertError(admin("GET", "/admin/keys/key_nope/spend", null), 404, null);
    }

    @Test
    void validatesStrictly() throws Exception {
        assertError(admin("POST", "/admin/keys", "{}"), 400, "name");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"a b\"}"), 400, "name");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"colour\": 1}"), 400, "colour");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"key\": \"jk-mine\"}"), 400, "key");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"team\": \"nope\"}"), 400, "team");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"models\": []}"), 400, "models");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"providers\": [1]}"), 400, "providers");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"budget\": {\"usd\": -1}}"), 400, "budget.usd");
        assertError(
                admin("POST", "/admin/keys", "{\"name\": \"x\", \"budget\": {\"usd\": 1, \"period\": \"fortnight\"}}"),
                400,
                "budget.period");
        assertError(
                admin("POST", "/admin/keys", "{\"name\": \"x\", \"budget\": {\"usd\": 1, \"cap\": 2}}"),
                400,
                "budget.cap");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"limits\": {\"rpm\": 0}}"), 400, "limits.rpm");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"limits\": {\"tpm\": 1.5}}"), 400, "limits.tpm");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"expires_at\": \"soon\"}"), 400, "expires_at");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"enabled\": \"yes\"}"), 400, "enabled");
        assertError(admin("POST", "/admin/keys", "{\"name\": \"x\", \"metadata\": {\"n\": 1}}"), 400, "metadata.n");
        assertError(admin("POST", "/admin/keys", "not json"), 400, null);
        assertError(admin("POST", "/admin/keys", "[1]"), 400, null);

        assertError(admin("POST", "/admin/keys", "{\"name\": \"cfg-bot\"}"), 409, "name");
        assertThat(admin("POST", "/admin/keys", "{\"name\": \"dup\"}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> dup = admin("POST", "/admin/keys", "{\"name\": \"dup\"}");
        assertError(dup, 409, "name");
        assertThat(json(dup).get("error").get("code").asText()).isEqualTo("key_name_taken");
        String other = json(admin("POST", "/admin/keys", "{\"name\": \"dup-2\"}"))
                .get("id")
                .asText();
        assertError(admin("PATCH", "/admin/keys/" + other, "{\"name\": \"dup\"}"), 409, "name");
        assertError(admin("PATCH", "/admin/keys/" + other, "{\"name\": \"cfg-bot\"}"), 409, "name");
        assertError(
                admin("PATCH", "/admin/keys/" + other, "{\"limits\": {\"concurrent\": -3}}"), 400, "limits.concurrent");

        assertError(admin("GET", "/admin/keys/key_nope", null), 404, null);
        assertError(admin("PATCH", "/admin/keys/key_nope", "{\"enabled\": false}"), 404, null);
        assertError(admin("DELETE", "/admin/keys/key_nope", null), 404, null);
        assertError(admin("GET", "/admin/keys/a/b/c", null), 404, null);
        assertError(admin("PUT", "/admin/keys", "{}"), 405, null);
        assertError(admin("POST", "/admin/keys/" + other, "{}"), 405, null);
        assertError(admin("DELETE", "/admin/keys/" + other + "/spend", null), 405, null);
        assertError(admin("PATCH", "/admin/keys/config:cfg-bot", "{\"enabled\": false}"), 409, null);
        assertError(admin("DELETE", "/admin/keys/config:cfg-bot", null), 409, null);
        assertThat(json(admin("GET", "/admin/keys/config:cfg-bot", null))
                        .get("team")
                        .asText())
                .isEqualTo("research");
        assertError(admin("GET", "/admin/keys/config:nope", null), 404, null);

        assertError(send(gw, "GET", "/admin/keys", null, Map.of()), 401, null);
        assertError(
                send(gw, "POST", "/admin/keys", "{\"name\":\"z\"}", Map.of("authorization", "Bearer sk-cfg")),
                401,
                null);
    }

    @Test
    void withoutALedgerDatabaseTheApiSaysSoAndStillListsConfigKeys() throws Exception {
        try (TestGateway none = new TestGateway("""
                keys:
                  - { key: sk-cfg, name: cfg-bot }
                admin: { key: adm }
                providers:
                  mock: { models: [echo] }
                """)) {
            HttpResponse<String> r = send(none, "POST", "/admin/keys", "{\"name\": \"x\"}", ADMIN);
            assertError(r, 501, null);
            assertThat(r.body()).contains("ledger.type");
            HttpResponse<String> list = send(none, "GET", "/admin/keys", null, ADMIN);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(json(list).get("data").get(0).get("id").asText()).isEqualTo("config:cfg-bot");
            assertError(send(none, "GET", "/admin/keys/key_x", null, ADMIN), 501, null);
        }
    }

    @Test
    void theFirstRunTimeKeyTurnsAuthOnWhenTheConfigHasNone() throws Exception {
        try (TestGateway open =
                new TestGateway("""
                admin: { key: adm }
                providers:
                  mock: { models: [echo] }
                ledger: { type: sqlite, path: "%s" }
                """.formatted(dir.resolve("open.db").toString().replace("\\", "/")))) {
            assertThat(chat(open, null).statusCode()).isEqualTo(200);
            HttpResponse<String> c = send(open, "POST", "/admin/keys", "{\"name\": \"first\"}", ADMIN);
            assertThat(c.statusCode()).isEqualTo(201);
            String secret = json(c).get("key").asText();
            assertThat(chat(open, null).statusCode()).isEqualTo(401);
            assertThat(chat(open, secret).statusCode()).isEqualTo(200);
            // revoking the last key does not open the gateway again
            send(open, "DELETE", "/admin/keys/" + json(c).get("id").asText(), null, ADMIN);
            assertThat(chat(open, null).statusCode()).isEqualTo(401);
        }
    }
}
