package io.junction.core.transport;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One HTTP request to a provider, fully built by an adapter: URL, headers (auth included) and body.
 *
 * @param stream whether the response is an event stream, read with demand-driven backpressure
 * @param connectTimeout TCP (and TLS) connect deadline
 * @param readTimeout longest silence from the upstream while Junction is waiting for bytes
 */
public record UpstreamRequest(
        String method,
        URI uri,
        Map<String, String> headers,
        byte[] body,
        boolean stream,
        Duration connectTimeout,
        Duration readTimeout) {

    @Override
    public String toString() {
        // headers carry credentials: never print them
        return "UpstreamRequest[" + method + " " + uri + ", stream=" + stream + ", " + body.length + " bytes]";
    }
}
