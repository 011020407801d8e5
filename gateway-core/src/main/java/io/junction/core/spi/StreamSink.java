package io.junction.core.spi;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.stream.PassThroughChunk;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Where a {@link StreamDecoder} delivers what it decoded, in order. */
public interface StreamSink {

    /**
     * One OpenAI chunk. {@code rawJson}, when not null, is the chunk's exact OpenAI JSON as the
     * upstream sent it (pass-through providers); the sink owns it and must release it.
     */
    void onChunk(ChatChunk chunk, ByteBuf rawJson);

    /**
     * One plain OpenAI chunk relayed as sent, described without its object graph (pass-through
     * decoders). Valid only during this call. By default parsed and copied into {@link #onChunk}.
     */
    default void onPassThrough(PassThroughChunk chunk) {
        onChunk(chunk.chunk(), Unpooled.wrappedBuffer(chunk.copyBytes()));
    }

    /** The upstream reported an error inside the stream. */
    void onError(GatewayException error);

    /** The provider's end-of-stream marker ({@code [DONE]}, {@code message_stop}, ...). */
    void onDone();
}
