package io.junction.core.spi;

import io.netty.buffer.ByteBuf;

/**
 * Turns a provider's streamed body into OpenAI chunks. One instance per call; not thread-safe.
 *
 * <p>Implementations keep partial lines and frames between calls, so any split of the body into
 * {@code decode} calls yields the same chunks.
 */
public interface StreamDecoder {

    /** Decodes what it can from {@code in}; does not take ownership of {@code in}. */
    void decode(ByteBuf in, StreamSink sink);

    /** The upstream body ended; flush anything pending. */
    void finish(StreamSink sink);
}
