package io.junction.server.http;

import io.junction.core.error.GatewayException;
import io.junction.core.route.RoutedCall;
import io.junction.core.schema.ChatRequest;
import io.junction.core.spi.Target;
import io.junction.core.validate.RequestParser;
import io.junction.core.validate.RequestValidator;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.sse.ChatResponder;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;

/** {@code POST /v1/chat/completions}: parse, validate, authorize, resolve, then run the routed call. */
final class ChatCompletionsEndpoint {
    private ChatCompletionsEndpoint() {}

    /**
     * Prepares the answer to {@code req}: returns a responder bound to a call that is not started yet
     * (the caller keeps it to relay writability and disconnects, then starts the call), or throws a
     * {@link GatewayException} for a request that is answered with an error at once.
     */
    static ChatResponder prepare(
            ChannelHandlerContext ctx,
            GatewayContext gw,
            FullHttpRequest req,
            KeyAuthenticator.Principal principal,
            String requestId,
            Runnable onDone) {
        String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null && !isJson(contentType)) {
            throw new GatewayException(
                    415,
                    "invalid_request_error",
                    "unsupported_media_type",
                    null,
                    "Unsupported content type '" + contentType + "': send the request body as application/json.",
                    false);
        }
        ChatRequest chat =
                RequestParser.parse(new ByteBufInputStream(req.content().duplicate()));
        RequestValidator.validate(chat);
        if (!principal.mayCall(chat.model())) {
            throw GatewayException.forbidden(
                    "The API key '" + principal.name() + "' may not call model '" + chat.model() + "'.");
        }
        if (chat.fallbacks() != null) {
            for (int i = 0; i < chat.fallbacks().size(); i++) {
                if (!principal.mayCall(chat.fallbacks().get(i))) {
                    throw new GatewayException(
                            403,
                            "permission_error",
                            "model_not_allowed",
                            "fallbacks[" + i + "]",
                            "The API key '" + principal.name() + "' may not call model '"
                                    + chat.fallbacks().get(i) + "'.",
                            false);
                }
            }
        }
        List<Target> plan = gw.resolver().plan(chat.model(), chat.fallbacks());
        ChatResponder responder = new ChatResponder(ctx, gw, chat, requestId, onDone);
        RoutedCall call =
                new RoutedCall(chat, plan, gw.transport(), ctx.channel().eventLoop(), responder, System::nanoTime);
        responder.bind(call);
        return responder;
    }

    private static boolean isJson(String contentType) {
        String ct = contentType.strip().toLowerCase(java.util.Locale.ROOT);
        int semi = ct.indexOf(';');
        String mime = (semi < 0 ? ct : ct.substring(0, semi)).strip();
        return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
    }
}
