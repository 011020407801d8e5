package io.junction.server.pipeline;

import io.junction.server.http.GatewayContext;
import io.junction.server.http.RequestHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A client connection's pipeline: http codec → keep-alive → idle close → body aggregator (capped) →
 * request handler. Each stage is added by its own small method and every handler is named.
 */
public final class ServerChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final Supplier<GatewayContext> gateway;

    public ServerChannelInitializer(Supplier<GatewayContext> gateway) {
        this.gateway = gateway;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        GatewayContext gw = gateway.get();
        ChannelPipeline p = ch.pipeline();
        addHttpHandlers(p);
        addIdleHandlers(p, gw.config().server().idleTimeoutMs());
        addAggregator(p, gw.config().server().maxBodyBytes());
        p.addLast("requests", new RequestHandler(gateway));
    }

    private static void addHttpHandlers(ChannelPipeline p) {
        p.addLast("http", new HttpServerCodec());
        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
    }

    /** Signals a connection that neither reads nor writes for the idle timeout. */
    private static void addIdleHandlers(ChannelPipeline p, long idleMs) {
        p.addLast("idle", new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS));
        // RequestHandler closes on the idle event, unless a call is in flight.
    }

    private static void addAggregator(ChannelPipeline p, long maxBytes) {
        p.addLast("aggregate", new BodyAggregator((int) Math.min(Integer.MAX_VALUE, maxBytes)));
    }
}
