package io.junction.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.server.JunctionServer;
import io.junction.server.TestGateway;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** In-process: the drain sequence of {@link JunctionServer#shutdown}, observed from raw client sockets. */
@Timeout(60)
class GracefulShutdownTest {
    /** Paced mock: every streamed word 100 ms apart; slow mock: the answer starts after 20 s. */
    private static final String CONFIG = """
            providers:
              paced: { type: mock, models: [echo], chunk_delay_ms: 100 }
              slow:  { type: mock, models: [echo], first_token_delay_ms: 20000 }
            """;
    /** 20 words: a stream of about 2 s. */
    private static final String WORDS = "one two three four five six seven eight nine ten "
            + "eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty";

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + WORDS + "\"}]}";
    }

    @Test
    void aStreamInFlightFinishesWhileReadinessFailsAndNewConnectionsAreRefused() throws Exception {
        TestGateway gw = new TestGateway(CONFIG);
        JunctionServer server = gw.server();
        int port = server.port();
        AtomicLong inFlightWhenHookRan = new AtomicLong(-1);
        server.onShutdown(() -> inFlightWhenHookRan.set(server.lifecycle().inFlight()));
        try (RawClient idle = new RawClient(port);
                RawClient idle2 = new RawClient(port);
                RawClient stream = new RawClient(port)) {
            idle.send(RawClient.get("/ready"));
            assertThat(idle.readResponse()).startsWith("HTTP/1.1 200").contains("\"status\":\"ready\"");
            idle2.send(RawClient.get("/health"));
            assertThat(idle2.readResponse()).startsWith("HTTP/1.1 200");

            stream.send(RawClient.post("/v1/chat/completions", chat("paced/echo", true)));
            stream.readUntil("\"content\":\"one");
            assertThat(server.lifecycle().inFlight()).isEqualTo(1);

            CompletableFuture<Void> stopping =
                    CompletableFuture.runAsync(() -> server.shutdown(Duration.ofSeconds(20)));

            // readiness: 503 at once, on a connection that was already open
            waitUntil(() -> server.lifecycle().draining());
            idle.send(RawClient.get("/ready"));
            String ready = idle.readResponse();
            assertThat(ready)
                    .startsWith("HTTP/1.1 503")
                    .containsIgnoringCase("connection: close")
                    .contains("\"shutdown\":{\"ok\":false");
            // a new chat call on an open connection is refused, and that connection closes
            idle2.send(RawClient.post("/v1/chat/completions", chat("paced/echo", false)));
            assertThat(idle2.readToEnd())
                    .startsWith("HTTP/1.1 503")
                    .containsIgnoringCase("connection: close")
                    .contains("\"code\":\"server_shutting_down\"");
            // new connections are refused
            waitUntil(() -> refused(port));

            String body = stream.readToEnd();
            assertThat(body).contains("twenty").contains("data: [DONE]").doesNotContain("server_shutting_down");
            stopping.get(10, TimeUnit.SECONDS);
            assertThat(inFlightWhenHookRan.get()).isZero();
        } finally {
            gw.close();
        }
    }

    /**
     * The signal can arrive while {@code /ready} runs its checks. The answer and the connection's fate
     * must agree: a "ready" answer keeps the connection (a probe reading 200 may ask again on it), and
     * the next one says 503 and closes. (Once, under load, a 200 went out with "Connection: close".)
     */
    @Test
    void aReadyAnswerComputedAsTheDrainBeginsKeepsItsConnection() throws Exception {
        TestGateway gw = new TestGateway(CONFIG);
        JunctionServer server = gw.server();
        // runs after the "shutdown" check: the drain begins between that check and the answer
        server.lifecycle().readiness().add("signal-arrives", () -> {
            server.lifecycle().beginDrain();
            return Readiness.Result.up();
        });
        try (RawClient probe = new RawClient(server.port())) {
            probe.send(RawClient.get("/ready"));
            String first = probe.readResponse();
            assertThat(first)
                    .startsWith("HTTP/1.1 200")
                    .contains("\"shutdown\":{\"ok\":true")
                    .doesNotContainIgnoringCase("connection: close");
            assertThat(server.lifecycle().draining()).isTrue();

            probe.send(RawClient.get("/ready"));
            assertThat(probe.readToEnd())
                    .startsWith("HTTP/1.1 503")
                    .containsIgnoringCase("connection: close")
                    .contains("\"shutdown\":{\"ok\":false");
        } finally {
            gw.close();
        }
    }

    @Test
    void callsStillRunningWhenTheDrainEndsGetTheShutdownError() throws Exception {
        TestGateway gw = new TestGateway(CONFIG);
        JunctionServer server = gw.server();
        int port = server.port();
        try (RawClient stream = new RawClient(port);
                RawClient plain = new RawClient(port)) {
            stream.send(RawClient.post("/v1/chat/completions", chat("paced/echo", true)));
            stream.readUntil("\"content\":\"one");
            plain.send(RawClient.post("/v1/chat/completions", chat("slow/echo", false)));
            waitUntil(() -> server.lifecycle().inFlight() == 2);

            long t0 = System.nanoTime();
            server.shutdown(Duration.ofMillis(300));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

            String streamed = stream.readToEnd();
            assertThat(streamed)
                    .contains("data: {\"error\":")
                    .contains("\"code\":\"server_shutting_down\"")
                    .doesNotContain("[DONE]")
                    .doesNotContain("twenty");
            String answered = plain.readToEnd();
            assertThat(answered).startsWith("HTTP/1.1 503").contains("\"code\":\"server_shutting_down\"");
            assertThat(tookMs).isLessThan(5_000);
            assertThat(server.lifecycle().inFlight()).isZero();
        } finally {
            gw.close();
        }
    }

    @Test
    void withNothingInFlightShutdownIsImmediateAndIdleConnectionsClose() throws Exception {
        TestGateway gw = new TestGateway(CONFIG);
        JunctionServer server = gw.server();
        try (RawClient idle = new RawClient(server.port())) {
            idle.send(RawClient.get("/health"));
            assertThat(idle.readResponse()).startsWith("HTTP/1.1 200");
            long t0 = System.nanoTime();
            server.shutdown(Duration.ofSeconds(30));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
            assertThat(idle.readToEnd()).isEmpty();
        } finally {
            gw.close();
        }
    }

    @Test
    void aHookThatThrowsDoesNotStopTheNextOne() throws Exception {
        TestGateway gw = new TestGateway(CONFIG);
        JunctionServer server = gw.server();
        AtomicLong ran = new AtomicLong();
        server.onShutdown(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        server.onShutdown(ran::incrementAndGet);
        gw.close();
        gw.close(); // idempotent
        assertThat(ran.get()).isEqualTo(1);
        assertThatThrownBy(() -> server.reload(server.config())).isInstanceOf(IllegalStateException.class);
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
