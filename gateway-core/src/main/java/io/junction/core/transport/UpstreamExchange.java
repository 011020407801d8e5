package io.junction.core.transport;

/**
 * A running upstream exchange. Reading is driven by demand: after {@code onHeaders} and each
 * {@code onBody}, the transport delivers nothing more until {@link #request()} is called. A consumer
 * that stops calling it (a slow client) makes TCP push back on the provider.
 */
public interface UpstreamExchange {

    /** Ask for the next piece of the response. Idempotent until something is delivered. */
    void request();

    /** Abort: the connection is closed, never returned to a pool; no further events are delivered. */
    void cancel();
}
