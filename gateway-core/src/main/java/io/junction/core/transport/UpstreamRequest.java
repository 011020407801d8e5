package io.junction.core.transport;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One HTTP request to a provider, fully built by an adapter: URL, headers (auth included) and body.
 *
 * @param content the body: bytes, or a value the transport writes as JSON when it sends ({@link UpstreamBody})
 * @param stream whether the response is an event stream, read with demand-driven backpressure
 * @param connectTimeout TCP (and TLS) connect deadline
 * @param readTimeout longest silence from the upstream while Junction is waiting for bytes
 */
public record UpstreamRequest(
        String method,
        URI uri,
        Map<String, String> headers,
        UpstreamBody content,
        boolean stream,
        Duration connectTimeout,
        Duration readTimeout) {

    /** A request whose body is these bytes. */
    public UpstreamRequest(
            String method,
            URI uri,
            Map<String, String> headers,
            byte[] body,
            boolean stream,
            Duration connectTimeout,
            Duration readTimeout) {
        this(method, uri, headers, UpstreamBody.of(body), stream, connectTimeout, readTimeout);
    }

    /** The body's bytes (a JSON body is written anew on each call; the transport writes it into its buffer instead). */
    public byte[] body() {
        return content.bytes();
    }

    @Override
    public String toString() {
        // headers carry credentials and the body the prompt: never print them
        return "UpstreamRequest[" + method + " " + uri + ", stream=" + stream + ", " + content + "]";
    }
}
