package io.junction.provider.mock;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.StreamOptions;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.junction.provider.openai.OpenAiAdapter;
import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The built-in {@code mock} provider: answers in-process, with no network and no API key, in the
 * OpenAI wire format, so it runs through the same decode and relay path as a real provider.
 *
 * <p>Options: {@code first_token_delay_ms}, {@code chunk_delay_ms} (pacing of streamed words), and
 * {@code fail_status} (answer every request with that HTTP status, to demonstrate failover).
 */
public final class MockAdapter implements ProviderAdapter {
    static final String FIRST_TOKEN_DELAY = "first_token_delay_ms";
    static final String CHUNK_DELAY = "chunk_delay_ms";
    static final String FAIL_STATUS = "fail_status";

    private final OpenAiAdapter openai = new OpenAiAdapter();
    private final MockTransport transport = new MockTransport();

    @Override
    public String type() {
        return "mock";
    }

    @Override
    public Set<String> optionKeys() {
        return Set.of(FIRST_TOKEN_DELAY, CHUNK_DELAY, FAIL_STATUS);
    }

    @Override
    public void validate(ProviderSpec spec) {
        for (String key : optionKeys()) {
            long v;
            try {
                v = spec.longOption(key, 0);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": expected a whole number");
            }
            if (v < 0) {
                throw new IllegalArgumentException(key + ": must not be negative");
            }
        }
        long status = spec.longOption(FAIL_STATUS, 0);
        if (status != 0 && (status < 400 || status > 599)) {
            throw new IllegalArgumentException(FAIL_STATUS + ": expected an HTTP error status (400-599)");
        }
    }

    @Override
    public UpstreamRequest encode(ChatRequest request, Target target) {
        ProviderSpec spec = target.provider().spec();
        ChatRequest body = request.isStream()
                ? request.withStreamOptions(StreamOptions.includingUsage(request.streamOptions()))
                : request;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(FIRST_TOKEN_DELAY, Long.toString(spec.longOption(FIRST_TOKEN_DELAY, 0)));
        headers.put(CHUNK_DELAY, Long.toString(spec.longOption(CHUNK_DELAY, 0)));
        headers.put(FAIL_STATUS, Long.toString(spec.longOption(FAIL_STATUS, 0)));
        return new UpstreamRequest(
                "POST",
                URI.create("mock://" + target.provider().name() + "/v1/chat/completions"),
                headers,
                Json.upstreamBytes(body),
                request.isStream(),
                Duration.ofMillis(spec.connectTimeoutMs()),
                Duration.ofMillis(spec.readTimeoutMs()));
    }

    @Override
    public ChatResponse decodeResponse(ByteBuf body, Target target) {
        return openai.decodeResponse(body, target);
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        return openai.newStreamDecoder(request, target);
    }

    @Override
    public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        return openai.decodeError(status, headers, body, target);
    }

    @Override
    public UpstreamTransport transport(UpstreamTransport network) {
        return transport;
    }
}
