package io.junction.server.cli;

import io.junction.core.config.JunctionConfig;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.JunctionServer;
import io.junction.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * {@code --warmup}: starts Junction with the built-in mock config on a free loopback port, sends it
 * one request of each kind (health, readiness, models, metrics, a chat answer and a chat stream), and
 * stops. Used to train a class-data-sharing archive at image build time
 * ({@code java -XX:ArchiveClassesAtExit=junction.jsa -jar junction.jar --warmup}), so the classes a
 * real start and first requests load come from the archive. Touches no network beyond 127.0.0.1.
 */
public final class Warmup {
    private Warmup() {}

    public static int run(String embeddedConfig, PrintStream out, PrintStream err) {
        ProviderRegistry registry = ProviderRegistry.load();
        ConfigLoader loader = new ConfigLoader(registry, name -> switch (name) {
            case "JUNCTION_HOST" -> "127.0.0.1";
            case "JUNCTION_PORT" -> "0";
            default -> null;
        });
        JunctionConfig config;
        try (InputStream in = Warmup.class.getResourceAsStream(embeddedConfig)) {
            config = loader.load("built-in default config", in);
        } catch (IOException e) {
            err.println("junction: warmup: cannot read the built-in config: " + e.getMessage());
            return 1;
        }
        JunctionServer server;
        try {
            server = JunctionServer.start(config, registry, "built-in default config (warmup)");
        } catch (Exception e) {
            err.println("junction: warmup: cannot start: " + e);
            return 1;
        }
        try {
            String chat = "{\"model\":\"default\",\"messages\":[{\"role\":\"user\",\"content\":\"warm up\"}]";
            List<String> requests = List.of(
                    get("/health"),
                    get("/ready"),
                    get("/v1/models"),
                    post("/v1/chat/completions", chat + "}"),
                    post(
                            "/v1/chat/completions",
                            chat + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"),
                    get("/metrics"));
            for (String r : requests) {
                String response = exchange(server.port(), r);
                if (!response.startsWith("HTTP/1.1 200")) {
                    err.println("junction: warmup: unexpected answer to "
                            + r.lines().findFirst().orElse("") + ": "
                            + response.lines().findFirst().orElse("<nothing>"));
                    return 1;
                }
            }
            out.println("warmup done: " + requests.size() + " requests served");
            return 0;
        } catch (IOException e) {
            err.println("junction: warmup failed: " + e);
            return 1;
        } finally {
            server.shutdown(Duration.ZERO);
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    }

    private static String post(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + json;
    }

    /** One request on its own connection ({@code Connection: close}); the whole answer as text. */
    private static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            o.write(request.getBytes(StandardCharsets.UTF_8));
            o.flush();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            s.getInputStream().transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
