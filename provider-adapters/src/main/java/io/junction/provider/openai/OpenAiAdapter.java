package io.junction.provider.openai;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Json;
import io.junction.core.schema.StreamOptions;
import io.junction.core.spi.ProviderAdapter;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.Target;
import io.junction.core.transport.UpstreamBody;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAI Chat Completions API, and the base of every OpenAI-compatible provider.
 *
 * <p>Requests pass through: every OpenAI parameter and any unknown top-level field the client sent
 * is forwarded; only Junction's own extension fields are dropped. Streams are relayed byte for byte.
 * For streams Junction always asks for {@code stream_options.include_usage}, so usage is known even
 * when the client did not ask; the router drops that chunk again for such clients.
 */
public class OpenAiAdapter implements ProviderAdapter {
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    @Override
    public String type() {
        return "openai";
    }

    @Override
    public Set<String> optionKeys() {
        return Set.of("organization", "project");
    }

    /** Base URL when the config gives none. */
    protected String defaultBaseUrl(ProviderSpec spec) {
        return DEFAULT_BASE_URL;
    }

    @Override
    public UpstreamRequest encode(ChatRequest request, Target target) {
        ProviderSpec spec = target.provider().spec();
        ChatRequest body = request;
        if (request.isStream() && includeUsageUpstream(target)) {
            body = request.withStreamOptions(StreamOptions.includingUsage(request.streamOptions()));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("accept", request.isStream() ? "text/event-stream" : "application/json");
        authHeaders(headers, spec);
        String org = spec.stringOption("organization", null);
        if (org != null) {
            headers.put("openai-organization", org);
        }
        String project = spec.stringOption("project", null);
        if (project != null) {
            headers.put("openai-project", project);
        }
        headers.putAll(spec.headers());
        return new UpstreamRequest(
                "POST",
                chatCompletionsUri(request, target),
                headers,
                requestBody(body, target),
                request.isStream(),
                Duration.ofMillis(spec.connectTimeoutMs()),
                Duration.ofMillis(spec.readTimeoutMs()));
    }

    // ---- hooks for OpenAI-compatible subclasses (Azure, presets); the defaults are OpenAI's behaviour ----

    /** Parsed {@code <base_url>/chat/completions} per configured base URL: parsing a URI per request is waste. */
    private final ConcurrentHashMap<String, URI> chatCompletionsUris = new ConcurrentHashMap<>();

    /** Where the request goes: {@code <base_url>/chat/completions} by default. */
    protected URI chatCompletionsUri(ChatRequest request, Target target) {
        String base = baseUrl(target.provider().spec());
        URI uri = chatCompletionsUris.get(base);
        if (uri == null) {
            uri = URI.create(base + "/chat/completions");
            if (chatCompletionsUris.size() < 1024) { // bounded: keys are configured base URLs
                chatCompletionsUris.put(base, uri);
            }
        }
        return uri;
    }

    /** Adds the credential headers: {@code authorization: Bearer <api_key>} when a key is set, by default. */
    protected void authHeaders(Map<String, String> headers, ProviderSpec spec) {
        if (spec.apiKey() != null && !spec.apiKey().isEmpty()) {
            headers.put("authorization", "Bearer " + spec.apiKey());
        }
    }

    /**
     * Whether a streamed request asks the upstream for {@code stream_options.include_usage} (true by
     * default); false for servers that reject {@code stream_options}.
     */
    protected boolean includeUsageUpstream(Target target) {
        return true;
    }

    /**
     * The request body: the request without Junction's extension fields, by default, written as JSON
     * by the transport straight into its send buffer.
     */
    protected UpstreamBody requestBody(ChatRequest body, Target target) {
        return UpstreamBody.json(Json.UPSTREAM_WRITER, body);
    }

    protected final String baseUrl(ProviderSpec spec) {
        String base = spec.baseUrl() == null || spec.baseUrl().isBlank() ? defaultBaseUrl(spec) : spec.baseUrl();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public ChatResponse decodeResponse(ByteBuf body, Target target) {
        return decodeOpenAiResponse(body, target);
    }

    /** The body is an OpenAI {@code chat.completion} already: the client gets it as sent. */
    @Override
    public boolean forwardsResponseBody(Target target) {
        return true;
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        return new OpenAiStreamDecoder(target);
    }

    @Override
    public GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target) {
        return OpenAiErrors.decode(status, headers, body, target);
    }

    /** Parses an OpenAI-format {@code chat.completion} body. */
    public static ChatResponse decodeOpenAiResponse(ByteBuf body, Target target) {
        ChatResponse response;
        try {
            response = Json.MAPPER.readValue(
                    (java.io.InputStream) new ByteBufInputStream(body.duplicate()), ChatResponse.class);
        } catch (IOException e) {
            throw GatewayException.malformedUpstream(
                    target.provider().name(), "returned a body that is not a chat completion (invalid JSON)");
        }
        if (response == null || response.choices() == null) {
            throw GatewayException.malformedUpstream(
                    target.provider().name(), "returned a body that is not a chat completion (no 'choices')");
        }
        return response;
    }
}
