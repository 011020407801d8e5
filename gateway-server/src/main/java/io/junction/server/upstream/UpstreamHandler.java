package io.junction.server.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands what arrives to the exchange that currently
 * owns the connection. With no owner (the connection idles in the pool), any data or an idle
 * timeout closes it: an idle HTTP/1.1 connection must not receive anything.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private NettyExchange owner;

    void owner(NettyExchange exchange) {
        this.owner = exchange;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        NettyExchange ex = owner;
        if (ex == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        ex.onMessage(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        NettyExchange ex = owner;
        if (ex != null) {
            ex.onClosed(null);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NettyExchange ex = owner;
        ctx.close();
        if (ex != null) {
            ex.onClosed(cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && owner == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
