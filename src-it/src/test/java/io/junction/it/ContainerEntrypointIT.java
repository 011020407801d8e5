package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Docker engine here, so this runs what the image runs, read from {@code docker/Dockerfile}
 * itself: the AOT-cache training {@code RUN}, the {@code ENTRYPOINT} with the image's {@code ENV} (config at
 * the stand-in for {@code /etc/junction/junction.yaml}: the shipped {@code config/junction.yaml}), and
 * the {@code HEALTHCHECK} command. Image paths map to a temp directory; {@code java} is this JDK; the
 * host is 127.0.0.1 instead of the image's 0.0.0.0. With {@code -XX:AOTMode=on} the JVM refuses to
 * start unless the trained cache loads, so a start proves the cache is valid for the entrypoint.
 * Also checks the image's lint-level rules (non-root user, port, health check, labels).
 */
class ContainerEntrypointIT {
    private static final Path DOCKERFILE = Path.of(System.getProperty("junction.dockerfile", "../docker/Dockerfile"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRAINING = "RUN [\"java\", \"-XX:AOTCacheOutput=";

    /** The Dockerfile as instructions: continuation lines joined, comments dropped. */
    static List<String> instructions() throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (cur.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
                continue;
            }
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
            } else {
                cur.append(t);
                out.add(cur.toString().strip());
                cur.setLength(0);
            }
        }
        return out;
    }

    /** The runtime stage: instructions after the last FROM. */
    static List<String> runtimeStage() throws IOException {
        List<String> all = instructions();
        int last = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("FROM ")) {
                last = i;
            }
        }
        return all.subList(last, all.size());
    }

    static List<String> execForm(String json) throws IOException {
        List<String> out = new ArrayList<>();
        JSON.readTree(json).forEach(n -> out.add(n.asText()));
        return out;
    }

    static String one(List<String> stage, String prefix) {
        List<String> found = stage.stream().filter(s -> s.startsWith(prefix)).toList();
        assertThat(found).as("exactly one '%s' in the runtime stage", prefix).hasSize(1);
        return found.get(0);
    }

    @Test
    void theRuntimeStageFollowsTheImageRules() throws Exception {
        List<String> stage = runtimeStage();
        assertThat(instructions().stream().filter(s -> s.startsWith("FROM ")).count())
                .as("multi-stage")
                .isGreaterThanOrEqualTo(2);
        String user = one(stage, "USER ");
        assertThat(user.substring(5).strip()).doesNotStartWith("0").isNotEqualTo("root");
        assertThat(one(stage, "EXPOSE ")).isEqualTo("EXPOSE 8080");
        assertThat(one(stage, "HEALTHCHECK ")).contains("CMD [").contains("/health");
        String labels = String.join(
                "\n", stage.stream().filter(s -> s.startsWith("LABEL ")).toList());
        for (String l : List.of("title", "description", "licenses", "version", "revision", "created")) {
            assertThat(labels).contains("org.opencontainers.image." + l + "=");
        }
        List<String> entry = execForm(one(stage, "ENTRYPOINT ").substring("ENTRYPOINT ".length()));
        assertThat(entry).startsWith("java").contains("-jar", "/opt/junction/junction.jar");
        assertThat(entry).anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="));
        assertThat(entry).anyMatch(a -> a.startsWith("-XX:AOTCache="));
        assertThat(env(stage)).containsEntry("JUNCTION_CONFIG", "/etc/junction/junction.yaml");
        // the jar the entrypoint runs comes from the build stage, and the cache is trained after it
        int copy = indexOf(stage, "COPY --from=build");
        int train = indexOf(stage, TRAINING);
        int userAt = indexOf(stage, "USER ");
        assertThat(copy).isLessThan(train);
        assertThat(train)
                .as("the cache is written while still root, then read as the user")
                .isLessThan(userAt);
    }

    private static int indexOf(List<String> stage, String prefix) {
        for (int i = 0; i < stage.size(); i++) {
            if (stage.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no '" + prefix + "' in the runtime stage");
    }

    /** ENV key=value pairs (values unquoted, without spaces, as this Dockerfile writes them). */
    static Map<String, String> env(List<String> stage) {
        Map<String, String> env = new LinkedHashMap<>();
        Pattern kv = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\S*)");
        for (String s : stage) {
            if (s.startsWith("ENV ")) {
                Matcher m = kv.matcher(s.substring(4));
                while (m.find()) {
                    env.put(m.group(1), m.group(2).replace("\"", ""));
                }
            }
        }
        return env;
    }

    @Test
    void theJarRunsAsTheImageRunsIt(@TempDir Path root) throws Exception {
        List<String> stage = runtimeStage();
        Path jar = Path.of(System.getProperty("junction.jar", "../gateway-server/target/junction.jar"));
        Files.createDirectories(root.resolve("opt/junction"));
        Files.createDirectories(root.resolve("etc/junction"));
        Files.copy(jar, root.resolve("opt/junction/junction.jar"));
        Files.copy(Path.of("../config/junction.yaml"), root.resolve("etc/junction/junction.yaml"));
        Path logs = Path.of(System.getProperty("junction.it.logs", "target/junction-logs"));
        Files.createDirectories(logs);

        // 1. the build-time AOT training step
        String trainLine =
                stage.stream().filter(s -> s.startsWith(TRAINING)).findFirst().orElseThrow();
        List<String> train = mapPaths(execForm(trainLine.substring(4)), root);
        Process t = new ProcessBuilder(train)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("image-aot-training.log").toFile())
                .start();
        assertThat(t.waitFor(120, TimeUnit.SECONDS)).as("training run ends").isTrue();
        assertThat(t.exitValue())
                .as("training exit; log " + logs.resolve("image-aot-training.log"))
                .isZero();
        assertThat(root.resolve("opt/junction/junction.aot")).isNotEmptyFile();

        // 2. the ENTRYPOINT with the image's ENV, the cache required (-XX:AOTMode=on)
        int port = JunctionProcess.freePort();
        List<String> entry = mapPaths(execForm(one(stage, "ENTRYPOINT ").substring("ENTRYPOINT ".length())), root);
        Path log = logs.resolve("image-entrypoint.log");
        ProcessBuilder pb = new ProcessBuilder(entry).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("JUNCTION_")
                        || k.equalsIgnoreCase("http_proxy")
                        || k.equalsIgnoreCase("https_proxy"));
        env(stage).forEach((k, v) -> pb.environment().put(k, mapPath(v, root)));
        pb.environment().put("JUNCTION_HOST", "127.0.0.1"); // tests stay on loopback; the image binds 0.0.0.0
        pb.environment().put("JUNCTION_PORT", Integer.toString(port));
        pb.environment().put("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on -Dio.netty.leakDetection.level=paranoid");
        Process p = pb.start();
        try {
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            URI base = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int ready = 0;
            while (ready != 200 && System.nanoTime() < deadline && p.isAlive()) {
                try {
                    ready = http.send(
                                    HttpRequest.newBuilder(base.resolve("/ready"))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                } catch (IOException e) {
                    Thread.sleep(50);
                }
            }
            assertThat(ready).as("/ready; log:\n" + Files.readString(log)).isEqualTo(200);
            HttpResponse<String> chat = http.send(
                    HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                            .header("content-type", "application/json")
                            .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                            "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"from the image\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chat.statusCode()).isEqualTo(200);
            assertThat(chat.body()).contains("\"content\":\"from the image\"");

            // 3. the HEALTHCHECK command, as Docker runs it
            String hc = one(stage, "HEALTHCHECK ");
            List<String> check = execForm(hc.substring(hc.indexOf("CMD [") + 4));
            ProcessBuilder hpb = new ProcessBuilder(check).redirectErrorStream(true);
            hpb.environment().put("JUNCTION_PORT", Integer.toString(port));
            Process h = hpb.start();
            assertThat(h.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(h.exitValue())
                    .as("health check: " + new String(h.getInputStream().readAllBytes()))
                    .isZero();

            // 4. docker stop: SIGTERM, exit 0
            p.destroy();
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            String text = Files.readString(log);
            assertThat(text)
                    .contains("config: " + root.resolve("etc/junction/junction.yaml"))
                    .contains("Junction stopped")
                    .doesNotContain("LEAK:")
                    .doesNotContain("terminally deprecated method in sun.misc.Unsafe") // no JVM warning at start
                    .doesNotContain("[error][aot]")
                    .doesNotContain("[warning][aot]");
        } finally {
            p.destroyForcibly();
        }
    }

    private static List<String> mapPaths(List<String> args, Path root) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            out.add(
                    i == 0 && a.equals("java")
                            ? Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString()
                            : mapPath(a, root));
        }
        return out;
    }

    /** {@code /opt/junction/...} and {@code /etc/junction/...}, wherever they appear, to the temp root. */
    private static String mapPath(String arg, Path root) {
        return arg.replace("/opt/junction/", root.resolve("opt/junction") + "/")
                .replace("/etc/junction/", root.resolve("etc/junction") + "/");
    }
}
