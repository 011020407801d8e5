package io.junction.core.transport;

import io.junction.core.error.GatewayException;
import io.netty.buffer.ByteBuf;

/**
 * Receives one upstream exchange's events, always on the event loop the exchange was opened on,
 * in order: {@code onHeaders}, zero or more {@code onBody}, then exactly one of {@code onEnd} or
 * {@code onError} (never both, never twice).
 */
public interface ExchangeListener {

    void onHeaders(int status, UpstreamHeaders headers);

    /** A piece of the body. Borrowed: valid only during the call; retain or copy to keep it. */
    void onBody(ByteBuf content);

    void onEnd();

    /** Connect failure, timeout, reset, or a protocol error; the exchange is over. */
    void onError(GatewayException error);
}
