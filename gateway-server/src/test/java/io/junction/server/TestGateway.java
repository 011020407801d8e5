package io.junction.server;

import io.junction.core.config.JunctionConfig;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** An in-process Junction on a free 127.0.0.1 port, configured from YAML text. */
public final class TestGateway implements AutoCloseable {
    private final JunctionServer server;
    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    public TestGateway(String yaml) throws InterruptedException {
        ProviderRegistry registry = ProviderRegistry.load();
        JunctionConfig config = load(registry, yaml);
        server = JunctionServer.start(config, registry);
    }

    /** With {@code tracing} (e.g. exporting to memory) instead of the one the YAML asks for. */
    public TestGateway(String yaml, io.junction.server.observe.trace.Tracing tracing) throws InterruptedException {
        ProviderRegistry registry = ProviderRegistry.load();
        server = JunctionServer.start(load(registry, yaml), registry, "test.yaml", tracing);
    }

    private static JunctionConfig load(ProviderRegistry registry, String yaml) {
        return new ConfigLoader(registry, name -> null)
                .load("test.yaml", new ByteArrayInputStream(withServer(yaml).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Adds a loopback, free-port {@code server:} section unless the YAML has its own, and turns the
     * usage ledger off unless the YAML configures one (no database files from unrelated tests).
     */
    private static String withServer(String yaml) {
        String y = yaml.contains("server:") ? yaml : "server: {host: 127.0.0.1, port: 0}\n" + yaml;
        return y.contains("ledger:") ? y : y + "\nledger: { type: none }\n";
    }

    public JunctionServer server() {
        return server;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    public HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.containsKey("content-type")) {
            b.header("content-type", "application/json");
        }
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String body) throws Exception {
        return post(path, body, Map.of());
    }

    public HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(10))
                .GET();
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient client() {
        return client;
    }

    @Override
    public void close() {
        server.close();
    }
}
