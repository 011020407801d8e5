package io.junction.provider.bedrock;

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
import io.junction.provider.bedrock.sigv4.SigV4Signer;
import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * AWS Bedrock's Converse and ConverseStream APIs ({@code POST /model/{modelId}/converse} and
 * {@code /converse-stream}), translated both ways. Requests are signed with SigV4 (service
 * {@code bedrock}), or carry a Bedrock API key as {@code Authorization: Bearer}. What is translated,
 * and what is dropped, is listed in {@code docs/providers.md}.
 *
 * <p>Options: {@code region}, {@code access_key_id}, {@code secret_access_key}, {@code session_token},
 * {@code default_max_tokens}, {@code thinking_budgets} (see {@link BedrockOptions}); the standard AWS
 * environment variables fill in what the options leave out.
 */
public final class BedrockAdapter implements ProviderAdapter {
    /** The SigV4 signing name of Bedrock Runtime (its endpoint prefix is {@code bedrock-runtime}). */
    static final String SIGNING_NAME = "bedrock";

    private final Clock clock;
    private final Function<String, String> env;
    private final Supplier<String> ids;

    public BedrockAdapter() {
        this(
                Clock.systemUTC(),
                System::getenv,
                () -> "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""));
    }

    /** For tests: a fixed clock (signing date and {@code created}), environment and response ids. */
    BedrockAdapter(Clock clock, Function<String, String> env, Supplier<String> ids) {
        this.clock = clock;
        this.env = env;
        this.ids = ids;
    }

    @Override
    public String type() {
        return "bedrock";
    }

    @Override
    public Set<String> optionKeys() {
        return BedrockOptions.KEYS;
    }

    @Override
    public void validate(ProviderSpec spec) {
        BedrockOptions.of(spec, env);
    }

    @Override
    public UpstreamRequest encode(ChatRequest request, Target target) {
        ProviderSpec spec = target.provider().spec();
        BedrockOptions options;
        try {
            options = BedrockOptions.of(spec, env);
        } catch (IllegalArgumentException e) {
            // e.g. credentials from the environment gone since config load: let the next target try
            throw new GatewayException(
                    500,
                    "api_error",
                    "provider_misconfigured",
                    null,
                    "Provider '" + target.provider().name() + "' is misconfigured: " + e.getMessage(),
                    true);
        }
        byte[] body = Json.bytes(BedrockRequestEncoder.encode(request, target.model(), options));
        URI uri = uri(options.baseUrl(), target.model(), request.isStream());

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        for (Map.Entry<String, String> h : spec.headers().entrySet()) {
            put(headers, h.getKey(), h.getValue());
        }
        if (options.bearerToken() != null) {
            put(headers, "authorization", "Bearer " + options.bearerToken());
        } else {
            SigV4Signer.Signed signed = new SigV4Signer(options.region(), SIGNING_NAME)
                    .sign("POST", uri, headers, body, options.credentials(), clock.instant());
            signed.headers().forEach((k, v) -> put(headers, k, v));
        }
        return new UpstreamRequest(
                "POST",
                uri,
                headers,
                body,
                request.isStream(),
                Duration.ofMillis(spec.connectTimeoutMs()),
                Duration.ofMillis(spec.readTimeoutMs()));
    }

    /** Sets a header, replacing one whose name differs only in case. */
    private static void put(Map<String, String> headers, String name, String value) {
        headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        headers.put(name, value);
    }

    /** {@code <base>/model/<modelId, percent-encoded as one segment>/converse[-stream]}. */
    static URI uri(String baseUrl, String modelId, boolean stream) {
        return URI.create(
                baseUrl + "/model/" + SigV4Signer.uriEncode(modelId) + (stream ? "/converse-stream" : "/converse"));
    }

    @Override
    public ChatResponse decodeResponse(ByteBuf body, Target target) {
        return BedrockResponses.decode(body, target, ids.get(), clock.instant().getEpochSecond());
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        return new BedrockStreamDecoder(target, ids.get(), clock.instant().getEpochSecond());
    }

    @Override
    public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        return BedrockErrors.decode(status, headers, body, target);
    }
}
