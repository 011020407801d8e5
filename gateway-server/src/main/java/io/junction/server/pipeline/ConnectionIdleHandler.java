package io.junction.server.pipeline;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a connection has neither read nor been
 * written to for the idle time; the handlers after it decide what to do (a client connection is
 * closed unless a call is in flight).
 *
 * <p>Netty's {@code IdleStateHandler} measures writes by their completion: it replaces every write's
 * promise (also a void one) with a new promise and adds a listener to it, and that non-void promise
 * then makes the HTTP encoder combine the promises of the pieces it writes. On a streamed answer that
 * was four objects per relayed chunk. Here a write counts when it is issued and its promise is passed
 * on untouched. The difference does not matter for what the event is used for: a connection with a
 * call in flight is never closed for idleness, and a client that stops reading makes the call stop
 * writing (backpressure), so its connection still goes idle. The chunks of a streamed answer do not
 * pass here at all ({@code SseWriter} writes them below the HTTP encoder); the response head and the
 * body's end do.
 *
 * <p>One timer per connection, re-armed for the time left when it finds recent activity.
 */
public final class ConnectionIdleHandler extends ChannelDuplexHandler {
    private final long idleNanos;
    private Ticker ticker;
    private long lastActivity;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext ctx;
    private boolean stopped;
    private final Runnable check = this::check;

    public ConnectionIdleHandler(long idleTime, TimeUnit unit) {
        this.idleNanos = Math.max(1, unit.toNanos(idleTime));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ticker = ctx.executor() instanceof AbstractScheduledEventExecutor e ? e.ticker() : Ticker.systemTicker();
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivity = ticker.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = ticker.nanoTime();
        ctx.write(msg, promise);
    }

    private void start() {
        if (timer != null || stopped) {
            return;
        }
        lastActivity = ticker.nanoTime();
        timer = ctx.executor().schedule(check, idleNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        if (stopped || !ctx.channel().isOpen()) {
            return;
        }
        long quiet = ticker.nanoTime() - lastActivity;
        if (quiet >= idleNanos) {
            timer = ctx.executor().schedule(check, idleNanos, TimeUnit.NANOSECONDS);
            ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        } else {
            timer = ctx.executor().schedule(check, idleNanos - quiet, TimeUnit.NANOSECONDS);
        }
    }
}
