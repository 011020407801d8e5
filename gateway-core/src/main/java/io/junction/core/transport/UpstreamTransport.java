package io.junction.core.transport;

import io.netty.util.concurrent.EventExecutor;

/** Opens HTTP exchanges with providers. The server's implementation is a pooled Netty client. */
public interface UpstreamTransport {

    /**
     * Starts sending {@code request}. Every listener callback runs on {@code executor}, which is the
     * event loop of the client connection that caused the call, so per-call state needs no locks.
     */
    UpstreamExchange open(UpstreamRequest request, EventExecutor executor, ExchangeListener listener);
}
