package io.junction.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;

/**
 * A plain HTTP/1.1 reverse proxy on Netty, for the load suite: the JVM floor next to nginx's. It does
 * what the suite's nginx does and nothing Junction adds: the request is read whole (nginx buffers a
 * request body too) and written to a kept-alive upstream connection unchanged; the answer's head and
 * each piece of its body are relayed as they are read, flushed once per read (so an SSE chunk goes
 * out when it arrives, as with nginx's {@code proxy_buffering off}). No JSON is parsed, nothing is
 * routed, validated, priced, logged or counted.
 *
 * <p>It uses the same building blocks as Junction's own server and upstream client (Netty 4.2, the
 * native epoll transport, the pooled allocator, {@code HttpServerCodec}, {@code HttpClientCodec}, one
 * pool of upstream connections per event loop, so a request never changes threads), which is what
 * makes it the floor for a gateway on the JVM: the difference between it and Junction is Junction's
 * own work, the difference between it and nginx is the runtime and Netty's HTTP codec.
 *
 * <p>Not a general proxy: clients must not pipeline requests on a connection (wrk and {@code LoadGen}
 * do not), hop-by-hop headers are passed as they are, and an upstream that fails gets the client a
 * 502 or a closed connection.
 *
 * <p>Run: {@code java -Xmx512m -cp gateway-benchmarks/target/benchmarks.jar io.junction.bench.NettyProxy
 * --port 18092 --upstream-port 18081 [--threads 2]}; {@code bench/run.sh} starts it as the target
 * {@code netty} ({@code TARGETS="direct nginx netty junction"}).
 */
public final class NettyProxy {
    private final int upstreamPort;
    private final boolean epoll;
    /** Each event loop's idle upstream connections; only that loop's thread touches its deque. */
    private final FastThreadLocal<ArrayDeque<Back>> idle = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Back> initialValue() {
            return new ArrayDeque<>();
        }
    };

    NettyProxy(int upstreamPort, boolean epoll) {
        this.upstreamPort = upstreamPort;
        this.epoll = epoll;
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        int port = a.integer("port", 18092);
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        boolean epoll = HttpServers.epoll();
        NettyProxy proxy = new NettyProxy(a.integer("upstream-port", 18081), epoll);
        Channel ch = HttpServers.bind(port, threads, () -> proxy.new Front());
        System.out.println("netty proxy listening on 127.0.0.1:" + port + " → 127.0.0.1:" + proxy.upstreamPort + " ("
                + (epoll ? "epoll" : "nio") + ", " + threads + " event loops)");
        ch.closeFuture().sync();
    }

    /** The client's side: one request at a time, each sent on an upstream connection of this loop. */
    final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
        /** The upstream connection serving this client's current request, or null. */
        Back upstream;

        Channel channel;

        Front() {
            super(false); // the request is handed on, not released here
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            ArrayDeque<Back> pool = idle.get();
            Back up;
            while ((up = pool.poll()) != null && !up.channel.isActive()) {
                // closed while idle: drop it
            }
            if (up != null) {
                send(up, req);
                return;
            }
            EventLoop loop = channel.eventLoop();
            new Bootstrap()
                    .group(loop)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpClientCodec()).addLast(new Back());
                        }
                    })
                    .connect("127.0.0.1", upstreamPort)
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            send(f.channel().pipeline().get(Back.class), req);
                        } else {
                            req.release();
                            badGateway(channel);
                        }
                    });
        }

        private void send(Back up, FullHttpRequest req) {
            if (!channel.isActive()) {
                req.release();
                idle.get().offer(up);
                return;
            }
            upstream = up;
            up.front = this;
            req.headers()
                    .remove(HttpHeaderNames.CONNECTION); // the upstream connection stays open (nginx: Connection "")
            Channel upChannel = up.channel;
            upChannel.writeAndFlush(req).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    upChannel.close(); // its channelInactive closes the client's connection
                }
            });
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Back up = upstream;
            if (up != null && ctx.channel().isWritable()) {
                up.channel.config().setAutoRead(true); // the client drained: read the upstream again
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Back up = upstream;
            if (up != null) {
                up.channel.close(); // the client left mid-answer: stop the upstream call
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The upstream's side: relays the answer to the client it serves, then goes back to the pool. */
    final class Back extends SimpleChannelInboundHandler<HttpObject> {
        /** The client this connection's current answer goes to, or null while it is idle. */
        Front front;

        Channel channel;

        Back() {
            super(false); // relayed objects are released by the client's encoder
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Front owner = front;
            Channel f = owner == null ? null : owner.channel;
            if (f == null || !f.isActive()) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse || msg instanceof HttpContent) {
                f.write(msg, f.voidPromise());
            } else {
                ReferenceCountUtil.release(msg);
            }
            if (msg instanceof LastHttpContent) {
                front = null;
                owner.upstream = null;
                f.flush();
                idle.get().offer(this);
            } else if (!f.isWritable()) {
                ctx.channel().config().setAutoRead(false); // backpressure: wait for the client to drain
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Front f = front;
            if (f != null) {
                f.channel.flush(); // what this read brought, in one write: each SSE chunk as it arrives
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Front f = front;
            if (f != null) {
                f.channel.close(); // the upstream went away mid-answer
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static void badGateway(Channel front) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        front.writeAndFlush(r);
    }
}
