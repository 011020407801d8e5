package io.junction.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The built {@code junction.jar} running as a separate process, for one test class.
 *
 * <p>Start: writes the config (built for a free port on 127.0.0.1) to a temp file, launches {@code
 * <java.home>/bin/java -Dio.netty.leakDetection.level=paranoid -jar junction.jar --config FILE} with
 * stdout and stderr going to a log file under {@code target/junction-logs/}, and waits (at most 60 s: a loaded CI machine can be slow to start a JVM)
 * for {@code GET /health} to answer 200.
 *
 * <p>Close: forces a GC in the server and sends a few more requests (Netty reports a leaked buffer
 * only when the next buffer is allocated after the leaked one was collected), stops the process
 * (SIGTERM, then a bounded wait, then SIGKILL) and fails if it did not exit with status 0, or if the
 * log has a {@code LEAK:} line or an internal error. Every failure message ends with the log's tail.
 */
public final class JunctionProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String name;
    private final Process process;
    private final Path log;
    private final Path config;
    private final int port;
    private volatile boolean stopRequested;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private JunctionProcess(String name, Process process, Path log, Path config, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.config = config;
        this.port = port;
    }

    /**
     * Starts Junction with the config {@code configForPort} returns for its listen port (the YAML's
     * {@code server.port}). A port lost to a race with another process is retried with a new one.
     */
    public static JunctionProcess start(String name, IntFunction<String> configForPort) {
        return start(name, configForPort, List.of());
    }

    /** The same, with {@code launcher} in front of {@code java} (e.g. {@code nohup}, which execs it: same pid). */
    public static JunctionProcess start(String name, IntFunction<String> configForPort, List<String> launcher) {
        Path jar = Path.of(System.getProperty("junction.jar", "../gateway-server/target/junction.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("junction.jar not found at " + jar.toAbsolutePath()
                    + ": build gateway-server first (the reactor does, with -pl src-it -am)");
        }
        Path logDir = Path.of(System.getProperty("junction.it.logs", "target/junction-logs"));
        IllegalStateException last = null;
        for (int tries = 0; tries < 3; tries++) {
            int port = freePort();
            String label = name + "-" + SEQ.incrementAndGet();
            try {
                Files.createDirectories(logDir);
                Path config = Files.createTempFile("junction-it-" + label + "-", ".yaml");
                Files.writeString(config, configForPort.apply(port));
                Path log = logDir.resolve(label + ".log");
                List<String> cmd = new ArrayList<>(launcher);
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.add("-Xmx256m");
                cmd.add("-Dio.netty.leakDetection.level=paranoid");
                cmd.add("-Dio.netty.leakDetection.targetRecords=8");
                String transport = System.getProperty("junction.transport", "");
                if (!transport.isEmpty()) { // the suite run on another transport (README, Development)
                    cmd.add("-Djunction.transport=" + transport);
                }
                cmd.add("-jar");
                cmd.add(jar.toAbsolutePath().toString());
                cmd.add("--config");
                cmd.add(config.toString());
                ProcessBuilder pb =
                        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                // Keep proxies of the machine out of the picture: all traffic stays on 127.0.0.1.
                pb.environment()
                        .keySet()
                        .removeIf(k -> k.equalsIgnoreCase("http_proxy")
                                || k.equalsIgnoreCase("https_proxy")
                                || k.equalsIgnoreCase("JUNCTION_CONFIG"));
                Process p = pb.start();
                // Should the test JVM end without closing us (a crash, a failed @BeforeAll), take the server along.
                Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "junction-it-reaper-" + label));
                JunctionProcess jp = new JunctionProcess(label, p, log, config, port);
                if (jp.awaitHealthy()) {
                    return jp;
                }
                String tail = jp.logTail(40);
                jp.kill();
                Files.deleteIfExists(config);
                last = new IllegalStateException("Junction did not become healthy within " + START_TIMEOUT.toSeconds()
                        + " s (exit " + (p.isAlive() ? "none" : p.exitValue()) + "); log tail:\n" + tail);
                if (!tail.contains("Address already in use") && !tail.contains("BindException")) {
                    throw last;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw last;
    }

    private boolean awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(uri("/health"))
                                .timeout(Duration.ofSeconds(1))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep(100);
        }
        return false;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>/v1}: the base URL for OpenAI clients. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public Path logFile() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The config file the process was started with (tests may rewrite it: hot reload). */
    public Path configFile() {
        return config;
    }

    /** Sends SIGTERM and returns at once; the test then expects the process to exit. */
    public void sigterm() {
        stopRequested = true;
        process.destroy();
    }

    /** Sends a signal by name ({@code HUP}, ...) with {@code kill}. */
    public void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to {@code timeout} for the process to exit; its exit status, or -1 if still running. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** The whole log so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<cannot read " + log + ": " + e + ">";
        }
    }

    public String logTail(int lines) {
        String[] all = log().split("\n", -1);
        int from = Math.max(0, all.length - lines);
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < all.length; i++) {
            sb.append("  | ").append(all[i]).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        try {
            if (process.isAlive()) {
                provokeLeakReports();
            } else if (!stopRequested) {
                problems.add("Junction exited before the test class ended (exit " + process.exitValue() + ")");
            }
        } finally {
            if (!kill()) {
                problems.add("Junction did not stop within 10 s of SIGTERM (killed)");
            } else if (process.exitValue() != 0) {
                problems.add("Junction exited with status " + process.exitValue() + " after SIGTERM (expected 0)");
            }
            try {
                Files.deleteIfExists(config);
            } catch (IOException e) {
                // a temp file; not worth failing for
            }
        }
        String text = log();
        for (String line : text.split("\n")) {
            if (line.contains("LEAK:")) {
                problems.add("Netty reported a buffer leak: " + line);
            }
            if (line.contains("failed inside Junction")) {
                problems.add("internal error: " + line);
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems) + "\nlog " + log.toAbsolutePath() + ", tail:\n" + logTail(80));
        }
    }

    /**
     * Netty's leak detector reports a leaked buffer only when it was garbage-collected and another
     * buffer is allocated afterwards. Make both happen before the process ends: a full GC via jcmd,
     * then a few requests that allocate.
     */
    private void provokeLeakReports() {
        for (int round = 0; round < 2; round++) {
            forceGc();
            sleep(200);
            for (int i = 0; i < 3; i++) {
                try {
                    http.send(
                            HttpRequest.newBuilder(uri("/health"))
                                    .timeout(Duration.ofSeconds(2))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    http.send(
                            HttpRequest.newBuilder(uri("/v1/models"))
                                    .timeout(Duration.ofSeconds(2))
                                    .header("authorization", "Bearer " + Configs.KEY)
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    // the leak check reads the log; a failed probe only makes it weaker
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        sleep(200);
    }

    private void forceGc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            System.err.println("[JunctionProcess] no jcmd at " + jcmd + ": leak check relies on natural GC only");
            return;
        }
        try {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!gc.waitFor(15, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                System.err.println("[JunctionProcess] jcmd GC.run timed out for " + name);
            }
        } catch (IOException e) {
            System.err.println("[JunctionProcess] jcmd GC.run failed for " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then SIGKILL if needed; true when SIGTERM was enough. */
    private boolean kill() {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(10, TimeUnit.SECONDS)) {
                return true;
            }
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return false;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
