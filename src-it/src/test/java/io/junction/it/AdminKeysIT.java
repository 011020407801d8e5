package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Run-time keys end to end, through the built jar: {@code /admin/keys} creates a key, the official
 * OpenAI SDK calls the mock provider with it, disabling and revoking it turn it away with a 401, and
 * keys live in the ledger's SQLite file, so they survive a restart of the process.
 */
class AdminKeysIT {
    private static final String ADMIN_KEY = "adm-keys-it";
    private static final String PEPPER = "it-pepper-0123456789abcdef";

    static Path dir;
    static IntFunction<String> config;

    @BeforeAll
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("junction-keys-it");
        String ledger = dir.resolve("data/junction-usage.db").toString().replace("\\", "/");
        int deadUpstream = JunctionProcess.freePort();
        config = port -> Configs.standard(port, deadUpstream, "")
                + "admin: { key: " + ADMIN_KEY + ", key_pepper: \"" + PEPPER + "\" }\n"
                + "pricing:\n  \"mock/*\": { input: 1000, output: 2000 }\n"
                + "ledger: { type: sqlite, path: \"" + ledger + "\", flush_interval_ms: 200 }\n";
    }

    @AfterAll
    static void checkFiles() {
        assertThat(dir.resolve("data/junction-usage.db"))
                .as("keys and usage share the ledger's one database file")
                .isRegularFile();
    }

    private static HttpResponse<String> admin(JunctionProcess j, String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(j.uri(path))
                .timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + ADMIN_KEY)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        return Clients.send(b.build());
    }

    private static HttpResponse<String> rawChat(JunctionProcess j, String key) {
        return Clients.postJson(
                j,
                "/v1/chat/completions",
                key,
                "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}");
    }

    private static String sdkChat(JunctionProcess j, String key) {
        OpenAIClient client = Clients.sdk(j, key);
        try {
            ChatCompletion c = client.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model("mock/echo")
                            .addUserMessage("hello from a run-time key")
                            .build());
            return c.choices().get(0).message().content().orElse("");
        } finally {
            client.close();
        }
    }

    /** The key's spend once its call was charged (settled after the response; polled, 15 s at most). */
    private static double awaitSpend(JunctionProcess j, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            double usd = Fixtures.parse(admin(j, "GET", "/admin/keys/" + id + "/spend", null)
                            .body())
                    .get("key")
                    .get("spent_usd")
                    .asDouble();
            if (usd > 0) {
                return usd;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no spend for " + id + " after 15 s\n" + j.logTail(40));
            }
            JunctionProcess.sleep(50);
        }
    }

    @Test
    void createUseDisableEnableRevokeAndSurviveARestart() {
        String secret;
        String id;
        String survivor;
        String survivorId;
        double spent;
        try (JunctionProcess j = JunctionProcess.start("admin-keys", config)) {
            HttpResponse<String> created = admin(j, "POST", "/admin/keys", """
                    {"name": "it-bot", "models": ["mock/*"], "budget": {"usd": 5, "period": "month"},
                     "limits": {"rpm": 1000}, "metadata": {"ticket": "JIRA-1"}}""");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode k = Fixtures.parse(created.body());
            secret = k.get("key").asText();
            id = k.get("id").asText();
            assertThat(secret).startsWith("jk-");

            // the official SDK, with the new key
            assertThat(sdkChat(j, secret)).isEqualTo("hello from a run-time key");

            // never shown again
            HttpResponse<String> list = admin(j, "GET", "/admin/keys", null);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body())
                    .contains(id, "\"source\":\"config\"")
                    .doesNotContain(secret)
                    .doesNotContain(Configs.KEY);

            assertThat(admin(j, "PATCH", "/admin/keys/" + id, "{\"enabled\": false}")
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<String> off = rawChat(j, secret);
            assertThat(off.statusCode()).isEqualTo(401);
            assertThat(off.body()).contains("disabled").doesNotContain(secret);
            assertThatThrownBy(() -> sdkChat(j, secret)).isInstanceOf(UnauthorizedException.class);

            assertThat(admin(j, "PATCH", "/admin/keys/" + id, "{\"enabled\": true}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(rawChat(j, secret).statusCode()).isEqualTo(200);

            HttpResponse<String> s =
                    admin(j, "POST", "/admin/keys", "{\"name\": \"it-survivor\", \"budget\": {\"usd\": 100}}");
            assertThat(s.statusCode()).isEqualTo(201);
            survivor = Fixtures.parse(s.body()).get("key").asText();
            survivorId = Fixtures.parse(s.body()).get("id").asText();
            assertThat(sdkChat(j, survivor)).isEqualTo("hello from a run-time key");
            spent = awaitSpend(j, survivorId);

            HttpResponse<String> revoked = admin(j, "DELETE", "/admin/keys/" + id, null);
            assertThat(revoked.statusCode()).isEqualTo(200);
            HttpResponse<String> gone = rawChat(j, secret);
            assertThat(gone.statusCode()).isEqualTo(401);
            assertThat(gone.body()).contains("revoked");
            assertThat(rawChat(j, Configs.KEY).statusCode()).isEqualTo(200); // config keys unaffected

            assertThat(j.log())
                    .as("no secret is ever logged")
                    .doesNotContain(secret)
                    .doesNotContain(survivor);
        }

        // a new process on the same database: the keys are still there, revoked stays revoked
        try (JunctionProcess j = JunctionProcess.start("admin-keys-restarted", config)) {
            // the budget's spend in this window was restored from the ledger at start, as for config keys
            JsonNode restored = Fixtures.parse(admin(j, "GET", "/admin/keys/" + survivorId + "/spend", null)
                    .body());
            assertThat(restored.get("key").get("scope").asText()).isEqualTo("key:it-survivor");
            assertThat(restored.get("key").get("spent_usd").asDouble()).isCloseTo(spent, within(1e-6));
            assertThat(sdkChat(j, survivor)).isEqualTo("hello from a run-time key");
            assertThat(rawChat(j, secret).statusCode()).isEqualTo(401);
            HttpResponse<String> one = admin(j, "GET", "/admin/keys/" + survivorId, null);
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(Fixtures.parse(one.body()).get("name").asText()).isEqualTo("it-survivor");
            assertThat(Fixtures.parse(admin(j, "GET", "/admin/keys/" + id, null).body())
                            .get("status")
                            .asText())
                    .isEqualTo("revoked");
            assertThat(j.log()).doesNotContain(survivor);
        }
    }
}
