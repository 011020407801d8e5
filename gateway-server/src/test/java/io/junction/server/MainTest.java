package io.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void validateAcceptsAGoodConfig(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ok.yaml");
        Files.writeString(f, "providers:\n  mock: {}\nmodels:\n  a: { targets: [mock/x] }\n");
        assertThat(run("--validate", "--config", f.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("config OK").contains("1 providers, 1 aliases");
    }

    @Test
    void validateRejectsABadConfigWithTheExactError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "providers:\n  x: { type: nosuch }\n");
        assertThat(run("--validate", "--config", f.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("junction: config error: " + f + ": providers.x.type: unknown provider type 'nosuch'");
    }

    @Test
    void unknownArgumentsAreRejected() {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument '--frobnicate'");
        assertThat(run("--config")).isEqualTo(2);
    }

    @Test
    void helpExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--config FILE");
    }
}
