package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar's command line: {@code --validate} and {@code --explain-route}, as an operator runs them. */
class CliIT {
    record Result(int exit, String out, String err) {}

    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        return run(dir, java.util.Map.of(), args);
    }

    static Result run(Path dir, java.util.Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("junction.jar", "../gateway-server/target/junction.jar"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("JUNCTION_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("junction " + List.of(args) + " did not exit within 60 s");
        }
        return new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                // the JVM's own warnings (native access on newer JDKs) are not Junction's output
                String.join(
                        "\n",
                        Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                                .filter(l -> !l.startsWith("WARNING:") && !l.isBlank())
                                .toList()));
    }

    @Test
    void validateNamesTheFileThePathAndTheProblem(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "providers:\n  mock: { models: [echo] }\nmodels:\n  a: { targets: [mock/echo] }\n");
        Result ok = run(dir, "--validate", "--config", good.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).startsWith("config OK: " + good + " (1 providers, 1 aliases, 0 keys)");

        Path type = dir.resolve("type.yaml");
        Files.writeString(type, "providers:\n  x: { type: nosuch }\n");
        Result badType = run(dir, "--validate", "--config", type.toString());
        assertThat(badType.exit()).isEqualTo(2);
        assertThat(badType.err())
                .startsWith("junction: config error: " + type + ": providers.x.type: unknown provider type 'nosuch'"
                        + " (known types: ")
                .contains("mock")
                .contains("openai");

        Path env = dir.resolve("env.yaml");
        Files.writeString(env, "providers:\n  oai:\n    type: openai\n    api_key: ${JUNCTION_IT_SURELY_UNSET}\n");
        Result badEnv = run(dir, "--validate", "--config", env.toString());
        assertThat(badEnv.exit()).isEqualTo(2);
        assertThat(badEnv.err())
                .isEqualTo("junction: config error: " + env + ": providers.oai.api_key: environment variable"
                        + " JUNCTION_IT_SURELY_UNSET is not set (write ${JUNCTION_IT_SURELY_UNSET:-default} to give a"
                        + " default)");
    }

    @Test
    void explainRoutePrintsTheChainAndRejectsAnUnknownModel(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("junction.yaml");
        Files.writeString(cfg, """
                providers:
                  up:   { type: openai, base_url: "http://127.0.0.1:9/v1", api_key: sk-hidden, retry: { max_retries: 0 } }
                  mock: { models: [echo] }
                models:
                  managed: { targets: [up/gpt-4o-mini, mock/echo] }
                """);
        Result r = run(dir, "--config", cfg.toString(), "--explain-route", "managed");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .startsWith("model 'managed': alias, 2 targets\n")
                .contains("\n1. up/gpt-4o-mini\n")
                .contains("   retry: none on the same target (max_retries 0)\n")
                .contains("\n2. mock/echo\n")
                .doesNotContain("sk-hidden");

        Result unknown = run(dir, "--config", cfg.toString(), "--explain-route", "gpt-5");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err())
                .isEqualTo("junction: The model 'gpt-5' does not exist: it is neither a configured alias nor"
                        + " <provider>/<model> for a configured provider.");
        assertThat(unknown.out()).isEmpty();
    }

    @Test
    void theShippedConfigsValidate(@TempDir Path dir) throws Exception {
        Path compose = Path.of("../docker/junction/junction.yaml").toAbsolutePath();
        Result withEnv = run(
                dir,
                java.util.Map.of(
                        "JUNCTION_KEY",
                        "sk-x",
                        "JUNCTION_ADMIN_KEY",
                        "adm-x",
                        "JUNCTION_DATABASE_URL",
                        "jdbc:postgresql://127.0.0.1:5432/junction",
                        "JUNCTION_DATABASE_PASSWORD",
                        "pw",
                        "JUNCTION_REDIS_URL",
                        "redis://127.0.0.1:6379/0"),
                "--validate",
                "--config",
                compose.toString());
        assertThat(withEnv.exit()).as(withEnv.err()).isZero();
        Result withoutEnv = run(dir, "--validate", "--config", compose.toString());
        assertThat(withoutEnv.exit()).isEqualTo(2);
        assertThat(withoutEnv.err()).contains("environment variable JUNCTION_ADMIN_KEY is not set");

        Path shipped = Path.of("../config/junction.yaml").toAbsolutePath();
        assertThat(run(dir, "--validate", "--config", shipped.toString()).exit())
                .isZero();
    }
}
