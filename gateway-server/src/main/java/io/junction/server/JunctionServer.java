package io.junction.server;

import io.junction.core.config.JunctionConfig;
import io.junction.core.route.ModelResolver;
import io.junction.core.route.RoutePlanner;
import io.junction.core.route.RouteState;
import io.junction.core.spi.ProviderRegistry;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.http.GatewayContext;
import io.junction.server.metrics.GatewayMetrics;
import io.junction.server.pipeline.ServerChannelInitializer;
import io.junction.server.upstream.NettyUpstreamTransport;
import io.junction.server.upstream.ProxySettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: one event-loop group serves client connections and upstream connections
 * alike (native epoll when available, NIO otherwise), plus a one-thread acceptor.
 */
public final class JunctionServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JunctionServer.class);
    /** Event-loop threads are named so (thread dumps, and the no-blocking test gate looks for them). */
    public static final String LOOP_THREAD_PREFIX = "junction-loop";

    public static final String ACCEPTOR_THREAD_PREFIX = "junction-accept";

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final NettyUpstreamTransport transport;
    private final GatewayMetrics metrics;
    private final AtomicReference<GatewayContext> context;

    private record Transport(
            IoHandlerFactory factory,
            Class<? extends ServerSocketChannel> server,
            Class<? extends SocketChannel> client,
            Class<? extends DatagramChannel> datagram,
            String name) {}

    private JunctionServer(JunctionConfig config, ProviderRegistry registry) throws InterruptedException {
        Transport t = chooseTransport();
        int threads = config.server().eventLoopThreads() > 0
                ? config.server().eventLoopThreads()
                : Runtime.getRuntime().availableProcessors();
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(ACCEPTOR_THREAD_PREFIX), t.factory());
        workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(LOOP_THREAD_PREFIX), t.factory());
        metrics = new GatewayMetrics();
        transport = new NettyUpstreamTransport(t.client(), t.datagram(), ProxySettings.fromEnvironment(), 50_000);
        RouteState routes = RouteState.create(config.routing());
        metrics.breakers(routes.breakers()::snapshot);
        ModelResolver resolver = new ModelResolver(config, registry);
        context = new AtomicReference<>(new GatewayContext(
                config,
                resolver,
                new KeyAuthenticator(config.keys()),
                transport,
                metrics,
                routes,
                new RoutePlanner(config, resolver, routes.stats())));
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(t.server())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ServerChannelInitializer(context::get));
        try {
            serverChannel = b.bind(config.server().host(), config.server().port())
                    .sync()
                    .channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownGroups();
            throw e;
        }
        log.info(
                "Junction listening on http://{}:{} ({} event loops, {} transport)",
                config.server().host(),
                port(),
                threads,
                t.name());
    }

    /** Binds and starts serving; throws if the port cannot be bound. */
    public static JunctionServer start(JunctionConfig config, ProviderRegistry registry) throws InterruptedException {
        return new JunctionServer(config, registry);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    private static Transport chooseTransport() {
        String wanted = System.getProperty("junction.transport", "auto");
        if (!"nio".equals(wanted) && Epoll.isAvailable()) {
            return new Transport(
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class,
                    EpollSocketChannel.class,
                    EpollDatagramChannel.class,
                    "epoll");
        }
        return new Transport(
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class,
                "nio");
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        shutdownGroups();
        transport.close();
        metrics.close();
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
