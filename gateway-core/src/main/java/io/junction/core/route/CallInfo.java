package io.junction.core.route;

import io.junction.core.schema.Usage;
import io.junction.core.spi.Target;
import java.util.ArrayList;
import java.util.List;

/** Mutable facts about one routed call, confined to its event loop. */
public final class CallInfo {
    final String requestedModel;
    final long startNanos;
    final List<Attempt> attempts = new ArrayList<>(2);
    Target target;
    long firstChunkNanos;
    long attemptStartNanos;
    Usage usage;
    String finishReason;
    boolean committed;
    long overheadNanos;

    CallInfo(String requestedModel, long startNanos) {
        this.requestedModel = requestedModel;
        this.startNanos = startNanos;
    }

    public String requestedModel() {
        return requestedModel;
    }

    /** The target of the current (or last) attempt; null before the first. */
    public Target target() {
        return target;
    }

    public List<Attempt> attempts() {
        return attempts;
    }

    public long startNanos() {
        return startNanos;
    }

    /** When the current (or last) attempt started. */
    public long attemptStartNanos() {
        return attemptStartNanos;
    }

    /** When the first chunk reached the client; 0 if none yet. */
    public long firstChunkNanos() {
        return firstChunkNanos;
    }

    /** Usage as the provider reported it; null if it has not (yet). */
    public Usage usage() {
        return usage;
    }

    public String finishReason() {
        return finishReason;
    }

    /**
     * Time spent inside Junction on this call's behalf so far, on the event loop: encoding and
     * opening each attempt's upstream request, and decoding each piece of upstream body (for streams
     * that includes re-encoding and writing the chunks it held to the client). Upstream waits are
     * not included.
     */
    public long overheadNanos() {
        return overheadNanos;
    }

    /** True once bytes of a streamed answer went to the client: no failover after that point. */
    public boolean committed() {
        return committed;
    }
}
