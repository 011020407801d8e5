package io.junction.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionIdleHandlerTest {
    private final List<Object> events = new ArrayList<>();
    private final List<ChannelPromise> promisesSeen = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline()
                .addLast(
                        new ChannelOutboundHandlerAdapter() { // nearer the socket: sees the promise
                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                promisesSeen.add(promise);
                                ctx.write(msg, promise);
                            }
                        });
        ch.pipeline().addLast(new ConnectionIdleHandler(1_000, TimeUnit.MILLISECONDS));
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long ms) {
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void anIdleConnectionGetsTheEventAfterTheIdleTimeAndAgainEachPeriod() {
        EmbeddedChannel ch = channel();
        advance(ch, 999);
        assertThat(events).isEmpty();
        advance(ch, 1);
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        advance(ch, 1_000);
        assertThat(events).hasSize(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void readsAndWritesPostponeIt() {
        EmbeddedChannel ch = channel();
        advance(ch, 800);
        ch.pipeline().fireChannelRead("x").fireChannelReadComplete();
        advance(ch, 800); // 800 ms after the read
        assertThat(events).isEmpty();
        ch.writeOneOutbound("y");
        advance(ch, 800); // 800 ms after the write
        assertThat(events).isEmpty();
        advance(ch, 200);
        assertThat(events).hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aWritesPromiseIsPassedOnUntouchedAndVoidStaysVoid() {
        EmbeddedChannel ch = channel();
        ChannelPromise p = ch.newPromise();
        ch.writeAndFlush("a", p);
        ch.writeAndFlush("b", ch.voidPromise());
        assertThat(promisesSeen.get(0)).isSameAs(p);
        assertThat(promisesSeen.get(1).isVoid()).isTrue();
        assertThat(p.isSuccess()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void aClosedConnectionGetsNoMoreEvents() {
        EmbeddedChannel ch = channel();
        ch.close();
        advance(ch, 5_000);
        assertThat(events.stream().filter(e -> e instanceof IdleStateEvent)).isEmpty();
        ch.finishAndReleaseAll();
    }
}
