package io.junction.server.upstream;

import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The network {@link UpstreamTransport}: a Netty HTTP/1.1 client that shares the server's event
 * loops. Connections are pooled per (origin, event loop), so a request and its upstream connection
 * live on one thread. Connections read with {@code AUTO_READ} on, in use and idle in the pool (a
 * server that closes an idle connection is noticed at once); an exchange switches it off only while
 * its consumer cannot take more ({@link NettyExchange}).
 */
public final class NettyUpstreamTransport implements UpstreamTransport, AutoCloseable {
    private final Class<? extends SocketChannel> channelType;
    private final SslContext ssl;
    private final ProxySettings proxies;
    private final AddressResolverGroup<InetSocketAddress> dns;
    private final ConcurrentHashMap<PoolKey, ChannelPool> pools = new ConcurrentHashMap<>();
    private final long poolIdleMillis;

    record PoolKey(String scheme, String host, int port, EventLoop loop, long connectTimeoutMs) {}

    public NettyUpstreamTransport(
            Class<? extends SocketChannel> channelType,
            Class<? extends io.netty.channel.socket.DatagramChannel> datagramType,
            ProxySettings proxies,
            long poolIdleMillis) {
        this.channelType = channelType;
        this.proxies = proxies;
        this.poolIdleMillis = poolIdleMillis;
        try {
            this.ssl = SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the TLS client context", e);
        }
        this.dns = new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(datagramType));
    }

    @Override
    public UpstreamExchange open(UpstreamRequest request, EventExecutor executor, ExchangeListener listener) {
        if (!(executor instanceof EventLoop loop)) {
            throw new IllegalArgumentException("the Netty transport runs on a Netty event loop");
        }
        URI uri = request.uri();
        String scheme = uri.getScheme();
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(scheme) ? 443 : 80);
        PoolKey key = new PoolKey(
                scheme, uri.getHost(), port, loop, request.connectTimeout().toMillis());
        ChannelPool pool = pools.computeIfAbsent(key, this::newPool);
        NettyExchange exchange = new NettyExchange(request, loop, listener, pool, key.host(), port);
        if (loop.inEventLoop()) {
            exchange.start();
        } else {
            loop.execute(exchange::start);
        }
        return exchange;
    }

    private ChannelPool newPool(PoolKey key) {
        ProxySettings.Proxy proxy = proxies.proxyFor(key.scheme(), key.host());
        Bootstrap b = new Bootstrap()
                .group(key.loop())
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, key.connectTimeoutMs()))
                .resolver(proxy == null ? dns : NoopAddressResolverGroup.INSTANCE);
        SocketAddress remote = InetSocketAddress.createUnresolved(key.host(), key.port());
        b.remoteAddress(remote);
        boolean tls = "https".equals(key.scheme());
        UpstreamChannelInitializer init =
                new UpstreamChannelInitializer(tls ? ssl : null, key.host(), key.port(), proxy, poolIdleMillis);
        return new SimpleChannelPool(b, init, ChannelHealthChecker.ACTIVE, true, true);
    }

    /** Number of pools (origin × event loop) created so far; for tests and metrics. */
    public int poolCount() {
        return pools.size();
    }

    @Override
    public void close() {
        pools.values().forEach(ChannelPool::close);
        pools.clear();
        dns.close();
    }

    static boolean isActive(Channel ch) {
        return ch != null && ch.isActive();
    }
}
