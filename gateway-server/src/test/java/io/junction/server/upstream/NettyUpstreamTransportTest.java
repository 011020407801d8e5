package io.junction.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamBody;
import io.junction.core.transport.UpstreamExchange;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Netty upstream client against a raw-socket server that counts connections. */
class NettyUpstreamTransportTest {
    private MultiThreadIoEventLoopGroup group;
    private NettyUpstreamTransport transport;
    private EventLoop loop;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        transport = new NettyUpstreamTransport(
                NioSocketChannel.class, NioDatagramChannel.class, new ProxySettings(name -> null), 30_000);
    }

    @AfterEach
    void tearDown() {
        transport.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What one exchange produced. */
    record Result(int status, String body, GatewayException error) {}

    private static UpstreamRequest request(int port, long readTimeoutMs) {
        return new UpstreamRequest(
                "POST",
                URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"),
                Map.of("content-type", "application/json", "authorization", "Bearer sk-up"),
                "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8),
                false,
                Duration.ofSeconds(2),
                Duration.ofMillis(readTimeoutMs));
    }

    /** Runs one exchange to its end, asking for more after every piece; bounded wait. */
    private Result exchange(UpstreamRequest req, Consumer<UpstreamExchange> afterFirstPiece) throws Exception {
        CompletableFuture<Result> done = new CompletableFuture<>();
        UpstreamExchange[] ex = new UpstreamExchange[1];
        StringBuilder body = new StringBuilder();
        int[] status = new int[1];
        loop.execute(() -> ex[0] = transport.open(req, loop, new ExchangeListener() {
            @Override
            public void onHeaders(int s, UpstreamHeaders headers) {
                status[0] = s;
                ex[0].request();
            }

            @Override
            public void onBody(ByteBuf content) {
                boolean first = body.isEmpty();
                body.append(content.toString(StandardCharsets.UTF_8));
                if (first && afterFirstPiece != null) {
                    afterFirstPiece.accept(ex[0]);
                    done.complete(new Result(status[0], body.toString(), null));
                    return;
                }
                ex[0].request();
            }

            @Override
            public void onEnd() {
                done.complete(new Result(status[0], body.toString(), null));
            }

            @Override
            public void onError(GatewayException error) {
                done.complete(new Result(status[0], body.toString(), error));
            }
        }));
        return done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void keepAliveReusesOneConnectionPerLoop() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            FakeUpstream.writeJson(out, 200, "{\"ok\":true}", false);
            return true;
        })) {
            for (int i = 0; i < 3; i++) {
                Result r = exchange(request(up.port(), 2000), null);
                assertThat(r.error()).isNull();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("{\"ok\":true}");
            }
            assertThat(up.requests()).isEqualTo(3);
            assertThat(up.connections()).isEqualTo(1);
            assertThat(up.heads.get(0))
                    .startsWith("POST /v1/chat/completions HTTP/1.1\r\n")
                    .containsIgnoringCase("host: 127.0.0.1:" + up.port())
                    .containsIgnoringCase("authorization: Bearer sk-up");
        }
    }

    @Test
    void connectionCloseIsHonouredAndTheNextRequestConnectsAgain() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            FakeUpstream.writeJson(out, 200, "{}", true);
            return false;
        })) {
            assertThat(exchange(request(up.port(), 2000), null).error()).isNull();
            assertThat(exchange(request(up.port(), 2000), null).error()).isNull();
            assertThat(up.connections()).isEqualTo(2);
        }
    }

    @Test
    void aPooledConnectionTheServerDroppedIsReplaced() throws Exception {
        // Keep-alive response, then the server silently drops the connection: the next request must
        // not fail because of it.
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            FakeUpstream.writeJson(out, 200, "{\"n\":1}", false);
            return false;
        })) {
            assertThat(exchange(request(up.port(), 2000), null).error()).isNull();
            Result second = exchange(request(up.port(), 2000), null);
            assertThat(second.error()).isNull();
            assertThat(second.body()).isEqualTo("{\"n\":1}");
            assertThat(up.requests()).isEqualTo(2);
        }
    }

    /** A listener that takes pieces only when the test asks (on the loop), counting bytes. */
    private final class PacedListener implements ExchangeListener {
        final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        final CompletableFuture<GatewayException> end = new CompletableFuture<>();
        volatile UpstreamExchange ex;

        @Override
        public void onHeaders(int s, UpstreamHeaders headers) {
            ex.request();
        }

        @Override
        public void onBody(ByteBuf content) {
            bytes.addAndGet(content.readableBytes()); // no request(): the consumer is "paused"
        }

        @Override
        public void onEnd() {
            end.complete(null);
        }

        @Override
        public void onError(GatewayException error) {
            end.complete(error);
        }

        void open(UpstreamRequest req) throws Exception {
            CompletableFuture<Void> opened = new CompletableFuture<>();
            loop.execute(() -> {
                ex = transport.open(req, loop, this);
                opened.complete(null);
            });
            opened.get(5, TimeUnit.SECONDS);
        }

        void request() {
            loop.execute(() -> ex.request());
        }
    }

    private static FakeUpstream bigBody(int size) throws IOException {
        return new FakeUpstream((head, body, out) -> {
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[64 * 1024];
            java.util.Arrays.fill(block, (byte) 'x');
            try {
                for (int sent = 0; sent < size; sent += block.length) {
                    out.write(block, 0, Math.min(block.length, size - sent));
                }
                out.flush();
            } catch (IOException e) {
                // the client closed: fine for these tests
            }
            return true;
        });
    }

    @Test
    void withoutDemandTheConnectionStopsReadingAndResumesOnRequest() throws Exception {
        int size = 16 * 1024 * 1024;
        try (FakeUpstream up = bigBody(size)) {
            PacedListener l = new PacedListener();
            l.open(request(up.port(), 5_000));
            // wait until the first pieces arrived, then give a fast server time to push more
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (l.bytes.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(500);
            long unasked = l.bytes.get();
            assertThat(unasked).isPositive().isLessThan(1024 * 1024); // one read's worth, not the body
            // asking piece by piece takes the rest (bounded: at most 5,000 asks)
            for (int i = 0; i < 5_000 && !l.end.isDone(); i++) {
                l.request();
                Thread.sleep(1);
            }
            assertThat(l.end.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(l.bytes.get()).isEqualTo(size);
        }
    }

    @Test
    void aPausedConsumerIsNotAnUpstreamReadTimeout() throws Exception {
        try (FakeUpstream up = bigBody(4 * 1024 * 1024)) {
            PacedListener l = new PacedListener();
            l.open(request(up.port(), 300));
            Thread.sleep(900); // three read timeouts without demand
            assertThat(l.end.isDone()).isFalse();
            for (int i = 0; i < 5_000 && !l.end.isDone(); i++) {
                l.request();
                Thread.sleep(1);
            }
            assertThat(l.end.get(10, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void silenceBeyondTheReadTimeoutIsARetryable504() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            Thread.sleep(5_000); // never answers within the test's read timeout
            return false;
        })) {
            Result r = exchange(request(up.port(), 300), null);
            assertThat(r.error()).isNotNull();
            assertThat(r.error().status()).isEqualTo(504);
            assertThat(r.error().code()).isEqualTo("upstream_timeout");
            assertThat(r.error().retryable()).isTrue();
        }
    }

    @Test
    void refusedConnectionIsARetryable502() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Result r = exchange(request(port, 2000), null);
        assertThat(r.error()).isNotNull();
        assertThat(r.error().status()).isEqualTo(502);
        assertThat(r.error().code()).isEqualTo("upstream_unavailable");
        assertThat(r.error().retryable()).isTrue();
        assertThat(r.error().getMessage()).doesNotContain("sk-up");
    }

    @Test
    void cancelClosesTheUpstreamConnection() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            out.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 200; i++) { // ~10 s unless the client goes away
                byte[] event = ("data: {\"i\":" + i + "}\n\n").getBytes(StandardCharsets.UTF_8);
                out.write((Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(event);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Thread.sleep(50);
            }
            return false;
        })) {
            Result r = exchange(request(up.port(), 2000), UpstreamExchange::cancel);
            assertThat(r.body()).startsWith("data: {\"i\":0}");
            assertThat(up.clientClosed.await(5, TimeUnit.SECONDS))
                    .as("the upstream saw its connection closed soon after cancel()")
                    .isTrue();
        }
    }

    @Test
    void requestsGoThroughTheConfiguredHttpProxy() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
                    FakeUpstream.writeJson(out, 200, "{\"via\":\"proxy\"}", false);
                    return true;
                });
                ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            java.util.List<String> connects = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> connectProxy(proxy, up.port(), connects));
            NettyUpstreamTransport proxied = new NettyUpstreamTransport(
                    NioSocketChannel.class,
                    NioDatagramChannel.class,
                    new ProxySettings(Map.of("HTTP_PROXY", "http://127.0.0.1:" + proxy.getLocalPort())::get),
                    30_000);
            NettyUpstreamTransport saved = transport;
            transport = proxied;
            try {
                // A name only the proxy can resolve: the request can only succeed through it.
                UpstreamRequest req = new UpstreamRequest(
                        "POST",
                        URI.create("http://upstream.invalid:8443/v1/chat/completions"),
                        Map.of("content-type", "application/json"),
                        "{}".getBytes(StandardCharsets.UTF_8),
                        false,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2));
                Result r = exchange(req, null);
                assertThat(r.error()).isNull();
                assertThat(r.body()).isEqualTo("{\"via\":\"proxy\"}");
                assertThat(connects).containsExactly("CONNECT upstream.invalid:8443 HTTP/1.1");
                assertThat(up.heads.get(0)).containsIgnoringCase("host: upstream.invalid:8443");
            } finally {
                transport = saved;
                proxied.close();
            }
        }
    }

    /** A minimal CONNECT proxy: maps every tunnel to 127.0.0.1:{@code targetPort} and pipes bytes. */
    private static void connectProxy(ServerSocket proxy, int targetPort, java.util.List<String> connects) {
        while (!proxy.isClosed()) {
            try {
                java.net.Socket client = proxy.accept();
                Thread.ofVirtual().start(() -> {
                    try (client;
                            java.net.Socket target =
                                    new java.net.Socket(InetAddress.getLoopbackAddress(), targetPort)) {
                        var in = client.getInputStream();
                        StringBuilder head = new StringBuilder();
                        int b;
                        while ((b = in.read()) >= 0 && !head.toString().endsWith("\r\n\r\n")) {
                            head.append((char) b);
                            if (head.toString().endsWith("\r\n\r\n")) {
                                break;
                            }
                        }
                        connects.add(head.substring(0, head.indexOf("\r\n")));
                        client.getOutputStream()
                                .write("HTTP/1.1 200 Connection established\r\n\r\n"
                                        .getBytes(StandardCharsets.ISO_8859_1));
                        client.getOutputStream().flush();
                        Thread pump = Thread.ofVirtual().start(() -> {
                            try {
                                target.getInputStream().transferTo(client.getOutputStream());
                            } catch (IOException e) {
                                // closed
                            }
                        });
                        in.transferTo(target.getOutputStream());
                        pump.join(2000);
                    } catch (IOException | InterruptedException e) {
                        // connection ended
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    void errorStatusAndBodyAreDelivered() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            FakeUpstream.writeJson(out, 429, "{\"error\":{\"message\":\"slow down\"}}", false);
            return true;
        })) {
            Result r = exchange(request(up.port(), 2000), null);
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.body()).contains("slow down");
        }
    }

    private static UpstreamRequest jsonRequest(int port, Object value) {
        return new UpstreamRequest(
                "POST",
                URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"),
                Map.of("content-type", "application/json"),
                UpstreamBody.json(io.junction.core.schema.Json.UPSTREAM_WRITER, value),
                false,
                Duration.ofSeconds(2),
                Duration.ofMillis(2000));
    }

    @Test
    void aJsonBodyIsWrittenAtSendTimeWithItsLength() throws Exception {
        String text = "é中😀 " + "x".repeat(5000); // past the first buffer: it grows
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("model", "m");
        value.put("text", text);
        java.util.concurrent.CopyOnWriteArrayList<byte[]> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            bodies.add(body);
            FakeUpstream.writeJson(out, 200, "{\"ok\":true}", false);
            return true;
        })) {
            Result r = exchange(jsonRequest(up.port(), value), null);
            assertThat(r.error()).isNull();
            assertThat(r.status()).isEqualTo(200);
            byte[] expected = io.junction.core.schema.Json.UPSTREAM_WRITER.writeValueAsBytes(value);
            assertThat(up.heads.get(0)).containsIgnoringCase("content-length: " + expected.length + "\r\n");
            assertThat(bodies).hasSize(1);
            assertThat(bodies.get(0)).isEqualTo(expected);
        }
    }

    /** A value Jackson cannot write: its getter throws. */
    public static final class Unwritable {
        public String getBoom() {
            throw new IllegalStateException("cannot serialize");
        }
    }

    @Test
    void aBodyThatCannotBeWrittenFailsTheAttemptAsAnInternalErrorAndSendsNothing() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            FakeUpstream.writeJson(out, 200, "{}", false);
            return true;
        })) {
            Result r = exchange(jsonRequest(up.port(), new Unwritable()), null);
            assertThat(r.error()).isNotNull();
            assertThat(r.error().status()).isEqualTo(500);
            assertThat(r.error().type()).isEqualTo("internal_error");
            assertThat(r.error().getMessage()).doesNotContain("cannot serialize");
            assertThat(up.requests()).isZero();
            // the buffer the body was being written into was released (paranoid leak detection in tests)
        }
    }

    @Test
    void theHostHeaderIsHostWithAPortUnlessItIsTheSchemesDefault() {
        assertThat(NettyExchange.hostHeader(URI.create("http://127.0.0.1:8081/v1"), "127.0.0.1", 8081))
                .isEqualTo("127.0.0.1:8081");
        assertThat(NettyExchange.hostHeader(URI.create("https://api.openai.com/v1"), "api.openai.com", 443))
                .isEqualTo("api.openai.com");
        assertThat(NettyExchange.hostHeader(URI.create("https://api.openai.com:443/v1"), "api.openai.com", 443))
                .as("an explicit default port is left out")
                .isEqualTo("api.openai.com");
        assertThat(NettyExchange.hostHeader(URI.create("http://example.com:443/v1"), "example.com", 443))
                .as("443 is not http's default")
                .isEqualTo("example.com:443");
        assertThat(NettyExchange.hostHeader(URI.create("http://user:pw@example.com:8080/v1"), "example.com", 8080))
                .as("user info never goes into the header")
                .isEqualTo("example.com:8080");
        assertThat(NettyExchange.hostHeader(URI.create("http://[::1]:9000/v1"), "[::1]", 9000))
                .isEqualTo("[::1]:9000");
    }

    @Test
    void aHeaderNettyRefusesFailsTheAttemptAsAnInternalErrorAndSendsNothing() throws Exception {
        try (FakeUpstream up = new FakeUpstream((head, body, out) -> {
            FakeUpstream.writeJson(out, 200, "{}", false);
            return true;
        })) {
            UpstreamRequest bad = new UpstreamRequest(
                    "POST",
                    URI.create("http://127.0.0.1:" + up.port() + "/v1/chat/completions"),
                    Map.of("x-custom", "a\r\nx-injected: 1"),
                    UpstreamBody.json(io.junction.core.schema.Json.UPSTREAM_WRITER, Map.of("model", "m")),
                    false,
                    Duration.ofSeconds(2),
                    Duration.ofMillis(2000));
            Result r = exchange(bad, null);
            assertThat(r.error()).isNotNull();
            assertThat(r.error().status()).isEqualTo(500);
            assertThat(r.error().type()).isEqualTo("internal_error");
            assertThat(up.requests()).isZero();
            // the body was never allocated: headers are checked first (paranoid leak detection in tests)
        }
    }
}
