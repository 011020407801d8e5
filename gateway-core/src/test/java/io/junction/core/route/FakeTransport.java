package io.junction.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamRequest;
import io.junction.core.transport.UpstreamTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An {@link UpstreamTransport} driven by the test: each {@code open} records a {@link Exchange},
 * and the test then plays the upstream's part on it (headers, body pieces, end or error). Body pieces
 * and the end are only delivered against demand, so a caller that did not {@code request()} fails the
 * test: the demand contract is enforced, not assumed.
 */
final class FakeTransport implements UpstreamTransport {
    final List<Exchange> opened = new ArrayList<>();
    /** Runs inside {@code open}, before it returns: lets a test answer synchronously. */
    Consumer<Exchange> onOpen;

    @Override
    public UpstreamExchange open(UpstreamRequest request, EventExecutor executor, ExchangeListener listener) {
        assertThat(executor.inEventLoop())
                .as("open is called on the call's executor")
                .isTrue();
        Exchange ex = new Exchange(request, listener);
        opened.add(ex);
        if (onOpen != null) {
            onOpen.accept(ex);
        }
        return ex;
    }

    Exchange last() {
        assertThat(opened).as("an exchange was opened").isNotEmpty();
        return opened.get(opened.size() - 1);
    }

    /** The host part of each opened URI: {@code fake://<provider>/<model>}. */
    List<String> openedUris() {
        return opened.stream().map(e -> e.request.uri().toString()).toList();
    }

    static final class Exchange implements UpstreamExchange {
        final UpstreamRequest request;
        final ExchangeListener listener;
        int requests;
        boolean demand;
        boolean cancelled;
        boolean over;
        /** Buffers handed to the listener, kept to check that nothing retained them. */
        final List<ByteBuf> delivered = new ArrayList<>();

        Exchange(UpstreamRequest request, ExchangeListener listener) {
            this.request = request;
            this.listener = listener;
        }

        @Override
        public void request() {
            requests++;
            demand = true;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        String body() {
            return new String(request.body(), StandardCharsets.UTF_8);
        }

        Exchange headers(int status) {
            return headers(status, Map.of());
        }

        Exchange headers(int status, Map<String, String> headers) {
            assertThat(over).as("exchange still running").isFalse();
            listener.onHeaders(status, name -> headers.get(name.toLowerCase(java.util.Locale.ROOT)));
            return this;
        }

        /** One body piece, only against demand; the piece is released after the call like a real transport does. */
        Exchange body(String piece) {
            return body(piece.getBytes(StandardCharsets.UTF_8));
        }

        Exchange body(byte[] piece) {
            assertThat(demand).as("body delivered only after request()").isTrue();
            return forceBody(piece);
        }

        /** Delivers regardless of demand: for races a real transport may have (late events). */
        Exchange forceBody(byte[] piece) {
            demand = false;
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(piece.length).writeBytes(piece);
            delivered.add(buf);
            try {
                listener.onBody(buf);
            } finally {
                buf.release();
            }
            return this;
        }

        Exchange forceBody(String piece) {
            return forceBody(piece.getBytes(StandardCharsets.UTF_8));
        }

        /** Each piece in order, each against demand. */
        Exchange bodies(String... pieces) {
            for (String p : pieces) {
                body(p);
            }
            return this;
        }

        void end() {
            assertThat(demand).as("end delivered only after request()").isTrue();
            over = true;
            listener.onEnd();
        }

        void forceEnd() {
            over = true;
            listener.onEnd();
        }

        void error(GatewayException e) {
            over = true;
            listener.onError(e);
        }

        /** Headers, every piece against demand, then the end. */
        void respond(int status, String... pieces) {
            headers(status);
            bodies(pieces);
            end();
        }

        /** Every buffer handed out was released by the receiver (refCnt back to 0 after our release). */
        void assertNothingRetained() {
            for (ByteBuf b : delivered) {
                assertThat(b.refCnt())
                        .as("a delivered body piece is still referenced")
                        .isZero();
            }
        }
    }
}
