package io.junction.provider.cohere;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Cohere's v2 Chat API ({@code POST /v2/chat}), translated both ways: OpenAI chat requests become
 * Cohere chat requests, Cohere responses and event streams become chat completions and chunks, Cohere
 * errors become OpenAI errors. What is translated, and what is dropped, is listed in
 * {@code docs/providers.md}.
 *
 * <p>Option: {@code client_name}, sent as the {@code X-Client-Name} header.
 */
public final class CohereAdapter implements ProviderAdapter {
    public static final String DEFAULT_BASE_URL = "https://api.cohere.com";

    static final String CLIENT_NAME = "client_name";

    private final LongSupplier epochSeconds;

    public CohereAdapter() {
        this(() -> Instant.now().getEpochSecond());
    }

    /** For tests: a fixed clock for {@code created}. */
    CohereAdapter(LongSupplier epochSeconds) {
        this.epochSeconds = epochSeconds;
    }

    @Override
    public String type() {
        return "cohere";
    }

    @Override
    public Set<String> optionKeys() {
        return Set.of(CLIENT_NAME);
    }

    @Override
    public void validate(ProviderSpec spec) {
        Object name = spec.options().get(CLIENT_NAME);
        if (name != null && (!(name instanceof String s) || s.isBlank())) {
            throw new IllegalArgumentException(CLIENT_NAME + ": expected a non-empty string");
        }
    }

    @Override
    public UpstreamRequest encode(ChatRequest request, Target target) {
        ProviderSpec spec = target.provider().spec();
        byte[] body = Json.bytes(CohereRequestEncoder.encode(request));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("accept", request.isStream() ? "text/event-stream" : "application/json");
        if (spec.apiKey() != null && !spec.apiKey().isEmpty()) {
            headers.put("authorization", "Bearer " + spec.apiKey());
        }
        String clientName = spec.stringOption(CLIENT_NAME, null);
        if (clientName != null) {
            headers.put("x-client-name", clientName);
        }
        headers.putAll(spec.headers());
        return new UpstreamRequest(
                "POST",
                chatUri(spec),
                headers,
                body,
                request.isStream(),
                Duration.ofMillis(spec.connectTimeoutMs()),
                Duration.ofMillis(spec.readTimeoutMs()));
    }

    /** {@code base_url} is the API root; a base that already ends in {@code /v2} is accepted too. */
    static URI chatUri(ProviderSpec spec) {
        String base = spec.baseUrl() == null || spec.baseUrl().isBlank()
                ? DEFAULT_BASE_URL
                : spec.baseUrl().trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + (base.endsWith("/v2") ? "/chat" : "/v2/chat"));
    }

    @Override
    public ChatResponse decodeResponse(ByteBuf body, Target target) {
        return CohereResponses.decode(body, target, epochSeconds.getAsLong());
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        return new CohereStreamDecoder(target, epochSeconds.getAsLong());
    }

    @Override
    public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        return CohereErrors.decode(status, headers, body, target);
    }
}
