package io.junction.provider.gemini;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Google Gemini API (Generative Language API: {@code models/{model}:generateContent} and
 * {@code :streamGenerateContent?alt=sse}), translated both ways: OpenAI chat requests become
 * {@code GenerateContentRequest}s, responses and SSE streams become chat completions and chunks,
 * Google errors become OpenAI errors. What is translated, and what is dropped, is listed in
 * {@code docs/providers.md}.
 *
 * <p>Options: {@code api_version}, {@code thinking_budgets}, {@code schema_mode},
 * {@code safety_settings}, {@code thought_signature_placeholder} (see {@link GeminiOptions}).
 */
public final class GeminiAdapter implements ProviderAdapter {
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

    private final LongSupplier epochSeconds;
    private final Supplier<String> ids;

    public GeminiAdapter() {
        this(
                () -> Instant.now().getEpochSecond(),
                () -> UUID.randomUUID().toString().replace("-", ""));
    }

    /**
     * For tests: a fixed clock for {@code created}, and the source of the ids used when Gemini sends
     * no {@code responseId}.
     */
    GeminiAdapter(LongSupplier epochSeconds, Supplier<String> ids) {
        this.epochSeconds = epochSeconds;
        this.ids = ids;
    }

    @Override
    public String type() {
        return "gemini";
    }

    @Override
    public Set<String> optionKeys() {
        return GeminiOptions.KEYS;
    }

    @Override
    public void validate(ProviderSpec spec) {
        GeminiOptions.of(spec);
    }

    @Override
    public UpstreamRequest encode(ChatRequest request, Target target) {
        ProviderSpec spec = target.provider().spec();
        GeminiOptions options = GeminiOptions.of(spec);
        byte[] body = Json.bytes(GeminiRequestEncoder.encode(request, options));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("accept", request.isStream() ? "text/event-stream" : "application/json");
        if (spec.apiKey() != null && !spec.apiKey().isEmpty()) {
            headers.put("x-goog-api-key", spec.apiKey());
        }
        headers.putAll(spec.headers());
        String model = request.model() != null ? request.model() : target.model();
        return new UpstreamRequest(
                "POST",
                uri(spec, options.apiVersion(), model, request.isStream()),
                headers,
                body,
                request.isStream(),
                Duration.ofMillis(spec.connectTimeoutMs()),
                Duration.ofMillis(spec.readTimeoutMs()));
    }

    /**
     * {@code <base_url>/<api_version>/models/<model>:generateContent}, or
     * {@code :streamGenerateContent?alt=sse}. {@code base_url} is the API root; a base that already
     * ends in the API version is accepted too. A model given as {@code models/...} or
     * {@code tunedModels/...} keeps its collection.
     */
    static URI uri(ProviderSpec spec, String apiVersion, String model, boolean stream) {
        String base = spec.baseUrl() == null || spec.baseUrl().isBlank()
                ? DEFAULT_BASE_URL
                : spec.baseUrl().trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (!base.endsWith("/" + apiVersion)) {
            base = base + "/" + apiVersion;
        }
        String name = model.startsWith("models/") || model.startsWith("tunedModels/") ? model : "models/" + model;
        return URI.create(
                base + "/" + encodePath(name) + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
    }

    /** Percent-encodes what may not stand in a URL path (model names normally need nothing). */
    private static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~'
                    || c == '/') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    @Override
    public ChatResponse decodeResponse(ByteBuf body, Target target) {
        return GeminiResponses.decode(body, target, epochSeconds.getAsLong(), ids.get());
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        int n = request.n() == null ? 1 : request.n();
        return new GeminiStreamDecoder(target, epochSeconds.getAsLong(), n, ids.get());
    }

    @Override
    public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        return GeminiErrors.decode(status, headers, body, target);
    }
}
