package io.junction.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.error.GatewayException;
import io.junction.core.transport.ExchangeListener;
import io.junction.core.transport.UpstreamHeaders;
import io.junction.core.transport.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream TLS verifies certificates: a self-signed server is refused with a clear, retryable 502. */
class TlsVerificationTest {

    @Test
    void selfSignedUpstreamIsRefused(@TempDir Path dir) throws Exception {
        Path ks = dir.resolve("upstream.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keyalg",
                        "EC",
                        "-alias",
                        "up",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        ks.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue())
                .as(new String(keytool.getInputStream().readAllBytes()))
                .isZero();

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket socket = (SSLServerSocket)
                ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());

        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        NettyUpstreamTransport transport = new NettyUpstreamTransport(
                NioSocketChannel.class, NioDatagramChannel.class, new ProxySettings(name -> null), 30_000);
        try (FakeUpstream up = new FakeUpstream(socket, (head, body, out) -> {
            FakeUpstream.writeJson(out, 200, "{}", false);
            return true;
        })) {
            EventLoop loop = group.next();
            CompletableFuture<GatewayException> result = new CompletableFuture<>();
            UpstreamRequest req = new UpstreamRequest(
                    "POST",
                    URI.create("https://127.0.0.1:" + up.port() + "/v1/chat/completions"),
                    Map.of(),
                    "{}".getBytes(StandardCharsets.UTF_8),
                    false,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5));
            loop.execute(() -> transport.open(req, loop, new ExchangeListener() {
                @Override
                public void onHeaders(int status, UpstreamHeaders headers) {
                    result.completeExceptionally(new AssertionError("got an HTTP answer over untrusted TLS"));
                }

                @Override
                public void onBody(ByteBuf content) {}

                @Override
                public void onEnd() {}

                @Override
                public void onError(GatewayException error) {
                    result.complete(error);
                }
            }));
            GatewayException e = result.get(10, TimeUnit.SECONDS);
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.getMessage()).contains("TLS");
            assertThat(up.requests())
                    .as("no request was sent over the untrusted connection")
                    .isZero();
        } finally {
            transport.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
