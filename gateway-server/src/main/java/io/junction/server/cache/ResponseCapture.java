package io.junction.server.cache;

import io.junction.core.cache.CachedAnswer;
import io.junction.core.cache.StreamAssembler;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Usage;
import io.junction.core.spi.Target;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a fresh answer under the request's cache key — only a complete success: a 200 whose every
 * choice has a finish reason; for a stream, one that ended normally (never one cut or failed), as
 * assembled from the chunks the client received. Confined to the call's event loop.
 */
public final class ResponseCapture {
    private static final Logger log = LoggerFactory.getLogger(ResponseCapture.class);

    private final CachePlan plan;
    private final StreamAssembler assembler;

    public ResponseCapture(CachePlan plan, boolean stream) {
        this.plan = plan;
        this.assembler = stream ? new StreamAssembler() : null;
    }

    /** One chunk sent to the client. */
    public void chunk(ChatChunk chunk) {
        if (assembler != null) {
            assembler.add(chunk);
        }
    }

    /** A non-streamed answer was sent; {@code usage} is what it was billed (the provider's or estimated). */
    public void response(ChatResponse response, Usage usage, Target target) {
        if (response.choices() == null || response.choices().isEmpty()) {
            return;
        }
        for (ChatResponse.Choice c : response.choices()) {
            if (c.finishReason() == null || c.message() == null) {
                return;
            }
        }
        put(
                new ChatResponse(
                        response.id(),
                        "chat.completion",
                        response.created(),
                        response.model(),
                        response.choices(),
                        response.usage() != null ? response.usage() : usage,
                        response.systemFingerprint(),
                        response.serviceTier(),
                        null,
                        response.extra()),
                target);
    }

    /**
     * The stream ended normally. {@code usage} is the provider's (it is asked for on every stream
     * even when the client did not want the chunk), else {@code estimate} is called.
     */
    public void streamEnded(Usage usage, Supplier<Usage> estimate, Target target) {
        if (assembler == null) {
            return;
        }
        ChatResponse r = assembler.build(usage);
        if (r == null) {
            return; // incomplete, too long or with logprobs: not stored
        }
        if (r.usage() == null) {
            r = new ChatResponse(
                    r.id(),
                    r.object(),
                    r.created(),
                    r.model(),
                    r.choices(),
                    estimate.get(),
                    r.systemFingerprint(),
                    r.serviceTier(),
                    null,
                    r.extra());
        }
        put(r, target);
    }

    private void put(ChatResponse response, Target target) {
        if (target == null || plan.key() == null) {
            return;
        }
        try {
            plan.service()
                    .store()
                    .put(
                            plan.key(),
                            new CachedAnswer(
                                    response, target.provider().name(), target.model(), System.currentTimeMillis()));
        } catch (RuntimeException e) {
            log.warn("response cache: storing an answer failed: {}", e.toString());
        }
    }
}
