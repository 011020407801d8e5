package io.junction.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.util.function.Supplier;

/**
 * How the suite's own HTTP servers (the mock upstream, the Netty proxy) start: on 127.0.0.1, with the
 * native epoll transport unless {@code -Dbench.transport=nio} or the platform lacks it, and a pipeline
 * of Netty's HTTP/1.1 codec, keep-alive handling, a whole-request aggregator and the server's handler.
 */
final class HttpServers {
    private HttpServers() {}

    /** True when the servers (and the proxy's upstream connections) use the native epoll transport. */
    static boolean epoll() {
        return Epoll.isAvailable() && !"nio".equals(System.getProperty("bench.transport"));
    }

    /** Binds 127.0.0.1:{@code port} with {@code threads} event loops; one handler per connection. */
    static Channel bind(int port, int threads, Supplier<ChannelHandler> handler) throws InterruptedException {
        boolean epoll = epoll();
        return new ServerBootstrap()
                .group(new MultiThreadIoEventLoopGroup(
                        threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory()))
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(handler.get());
                    }
                })
                .bind("127.0.0.1", port)
                .sync()
                .channel();
    }
}
