package io.junction.provider.azure;

import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.spi.StreamDecoder;
import io.junction.core.spi.StreamSink;
import io.junction.core.spi.Target;
import io.junction.provider.openai.OpenAiAdapter;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Azure OpenAI: the OpenAI Chat Completions format on a resource endpoint, with Azure's URL forms
 * and credentials. Everything else is {@link OpenAiAdapter}'s: requests pass through, responses and
 * streams are relayed as sent, errors keep Azure's message and code.
 *
 * <p>URL forms ({@code api_style}): {@code deployments} (default) calls
 * {@code <base>/openai/deployments/<deployment>/chat/completions?api-version=<api_version>}, where the
 * model part of {@code azure/<deployment>} names the deployment; {@code v1} calls
 * {@code <base>/openai/v1/chat/completions} with the deployment as {@code model} in the body.
 *
 * <p>Streams: Azure's first chunk can be an annotation with {@code choices: []}, no usage, an empty
 * id and model and {@code prompt_filter_results}. It carries nothing an OpenAI client can use and
 * breaks OpenAI's chunk schema ({@code object: ""}), so it is dropped here: it neither reaches the
 * client nor commits the stream (an error right after it can still fail over).
 */
public final class AzureAdapter extends OpenAiAdapter {

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public Set<String> optionKeys() {
        return AzureOptions.KEYS;
    }

    @Override
    public void validate(ProviderSpec spec) {
        AzureOptions.of(spec);
    }

    @Override
    protected String defaultBaseUrl(ProviderSpec spec) {
        throw new IllegalArgumentException("base_url: required for type azure");
    }

    @Override
    protected URI chatCompletionsUri(ChatRequest request, Target target) {
        ProviderSpec spec = target.provider().spec();
        AzureOptions options = AzureOptions.of(spec);
        String base = spec.baseUrl().trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        // accept the resource endpoint, or one that already names /openai or /openai/v1
        if (base.endsWith("/openai/v1")) {
            base = base.substring(0, base.length() - "/v1".length());
        }
        if (!base.endsWith("/openai")) {
            base = base + "/openai";
        }
        StringBuilder url = new StringBuilder(base);
        if (options.style() == AzureOptions.Style.V1) {
            url.append("/v1/chat/completions");
        } else {
            url.append("/deployments/").append(encode(target.model())).append("/chat/completions");
        }
        if (options.apiVersion() != null) {
            url.append("?api-version=").append(encode(options.apiVersion()));
        }
        return URI.create(url.toString());
    }

    @Override
    protected void authHeaders(Map<String, String> headers, ProviderSpec spec) {
        AzureOptions options = AzureOptions.of(spec);
        if (options.token() == null) {
            return;
        }
        if (options.entra()) {
            headers.put("authorization", "Bearer " + options.token());
        } else {
            headers.put("api-key", options.token());
        }
    }

    @Override
    public StreamDecoder newStreamDecoder(ChatRequest request, Target target) {
        StreamDecoder relay = super.newStreamDecoder(request, target);
        return new StreamDecoder() {
            @Override
            public void decode(ByteBuf in, StreamSink sink) {
                relay.decode(in, new AnnotationFilter(sink));
            }

            @Override
            public void finish(StreamSink sink) {
                relay.finish(new AnnotationFilter(sink));
            }
        };
    }

    /** Drops chunks with neither a choice nor usage (Azure's prompt_filter_results annotation). */
    private record AnnotationFilter(StreamSink sink) implements StreamSink {
        @Override
        public void onChunk(ChatChunk chunk, ByteBuf rawJson) {
            if (chunk.choices().isEmpty() && chunk.usage() == null) {
                ReferenceCountUtil.release(rawJson);
                return;
            }
            sink.onChunk(chunk, rawJson);
        }

        @Override
        public void onError(GatewayException error) {
            sink.onError(error);
        }

        @Override
        public void onDone() {
            sink.onDone();
        }
    }

    /** Percent-encodes a URL path segment or query value (RFC 3986 unreserved characters stay). */
    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
