package io.junction.core.route;

import io.junction.core.error.GatewayException;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.ForwardedAnswer;
import io.junction.core.stream.PassThroughChunk;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The client side of a {@link RoutedCall}: the server implements it to write the HTTP response.
 * Called on the call's event loop. Exactly one terminal callback ({@code onResponse},
 * {@code onStreamEnd} or {@code onFailure}) is made, unless the call was cancelled.
 */
public interface CallListener {

    /** A complete non-streamed answer. */
    void onResponse(ChatResponse response, CallInfo info);

    /**
     * A complete non-streamed answer whose upstream body is already in the OpenAI format: {@code
     * rawJson} is that body exactly as received (see {@link
     * io.junction.core.spi.ProviderAdapter#forwardsResponseBody}), owned by the listener, which may
     * send it instead of re-encoding {@code response}. By default it is released and {@link
     * #onResponse(ChatResponse, CallInfo)} is called.
     */
    default void onResponse(ChatResponse response, ByteBuf rawJson, CallInfo info) {
        rawJson.release();
        onResponse(response, info);
    }

    /**
     * Whether this listener reads the whole parsed answer (to store it in a cache, to log its text):
     * then every non-streamed answer is parsed into a {@link ChatResponse}. A listener that returns
     * false may get {@link #onForwarded} instead of {@link #onResponse(ChatResponse, ByteBuf,
     * CallInfo)} for an answer in the OpenAI format. Asked when the answer is complete.
     */
    default boolean readsWholeAnswer() {
        return true;
    }

    /**
     * A complete non-streamed answer in the OpenAI format, described by {@code answer} (model, usage,
     * finish reason; see {@link ForwardedAnswer}) instead of parsed: made only when {@link
     * #readsWholeAnswer()} is false and the body passed {@link ForwardedAnswer#scan}. {@code rawJson}
     * is the body exactly as received, owned by the listener. By default it is parsed with {@code
     * info}'s adapter and passed to {@link #onResponse(ChatResponse, ByteBuf, CallInfo)}.
     */
    default void onForwarded(ForwardedAnswer answer, ByteBuf rawJson, CallInfo info) {
        ChatResponse response;
        try {
            response = info.target().adapter().decodeResponse(rawJson, info.target());
        } catch (RuntimeException e) {
            rawJson.release();
            throw e;
        }
        onResponse(response, rawJson, info);
    }

    /** The stream's first chunk is about to be delivered: send the response headers now. */
    void onStreamStart(CallInfo info);

    /** One chunk; {@code rawJson} (nullable) is the upstream's exact JSON for it, owned by the listener. */
    void onChunk(ChatChunk chunk, ByteBuf rawJson, CallInfo info);

    /**
     * One plain pass-through chunk (see {@link PassThroughChunk}), valid only during this call. By
     * default parsed and copied into {@link #onChunk}; a listener that only frames the upstream bytes
     * overrides it and builds no {@code ChatChunk}.
     */
    default void onPassThrough(PassThroughChunk chunk, CallInfo info) {
        onChunk(chunk.chunk(), Unpooled.wrappedBuffer(chunk.copyBytes()), info);
    }

    /** The stream completed normally. */
    void onStreamEnd(CallInfo info);

    /** The call failed; if {@code info.committed()}, the stream already started and must end with an error event. */
    void onFailure(GatewayException error, CallInfo info);

    /**
     * A stream is still waiting for its first token: send the response headers if not yet sent, and
     * an SSE comment, so proxies between Junction and the client do not time the connection out.
     * The call may still fail over after this; a later failure before the first chunk then has to be
     * reported as an SSE error event, since the status line is gone.
     */
    default void onKeepAlive(CallInfo info) {}

    /** Whether the client can take more now; when false the call stops reading upstream until resumed. */
    boolean clientWritable();
}
