package io.junction.provider.anthropic;

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
 * The Anthropic Messages API ({@code POST /v1/messages}), translated both ways: OpenAI chat requests
 * become Messages requests, Messages responses and event streams become chat completions and chunks,
 * Anthropic errors become OpenAI errors. What is translated, and what is dropped, is listed in
 * {@code docs/providers.md}.
 *
 * <p>Options: {@code anthropic_version}, {@code default_max_tokens}, {@code thinking_budgets},
 * {@code anthropic_beta} (see {@link AnthropicOptions}).
 */
public final class AnthropicAdapter implements ProviderAdapter {
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";

    private final LongSupplier epochSeconds;

    public AnthropicAdapter() {
        this(() -> Instant.now().getEpochSecond());
    }

    /** For tests: a fixed clock for {@code created}. */
    AnthropicAdapter(LongSupplier epochSeconds) {
        this.epochSeconds = epochSeconds;
    }

    @Override
    public String type() {
        return "anthropic";
    }

    @Override
    public Set<String> optionKeys() {
        return AnthropicOptions.KEYS;
    }

    @Override
    public void validate(ProviderSpec spec) {
        AnthropicOptions.of(spec);
    }

    @Override
    public UpstreamRequest encode(ChatRequest request, Target target) {
        ProviderSpec spec = target.provider().spec();
        AnthropicOptions options = AnthropicOptions.of(spec);
        byte[] body = Json.bytes(AnthropicRequestEncoder.encode(request, options));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("accept", request.isStream() ? "text/event-stream" : "application/json");
        if (spec.apiKey() != null && !spec.apiKey().isEmpty()) {
            headers.put("x-api-key", spec.apiKey());
        }
        headers.put("anthropic-version", options.version());
        if (options.beta() != null) {
            headers.put("anthropic-beta", options.beta());
        }
        headers.putAll(spec.headers());
        return new UpstreamRequest(
                "POST",
                messagesUri(spec),
                headers,
                body,
                request.isStream(),
                Duration.ofMillis(spec.connectTimeoutMs()),
                Duration.ofMillis(spec.readTimeoutMs()));
    }

    /** {@code base_url} is the API root; a base that already ends in {@code /v1} is accepted too. */
    static URI messagesUri(ProviderSpec spec) {
        String base = spec.baseUrl() == null || spec.baseUrl().isBlank()
                ? DEFAULT_BASE_URL
                : spec.baseUrl().trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + (base.endsWith("/v1") ? "/messages" : "/v1/messages"));
    }

    @Override
    public ChatResponse decodeResponse(ByteBuf body, Target target) {
        return AnthropicResponses.decode(body, target, epochSeconds.getAsLong());
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        return new AnthropicStreamDecoder(target, epochSeconds.getAsLong());
    }

    @Override
    public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        return AnthropicErrors.decode(status, headers, body, target);
    }
}
