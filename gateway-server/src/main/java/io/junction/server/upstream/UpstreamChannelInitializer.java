package io.junction.server.upstream;

import io.junction.server.http.FlatHttpHeaders;
import io.junction.server.pipeline.ConnectionIdleHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Builds an upstream connection's pipeline: [proxy] → [tls] → http codec → decompressor → idle → exchange. */
final class UpstreamChannelInitializer extends AbstractChannelPoolHandler {
    private final SslContext ssl;
    private final String host;
    private final int port;
    private final ProxySettings.Proxy proxy;
    private final long idleMillis;

    UpstreamChannelInitializer(SslContext ssl, String host, int port, ProxySettings.Proxy proxy, long idleMillis) {
        this.ssl = ssl;
        this.host = host;
        this.port = port;
        this.proxy = proxy;
        this.idleMillis = idleMillis;
    }

    @Override
    public void channelCreated(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        addProxyHandler(p);
        addTlsHandler(ch, p);
        addHttpHandlers(p);
    }

    private void addProxyHandler(ChannelPipeline p) {
        if (proxy != null) {
            HttpProxyHandler h = proxy.username() == null
                    ? new HttpProxyHandler(proxy.address())
                    : new HttpProxyHandler(proxy.address(), proxy.username(), proxy.password());
            p.addLast("proxy", h);
        }
    }

    private void addTlsHandler(Channel ch, ChannelPipeline p) {
        if (ssl != null) {
            SslHandler h = ssl.newHandler(ch.alloc(), host, port);
            SSLEngine engine = h.engine();
            SSLParameters params = engine.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // verify the certificate names this host
            engine.setSSLParameters(params);
            p.addLast("tls", h);
        }
    }

    private void addHttpHandlers(ChannelPipeline p) {
        p.addLast(
                "http",
                new HttpClientCodec(
                        new HttpDecoderConfig() // decoded headers in flat arrays, Netty's limits otherwise
                                .setHeadersFactory(FlatHttpHeaders.headersFactory())
                                .setTrailersFactory(FlatHttpHeaders.trailersFactory()),
                        HttpClientCodec.DEFAULT_PARSE_HTTP_AFTER_CONNECT_REQUEST,
                        HttpClientCodec.DEFAULT_FAIL_ON_MISSING_RESPONSE));
        p.addLast("inflate", new HttpContentDecompressor());
        p.addLast("idle", new ConnectionIdleHandler(idleMillis, TimeUnit.MILLISECONDS));
        p.addLast("exchange", new UpstreamHandler());
    }
}
