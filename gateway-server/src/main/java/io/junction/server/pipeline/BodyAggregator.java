package io.junction.server.pipeline;

import io.junction.core.error.GatewayException;
import io.junction.server.http.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

/** Aggregates request bodies up to the configured limit; a bigger body gets an OpenAI-style 413. */
final class BodyAggregator extends HttpObjectAggregator {
    private final long limit;

    BodyAggregator(int maxBytes) {
        super(maxBytes, true);
        this.limit = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest req) {
            String id = HttpResponses.requestId(req.headers().get(HttpResponses.REQUEST_ID));
            HttpResponses.errorAndClose(
                    ctx,
                    new GatewayException(
                            413,
                            "invalid_request_error",
                            "request_too_large",
                            null,
                            "The request body is larger than the limit of " + limit + " bytes (server.max_body_bytes).",
                            false),
                    id);
        } else {
            ctx.close();
        }
    }
}
