package io.junction.server;

import io.junction.core.config.JunctionConfig;
import io.junction.core.pricing.PricingTable;
import io.junction.core.route.BreakerRegistry;
import io.junction.core.route.ModelResolver;
import io.junction.core.spi.ProviderRegistry;
import io.junction.core.usage.TokenEstimator;
import io.junction.server.auth.KeyAuthenticator;
import io.junction.server.http.GatewayContext;
import io.junction.server.ledger.UsageRecorder;
import io.junction.server.metrics.GatewayMetrics;
import io.junction.server.observe.AccessLog;
import io.junction.server.observe.UsageAccountant;
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

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final NettyUpstreamTransport transport;
    private final GatewayMetrics metrics;
    private final UsageRecorder recorder;
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
        metrics = new GatewayMetrics(config.metrics());
        recorder = UsageRecorder.start(config.ledger(), metrics); // opens/migrates the ledger: fails fast
        TokenEstimator.warmUpInBackground();
        recorder.accessLog(AccessLog.of(config.logging()));
        boss = new MultiThreadIoEventLoopGroup(1, t.factory());
        workers = new MultiThreadIoEventLoopGroup(threads, t.factory());
        metrics.bindEventLoops(workers);
        transport = new NettyUpstreamTransport(t.client(), t.datagram(), ProxySettings.fromEnvironment(), 50_000);
        BreakerRegistry breakers = new BreakerRegistry();
        metrics.breakers(breakers::snapshot);
        context = new AtomicReference<>(new GatewayContext(
                config,
                new ModelResolver(config, registry),
                new KeyAuthenticator(config.keys()),
                transport,
                metrics,
                breakers,
                new UsageAccountant(PricingTable.load(config.pricing()), metrics, recorder)));
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
            recorder.close();
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

    public UsageRecorder recorder() {
        return recorder;
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
        recorder.close(); // after the loops: every finished call's record is queued; writes them all
        metrics.close();
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
