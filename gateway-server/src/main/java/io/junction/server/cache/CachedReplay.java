package io.junction.server.cache;

import io.junction.core.cache.CachedAnswer;
import io.junction.core.cache.Replay;
import io.junction.core.schema.ChatChunk;
import io.junction.core.schema.ChatRequest;
import io.junction.core.schema.ExtraFields;
import io.junction.core.schema.Json;
import io.junction.server.http.FlatHttpHeaders;
import io.junction.server.http.HttpResponses;
import io.junction.server.http.SseWriter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Writes a cache hit to the client: the stored answer as JSON for a non-streamed request, or as an
 * OpenAI SSE stream (chunks, the usage chunk when {@code stream_options.include_usage}, then
 * {@code data: [DONE]}) for a streamed one — whichever way the answer was first produced. Fresh
 * {@code id} and {@code created}; the content is the stored one. Headers: {@code x-junction-cache: HIT},
 * the provider and model that produced the answer, {@code x-junction-attempts: 0}.
 */
public final class CachedReplay {
    private CachedReplay() {}

    public static final String HEADER = "x-junction-cache";

    /**
     * Writes the whole answer and flushes; {@code extra} is null when extra fields are off;
     * {@code moreHeaders} adds the caller's headers (the admission's rate-limit headers).
     */
    public static void write(
            ChannelHandlerContext ctx,
            ChatRequest request,
            CachedAnswer answer,
            String requestId,
            ExtraFields extra,
            String costHeader,
            String overheadHeader,
            long overheadUs,
            Consumer<HttpHeaders> moreHeaders) {
        String id = newId();
        long created = System.currentTimeMillis() / 1000;
        if (!request.isStream()) {
            byte[] body = Json.bytes(Replay.response(answer.response(), id, created, extra));
            FullHttpResponse r = HttpResponses.json(200, body, requestId);
            headers(r.headers(), answer);
            moreHeaders.accept(r.headers());
            r.headers().set(costHeader, "0");
            r.headers().set(overheadHeader, Long.toString(overheadUs));
            ctx.writeAndFlush(r);
            return;
        }
        HttpResponse r =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, FlatHttpHeaders.headersFactory());
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.EVENT_STREAM);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set("x-accel-buffering", "no");
        h.set(HttpResponses.REQUEST_ID, requestId);
        headers(h, answer);
        moreHeaders.accept(h);
        SseWriter sse = new SseWriter(ctx);
        sse.head(r);
        List<ChatChunk> chunks = Replay.chunks(answer.response(), id, created, request.includeUsage(), extra);
        for (ChatChunk c : chunks) {
            sse.event(c, false);
        }
        sse.done();
    }

    private static void headers(HttpHeaders h, CachedAnswer answer) {
        h.set(HEADER, CacheService.HIT);
        if (answer.provider() != null) {
            h.set("x-junction-provider", answer.provider());
        }
        if (answer.model() != null) {
            h.set("x-junction-model", answer.model());
        }
        h.set("x-junction-attempts", "0");
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
        StringBuilder sb = new StringBuilder("chatcmpl-");
        for (int i = 0; i < 24; i++) {
            sb.append(alphabet[r.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }
}
