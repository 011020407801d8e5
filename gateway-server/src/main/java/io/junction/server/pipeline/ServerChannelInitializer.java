package io.junction.server.pipeline;

import io.junction.server.http.FlatHttpHeaders;
import io.junction.server.http.GatewayContext;
import io.junction.server.http.RequestHandler;
import io.junction.server.lifecycle.Lifecycle;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A client connection's pipeline: http codec → keep-alive → idle close → body aggregator (capped) →
 * request handler. Each stage is added by its own small method and every handler is named.
 */
public final class ServerChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final Supplier<GatewayContext> gateway;
    private final Lifecycle lifecycle;

    /**
     * @param gateway the config in use, read per connection (body limit, idle timeout) and per request
     * @param lifecycle server-wide state: connections are registered for the shutdown drain
     */
    public ServerChannelInitializer(Supplier<GatewayContext> gateway, Lifecycle lifecycle) {
        this.gateway = gateway;
        this.lifecycle = lifecycle;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        lifecycle.connections().add(ch);
        GatewayContext gw = gateway.get();
        ChannelPipeline p = ch.pipeline();
        addHttpHandlers(p);
        addIdleHandlers(p, gw.config().server().idleTimeoutMs());
        addAggregator(p, gw.config().server().maxBodyBytes());
        p.addLast("requests", new RequestHandler(gateway, lifecycle));
    }

    private static void addHttpHandlers(ChannelPipeline p) {
        // decoded headers and trailers in flat arrays (FlatHttpHeaders), Netty's limits otherwise
        p.addLast(
                "http",
                new HttpServerCodec(new HttpDecoderConfig()
                        .setHeadersFactory(FlatHttpHeaders.headersFactory())
                        .setTrailersFactory(FlatHttpHeaders.trailersFactory())));
        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
    }

    /** Signals a connection that neither reads nor writes for the idle timeout. */
    private static void addIdleHandlers(ChannelPipeline p, long idleMs) {
        p.addLast("idle", new ConnectionIdleHandler(idleMs, TimeUnit.MILLISECONDS));
        // RequestHandler closes on the idle event, unless a call is in flight.
    }

    private static void addAggregator(ChannelPipeline p, long maxBytes) {
        p.addLast("aggregate", new BodyAggregator((int) Math.min(Integer.MAX_VALUE, maxBytes)));
    }
}
