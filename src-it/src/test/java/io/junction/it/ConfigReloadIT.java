package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Hot reload of the real process: by editing its config file, and by SIGHUP. */
class ConfigReloadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "adm-secret";

    private static String config(int port, boolean watch, String extraAliases) {
        return """
                server: { host: 127.0.0.1, port: %d, watch_config: %s, drain_timeout_ms: 2000 }
                admin: { key: %s }
                keys:
                  - { key: %s, name: team-a }
                providers:
                  mock: { models: [echo] }
                models:
                  first: { targets: [mock/echo] }
                %s""".formatted(port, watch, ADMIN, Configs.KEY, extraAliases);
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static RawHttp.Response call(RawHttp conn, int port, String model) throws Exception {
        conn.write(RawHttp.post(port, "/v1/chat/completions", Configs.KEY, chat(model), null));
        return conn.read();
    }

    private static String metrics(RawHttp conn, int port) throws Exception {
        conn.write(RawHttp.get(port, "/metrics", null));
        return conn.read().body();
    }

    private static JsonNode status(RawHttp conn, int port) throws Exception {
        conn.write(
                "GET /admin/config/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN + "\r\n\r\n");
        RawHttp.Response r = conn.read();
        assertThat(r.status()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Polls (on the same connection) until {@code done} holds for the status, at most 10 s. */
    private static JsonNode awaitStatus(RawHttp conn, int port, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode s = status(conn, port);
        while (!done.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("config status did not change within 10 s: " + s);
            }
            Thread.sleep(50);
            s = status(conn, port);
        }
        return s;
    }

    @Test
    void editingTheFileAddsAnAliasWithoutRestartAndAnInvalidEditIsRejected() throws Exception {
        try (JunctionProcess junction = JunctionProcess.start("reload-watch", port -> config(port, true, ""));
                RawHttp conn = new RawHttp(junction.port())) {
            int port = junction.port();
            long pid = junction.pid();
            assertThat(call(conn, port, "first").status()).isEqualTo(200);
            assertThat(call(conn, port, "second").status()).isEqualTo(404);

            Files.writeString(junction.configFile(), config(port, true, "  second: { targets: [mock/echo] }\n"));
            JsonNode ok = awaitStatus(
                    conn, port, s -> s.path("reloads").path("success").asInt() == 1);
            assertThat(ok.path("last_reload").path("ok").asBoolean()).isTrue();
            assertThat(ok.path("last_reload").path("trigger").asText()).isEqualTo("file change");
            assertThat(ok.path("source").asText())
                    .isEqualTo(junction.configFile().toString());

            // the same keep-alive connection, opened before the reload, now reaches the new alias
            RawHttp.Response second = call(conn, port, "second");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("\"content\":\"hi\"");
            assertThat(junction.pid()).isEqualTo(pid);
            assertThat(junction.isAlive()).isTrue();

            // an invalid edit: rejected with the exact error, the previous config keeps serving
            Files.writeString(junction.configFile(), config(port, true, "  broken: { targets: [nope/echo] }\n"));
            JsonNode bad =
                    awaitStatus(conn, port, s -> s.path("reloads").path("error").asInt() == 1);
            assertThat(bad.path("last_reload").path("ok").asBoolean()).isFalse();
            assertThat(bad.path("last_reload").path("error").asText())
                    .isEqualTo(junction.configFile() + ": models.broken.targets[0]: unknown provider 'nope'"
                            + " (configured providers: mock)");
            assertThat(call(conn, port, "second").status()).isEqualTo(200);
            assertThat(call(conn, port, "broken").status()).isEqualTo(404);
            assertThat(metrics(conn, port))
                    .contains("junction_config_reload_total{result=\"error\"} 1.0")
                    .contains("junction_config_reload_total{result=\"success\"} 1.0")
                    .contains("junction_config_last_reload_failed 1.0");
            assertThat(junction.log())
                    .contains("config reload (file change) rejected, the previous config stays in use: "
                            + junction.configFile() + ": models.broken.targets[0]: unknown provider 'nope'");
        }
    }

    @Test
    void sighupReloadsWhenFileWatchingIsOffAndReportsRestartOnlySettings() throws Exception {
        try (JunctionProcess junction = JunctionProcess.start("reload-hup", port -> config(port, false, ""));
                RawHttp conn = new RawHttp(junction.port())) {
            int port = junction.port();
            String edited = config(port, false, "  third: { targets: [mock/echo] }\n")
                    .replace("port: " + port, "port: " + (port == 65535 ? 65534 : port + 1));
            Files.writeString(junction.configFile(), edited);
            Thread.sleep(1000); // watching is off: nothing may happen by itself
            assertThat(status(conn, port).path("last_reload").isNull()).isTrue();
            assertThat(call(conn, port, "third").status()).isEqualTo(404);

            junction.signal("HUP");
            JsonNode s = awaitStatus(
                    conn, port, j -> j.path("reloads").path("success").asInt() == 1);
            assertThat(s.path("last_reload").path("trigger").asText()).isEqualTo("SIGHUP");
            assertThat(s.path("restart_required")).hasSize(1);
            assertThat(s.path("restart_required").get(0).asText())
                    .startsWith("server.port changed to ")
                    .endsWith("restart required (still listening on " + port + ")");
            assertThat(call(conn, port, "third").status()).isEqualTo(200);
            assertThat(junction.isAlive()).isTrue();
        }
        // JunctionProcess.close: SIGTERM, exit 0, no leak
    }

    @Test
    void aSighupIgnoredSinceStartIsReportedAndLeavesTheProcessRunning() throws Exception {
        // nohup starts java with SIGHUP ignored, which the JVM keeps: Junction must say so, not fail silently
        try (JunctionProcess junction =
                        JunctionProcess.start("reload-nohup", port -> config(port, false, ""), List.of("nohup"));
                RawHttp conn = new RawHttp(junction.port())) {
            int port = junction.port();
            String warning = "SIGHUP is ignored by this process (inherited from its parent, e.g. nohup)";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); // logged right after /health answers
            while (!junction.log().contains(warning) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(junction.log()).contains(warning);
            junction.signal("HUP");
            Thread.sleep(500);
            assertThat(status(conn, port).path("reloads").path("success").asInt())
                    .isZero();
            assertThat(call(conn, port, "first").status()).as("still serving").isEqualTo(200);
        }
    }
}
