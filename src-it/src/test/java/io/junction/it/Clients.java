package io.junction.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The official OpenAI SDK and a raw JDK client, both bounded and pointed at a Junction process. */
final class Clients {
    private static final HttpClient RAW = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private Clients() {}

    /** For try-with-resources over an SDK client, which is not AutoCloseable itself. */
    interface Closer extends AutoCloseable {
        @Override
        void close();
    }

    /** The official SDK: no SDK retries (so every upstream call is Junction's), bounded timeouts. */
    static OpenAIClient sdk(JunctionProcess junction, String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(junction.baseUrl())
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(15))
                .build();
    }

    static HttpResponse<String> get(JunctionProcess junction, String path, String apiKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(junction.uri(path))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (apiKey != null) {
            b.header("authorization", "Bearer " + apiKey);
        }
        return send(b.build());
    }

    static HttpResponse<String> postJson(JunctionProcess junction, String path, String apiKey, String body) {
        return postJson(junction.uri(path), apiKey, body, Duration.ofSeconds(10));
    }

    static HttpResponse<String> postJson(URI uri, String apiKey, String body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header("authorization", "Bearer " + apiKey);
        }
        return send(b.build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return RAW.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
