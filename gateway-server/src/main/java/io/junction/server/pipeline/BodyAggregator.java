package io.junction.server.pipeline;

import io.junction.core.error.GatewayException;
import io.junction.server.http.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/** Aggregates request bodies up to the configured limit; a bigger body gets an OpenAI-style 413. */
final class BodyAggregator extends HttpObjectAggregator {
    private final long limit;

    BodyAggregator(int maxBytes) {
        super(maxBytes, true);
        this.limit = maxBytes;
    }

    /** {@code Expect: 100-continue} with a too-large Content-Length: refuse with our 413 body, not a bare one. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse r && r.status().code() == 413) {
            ReferenceCountUtil.release(response);
            FullHttpResponse ours = HttpResponses.error(
                    tooLarge(), HttpResponses.requestId(start.headers().get(HttpResponses.REQUEST_ID)));
            ours.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return ours;
        }
        return response;
    }

    private GatewayException tooLarge() {
        return new GatewayException(
                413,
                "invalid_request_error",
                "request_too_large",
                null,
                "The request body is larger than the limit of " + limit + " bytes (server.max_body_bytes).",
                false);
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
