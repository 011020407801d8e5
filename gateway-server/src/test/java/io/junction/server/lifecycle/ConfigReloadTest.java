package io.junction.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.config.JunctionConfig;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.JunctionServer;
import io.junction.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** In-process: file watch and SIGHUP-style reloads swapping the config of a running server. */
@Timeout(60)
class ConfigReloadTest {
    private static final String BASE = """
            server: { host: 127.0.0.1, port: 0 }
            admin: { key: adm }
            providers:
              mock: { models: [echo] }
            models:
              first: { targets: [mock/echo] }
            """;

    @TempDir
    Path dir;

    private Path file;
    private final ProviderRegistry registry = ProviderRegistry.load();
    private final ConfigLoader loader = new ConfigLoader(registry, name -> null);
    private JunctionServer server;
    private ConfigReloader reloader;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("junction.yaml");
        Files.writeString(file, BASE);
        server = JunctionServer.start(loader.load(file), registry, file.toString());
        reloader =
                new ConfigReloader(file, loader::load, server::reload, server.configStatus(), Duration.ofMillis(100));
    }

    @AfterEach
    void stop() {
        if (reloader != null) {
            reloader.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private String chat(RawClient c, String model) throws Exception {
        c.send(RawClient.post(
                "/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        return c.readResponse();
    }

    private String status(RawClient c) throws Exception {
        c.send("GET /admin/config/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer adm\r\n\r\n");
        return c.readResponse();
    }

    @Test
    void anEditedFileIsPickedUpAndAnOpenConnectionUsesTheNewConfig() throws Exception {
        reloader.watch();
        try (RawClient c = new RawClient(server.port())) {
            assertThat(chat(c, "first")).startsWith("HTTP/1.1 200");
            assertThat(chat(c, "second")).startsWith("HTTP/1.1 404");

            Files.writeString(file, BASE + "  second: { targets: [mock/echo] }\n");
            GracefulShutdownTest.waitUntil(() -> server.config().models().containsKey("second"));

            assertThat(chat(c, "second")).startsWith("HTTP/1.1 200"); // same keep-alive connection
            assertThat(chat(c, "first")).startsWith("HTTP/1.1 200");
            String s = status(c);
            assertThat(s)
                    .contains("\"ok\":true")
                    .contains("\"trigger\":\"file change\"")
                    .contains("\"success\":1")
                    .contains("\"restart_required\":[]");
        }
        assertThat(server.metrics().scrape())
                .contains("junction_config_reload_total{result=\"success\"} 1.0")
                .contains("junction_config_last_reload_failed 0.0");
    }

    @Test
    void anInvalidEditIsRejectedAndTheOldConfigKeepsServing() throws Exception {
        reloader.watch();
        Files.writeString(file, BASE.replace("targets: [mock/echo]", "targets: [nope/echo]"));
        GracefulShutdownTest.waitUntil(() -> server.configStatus().lastReload() != null);

        ConfigStatus.Attempt last = server.configStatus().lastReload();
        assertThat(last.ok()).isFalse();
        assertThat(last.error())
                .isEqualTo(file + ": models.first.targets[0]: unknown provider 'nope' (configured providers: mock)");
        try (RawClient c = new RawClient(server.port())) {
            assertThat(chat(c, "first")).startsWith("HTTP/1.1 200");
            assertThat(status(c)).contains("\"ok\":false").contains("unknown provider 'nope'");
        }
        assertThat(server.metrics().scrape())
                .contains("junction_config_reload_total{result=\"error\"} 1.0")
                .contains("junction_config_last_reload_failed 1.0");

        // fixing the file recovers
        Files.writeString(file, BASE + "  third: { targets: [mock/echo] }\n");
        GracefulShutdownTest.waitUntil(() -> server.config().models().containsKey("third"));
        // the status is recorded just after the swap, on the reloader's thread
        GracefulShutdownTest.waitUntil(() -> server.configStatus().lastReload().ok());
        assertThat(server.configStatus().lastReload().ok()).isTrue();
    }

    @Test
    void rewritingTheSameContentDoesNotReload() throws Exception {
        reloader.watch();
        Files.writeString(file, BASE);
        Files.writeString(dir.resolve("unrelated.txt"), "x");
        Thread.sleep(600); // several debounce periods
        assertThat(server.configStatus().lastReload()).isNull();
    }

    @Test
    void aFileWrittenContinuouslyNextToTheConfigDoesNotHoldAnEditBack() throws Exception {
        reloader.watch();
        Path log = dir.resolve("junction.log");
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 3_000 && writing.get(); i++) { // bounded: at most ~60 s
                    Files.writeString(
                            log,
                            "line " + i + "\n",
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                    Thread.sleep(20); // well inside the 100 ms quiet period
                }
            } catch (Exception e) {
                // the test's assertion reports it
            }
        });
        writer.start();
        try {
            Thread.sleep(200);
            Files.writeString(file, BASE + "  second: { targets: [mock/echo] }\n");
            GracefulShutdownTest.waitUntil(() -> server.config().models().containsKey("second"));
            GracefulShutdownTest.waitUntil(() -> server.configStatus().lastReload() != null);
            assertThat(server.configStatus().lastReload().trigger()).isEqualTo("file change");
        } finally {
            writing.set(false);
            writer.join(5_000);
        }
    }

    @Test
    void aKubernetesConfigMapSwapIsPickedUp() throws Exception {
        // The kubelet's layout: junction.yaml -> ..data/junction.yaml, ..data -> ..<timestamp>; an
        // update writes a new timestamped directory and renames a new ..data symlink over the old one.
        reloader.close();
        Path v1 = Files.createDirectory(dir.resolve("..2026_11_22_01"));
        Files.writeString(v1.resolve("junction.yaml"), BASE);
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path cm = Files.createDirectory(dir.resolve("cm"));
        Files.move(dir.resolve("..data"), cm.resolve("..data"));
        Files.move(v1, cm.resolve(v1.getFileName()));
        Path link = cm.resolve("junction.yaml");
        Files.createSymbolicLink(link, Path.of("..data/junction.yaml"));
        reloader =
                new ConfigReloader(link, loader::load, server::reload, server.configStatus(), Duration.ofMillis(100));
        reloader.watch();

        Path v2 = Files.createDirectory(cm.resolve("..2026_11_22_02"));
        Files.writeString(v2.resolve("junction.yaml"), BASE + "  second: { targets: [mock/echo] }\n");
        Files.createSymbolicLink(cm.resolve("..data_tmp"), v2.getFileName());
        Files.move(
                cm.resolve("..data_tmp"),
                cm.resolve("..data"),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        GracefulShutdownTest.waitUntil(() -> server.config().models().containsKey("second"));
    }

    @Test
    void aRequestedReloadRereadsTheFileAndReportsRestartOnlySettings() throws Exception {
        Files.writeString(
                file,
                BASE.replace("port: 0", "port: 1, transport: nio").replace("host: 127.0.0.1", "host: 0.0.0.0")
                        + "  second: { targets: [mock/echo] }\n");
        assertThat(reloader.reloadNow("SIGHUP").get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.config().models()).containsKey("second");
        List<String> restart = server.configStatus().restartRequired();
        assertThat(restart).hasSize(3);
        assertThat(restart.get(0)).startsWith("server.host changed to '0.0.0.0': restart required");
        assertThat(restart.get(1)).startsWith("server.port changed to 1: restart required");
        assertThat(restart.get(2))
                .isEqualTo("server.transport changed to nio: restart required (still on " + server.transport() + ")");
        // still answering on the port it started with
        try (RawClient c = new RawClient(server.port())) {
            assertThat(chat(c, "second")).startsWith("HTTP/1.1 200");
        }
        // unchanged content, forced anyway
        assertThat(reloader.reloadNow("SIGHUP").get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.configStatus()
                        .toJson()
                        .path("reloads")
                        .path("success")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void breakersCarryOverOnlyWhileNoExistingProviderChanges() {
        var before = server.config();
        JunctionConfig added = loader.load("x.yaml", stream(BASE + "  second: { targets: [mock/echo] }\n"));
        JunctionConfig changed = loader.load("x.yaml", stream(BASE.replace("[echo]", "[echo, other]")));
        assertThat(JunctionServer.providersKept(before, added)).isTrue();
        assertThat(JunctionServer.providersKept(before, changed)).isFalse();
    }

    private static java.io.InputStream stream(String s) {
        return new java.io.ByteArrayInputStream(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
