package io.junction.server.upstream;

import io.junction.core.error.GatewayException;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamRequest;
import io.junction.server.http.FlatHttpHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One request/response on a pooled upstream connection. Confined to its event loop.
 *
 * <p>Life: acquire a connection → write the request → deliver headers and body pieces as the
 * consumer asks ({@link #request()}) → on the last piece return the connection to the pool (if the
 * response allows keep-alive) and report the end. Cancel or failure closes the connection instead: a
 * half-read connection never goes back to the pool.
 *
 * <p>Reading: the connection reads with {@code AUTO_READ} on, always, and the exchange tracks the
 * consumer's demand. A piece handed to the consumer uses the demand up; the consumer renews it with
 * {@link #request()}, normally from inside the callback. Only when it does not (the client cannot
 * take more) is auto-read switched off, and {@link #request()} switches it on again. Toggling read
 * interest costs an {@code epoll_ctl} each way; done per read it was two system calls per request
 * and per streamed chunk, now it happens only under real backpressure.
 *
 * <p>Read timeout: the time from a demand to the next piece, counted only while there is demand (a
 * paused consumer is not the upstream's fault). One timer per exchange checks the time of the last
 * piece and re-arms itself for the rest, instead of a timer scheduled and cancelled per piece.
 *
 * <p>A connection taken from the pool may have been closed by the server a moment earlier; if it
 * fails before any response byte arrived, the request is sent once more on another connection.
 */
final class NettyExchange implements UpstreamExchange {
    private static final AttributeKey<Boolean> REUSED = AttributeKey.valueOf("junction.reused");
    private static final AsciiString USER_AGENT = AsciiString.cached("junction/0.1");

    private final UpstreamRequest request;
    private final EventLoop loop;
    private final ExchangeListener listener;
    private final ChannelPool pool;
    private final String host;
    private final int port;

    private Channel channel;
    private boolean done;
    private boolean released;
    private boolean gotResponse;
    private boolean keepAlive;
    private boolean staleRetryUsed;
    private ScheduledFuture<?> timer;
    /** The consumer wants the next piece. */
    private boolean demand;
    /** System.nanoTime() of the demand that no piece has answered yet, or -1. */
    private long awaitingSince = -1;

    private final long readTimeoutNanos;
    private final Runnable onTimer = this::timerFired;

    NettyExchange(
            UpstreamRequest request,
            EventLoop loop,
            ExchangeListener listener,
            ChannelPool pool,
            String host,
            int port) {
        this.request = request;
        this.loop = loop;
        this.listener = listener;
        this.pool = pool;
        this.host = host;
        this.port = port;
        this.readTimeoutNanos = request.readTimeout().toNanos();
    }

    void start() {
        Future<Channel> f = pool.acquire(loop.newPromise());
        f.addListener(future -> {
            if (!future.isSuccess()) {
                if (!done) {
                    fail(connectError(future.cause()));
                }
                return;
            }
            Channel ch = (Channel) future.getNow();
            if (done) {
                ch.close();
                pool.release(ch);
                return;
            }
            attach(ch);
        });
    }

    private void attach(Channel ch) {
        channel = ch;
        released = false;
        ch.pipeline().get(UpstreamHandler.class).owner(this);
        ProxyHandler proxy = ch.pipeline().get(ProxyHandler.class);
        if (proxy != null && !proxy.connectFuture().isDone()) {
            proxy.connectFuture().addListener(p -> {
                if (done) {
                    return;
                }
                if (p.isSuccess()) {
                    send(ch);
                } else {
                    onClosed(p.cause());
                }
            });
        } else {
            send(ch);
        }
    }

    /**
     * {@code host}, with {@code :port} unless it is the scheme's default: the URI's own authority
     * string when it says exactly that (the usual case; no string built per request).
     */
    static String hostHeader(URI uri, String host, int port) {
        boolean defaultPort = port == ("https".equals(uri.getScheme()) ? 443 : 80);
        String authority = uri.getRawAuthority();
        if (authority != null
                && uri.getRawUserInfo() == null
                && (defaultPort ? uri.getPort() == -1 : uri.getPort() == port)
                && authority.regionMatches(true, 0, host, 0, host.length())) {
            return authority;
        }
        return defaultPort ? host : host + ":" + port;
    }

    private void send(Channel ch) {
        URI uri = request.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path = path + "?" + uri.getRawQuery();
        }
        FlatHttpHeaders headers = new FlatHttpHeaders();
        ByteBuf content;
        try {
            headers.set(HttpHeaderNames.HOST, hostHeader(uri, host, port));
            headers.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
            for (Map.Entry<String, String> h : request.headers().entrySet()) {
                headers.set(h.getKey(), h.getValue());
            }
            // the body last: it is a pooled buffer from here on, owned by the request written below
            content = request.content().toBuffer(ch.alloc());
        } catch (IOException | RuntimeException e) {
            // a header Netty refuses or a body that cannot be written: Junction's fault, not the provider's
            fail(GatewayException.internal("Could not build the request for " + provider(), e));
            return;
        }
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(request.method()),
                path,
                content,
                headers,
                EmptyHttpHeaders.INSTANCE); // a request with a content-length has no trailers
        HttpUtil.setContentLength(req, content.readableBytes());
        demand = true;
        awaitingSince = System.nanoTime();
        ensureTimer();
        ch.writeAndFlush(req).addListener(w -> {
            if (!w.isSuccess() && !done) {
                onClosed(w.cause());
            }
        });
        readOn(ch);
    }

    @Override
    public void request() {
        if (done || channel == null) {
            return;
        }
        demand = true;
        if (awaitingSince < 0) {
            awaitingSince = System.nanoTime();
        }
        ensureTimer();
        readOn(channel);
    }

    private static void readOn(Channel ch) {
        if (!ch.config().isAutoRead()) {
            ch.config().setAutoRead(true); // also issues a read
        }
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        closeAndRelease();
    }

    void onMessage(Object msg) {
        try {
            if (done) {
                return;
            }
            awaitingSince = -1; // something arrived
            if (msg instanceof HttpResponse r) {
                if (r.status().code() == 100) {
                    return;
                }
                gotResponse = true;
                keepAlive = HttpUtil.isKeepAlive(r);
                demand = false; // the listener renews it if it wants more
                listener.onHeaders(r.status().code(), name -> r.headers().get(name));
            }
            if (done) {
                return;
            }
            if (msg instanceof HttpContent c) {
                if (c.content().isReadable()) {
                    demand = false;
                    listener.onBody(c.content());
                }
                if (!done && msg instanceof LastHttpContent) {
                    done = true;
                    returnToPool();
                    listener.onEnd();
                    return;
                }
            }
            if (!done && !demand && channel != null && channel.config().isAutoRead()) {
                channel.config().setAutoRead(false); // backpressure: no more reads until request()
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The connection closed or failed under this exchange. */
    void onClosed(Throwable cause) {
        if (done) {
            return;
        }
        Channel ch = channel;
        boolean reused = ch != null && Boolean.TRUE.equals(ch.attr(REUSED).get());
        if (!gotResponse && reused && !staleRetryUsed) {
            // The pooled connection died before answering: the server closed it while idle.
            staleRetryUsed = true;
            cancelTimer();
            closeAndRelease();
            channel = null;
            start();
            return;
        }
        fail(
                cause == null
                        ? GatewayException.upstreamUnavailable(
                                provider(),
                                gotResponse
                                        ? "closed the connection mid-response"
                                        : "closed the connection without answering",
                                null)
                        : ioError(cause));
    }

    private void fail(GatewayException e) {
        done = true;
        cancelTimer();
        closeAndRelease();
        listener.onError(e);
    }

    private void ensureTimer() {
        if (timer == null && !done) {
            timer = loop.schedule(onTimer, readTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void timerFired() {
        timer = null;
        if (done || awaitingSince < 0) {
            return; // not waiting for the upstream: the next request() arms the timer again
        }
        long waited = System.nanoTime() - awaitingSince;
        if (waited < readTimeoutNanos) {
            timer = loop.schedule(onTimer, readTimeoutNanos - waited, TimeUnit.NANOSECONDS);
            return;
        }
        long millis = request.readTimeout().toMillis();
        fail(GatewayException.upstreamTimeout(
                provider(),
                gotResponse
                        ? "sent nothing for " + millis + " ms (read timeout)"
                        : "did not answer within " + millis + " ms (read timeout)"));
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void returnToPool() {
        cancelTimer();
        Channel ch = channel;
        if (ch == null || released) {
            return;
        }
        released = true;
        ch.pipeline().get(UpstreamHandler.class).owner(null);
        if (!keepAlive) {
            ch.close();
        } else {
            ch.attr(REUSED).set(Boolean.TRUE);
            readOn(ch); // idle in the pool: read, so that a close by the server is seen at once
        }
        pool.release(ch);
    }

    private void closeAndRelease() {
        Channel ch = channel;
        if (ch == null || released) {
            return;
        }
        released = true;
        UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
        if (h != null) {
            h.owner(null);
        }
        ch.close();
        pool.release(ch);
    }

    private String provider() {
        return host;
    }

    private GatewayException connectError(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return GatewayException.upstreamTimeout(
                    provider(),
                    "did not accept a connection within "
                            + request.connectTimeout().toMillis() + " ms");
        }
        return GatewayException.upstreamUnavailable(provider(), "could not be reached: " + describe(cause), cause);
    }

    private GatewayException ioError(Throwable cause) {
        if (cause instanceof SSLException || (cause != null && cause.getCause() instanceof SSLException)) {
            return GatewayException.upstreamUnavailable(
                    provider(), "failed the TLS handshake: " + describe(cause), cause);
        }
        return GatewayException.upstreamUnavailable(provider(), "connection failed: " + describe(cause), cause);
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }
}
