package io.junction.core.spi;

import io.junction.core.config.CapabilitiesSpec;
import io.junction.core.config.ProviderSpec;
import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ChatResponse;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.netty.buffer.ByteBuf;
import java.util.Set;

/**
 * Translation between the unified (OpenAI) schema and one provider's wire format. One implementation
 * per config {@code type}, found with {@link java.util.ServiceLoader}. Stateless, thread-safe, and
 * does no I/O: every method is a pure function, tested with golden files.
 */
public interface ProviderAdapter {

    /** The config {@code type:} this adapter serves, e.g. {@code "openai"}. */
    String type();

    /** Provider-specific config keys this type accepts besides the common ones. */
    default Set<String> optionKeys() {
        return Set.of();
    }

    /** Checks type-specific settings at config load; throws IllegalArgumentException with a clear message. */
    default void validate(ProviderSpec spec) {}

    /**
     * What {@code model} can do, as far as this type knows; the config's {@code capabilities} override
     * it. The default claims everything and an unknown context window.
     */
    default CapabilitiesSpec capabilities(String model) {
        return CapabilitiesSpec.ALL;
    }

    /** Builds the upstream HTTP request for {@code request} (model already set to the target's model). */
    UpstreamRequest encode(ChatRequest request, Target target);

    /** Decodes a successful non-streamed body; malformed input is a 502 {@link GatewayException}. */
    ChatResponse decodeResponse(ByteBuf body, Target target);

    /**
     * Decodes knowing the request that produced the answer, for formats where the answer's meaning
     * depends on what was asked (e.g. JSON mode carried by a forced tool). The router calls this one;
     * the default ignores the request.
     */
    default ChatResponse decodeResponse(ByteBuf body, ChatRequest request, Target target) {
        return decodeResponse(body, target);
    }

    /**
     * Whether a successful non-streamed body is already an OpenAI {@code chat.completion} that the
     * client may receive as sent (after {@link #decodeResponse} accepted it; Junction adds only
     * {@code extra_fields}). False by default: the decoded response is re-encoded.
     */
    default boolean forwardsResponseBody(Target target) {
        return false;
    }

    /** A fresh decoder for one streamed response. */
    StreamDecoder newStreamDecoder(ChatRequest request, Target target);

    /** Maps an upstream error status and body to an OpenAI-style error, keeping the upstream's message. */
    GatewayException decodeError(int status, UpstreamHeaders headers, ByteBuf body, Target target);

    /** The transport to send with; the built-in mock answers in-process instead of over the network. */
    default UpstreamTransport transport(UpstreamTransport network) {
        return network;
    }
}
