package io.junction.core.spi;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.netty.buffer.ByteBuf;

/** Where a {@link StreamDecoder} delivers what it decoded, in order. */
public interface StreamSink {

    /**
     * One OpenAI chunk. {@code rawJson}, when not null, is the chunk's exact OpenAI JSON as the
     * upstream sent it (pass-through providers); the sink owns it and must release it.
     */
    void onChunk(ChatChunk chunk, ByteBuf rawJson);

    /** The upstream reported an error inside the stream. */
    void onError(GatewayException error);

    /** The provider's end-of-stream marker ({@code [DONE]}, {@code message_stop}, ...). */
    void onDone();
}
