package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the real process: readiness turns 503 at once, the listening socket closes, a stream in
 * flight finishes within the drain period (or ends with the {@code server_shutting_down} error event
 * when the period is shorter), and the process exits 0.
 */
class ShutdownIT {
    /** 30 words, one every 100 ms: a stream of about 3 s. */
    private static final String WORDS = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20"
            + " w21 w22 w23 w24 w25 w26 w27 w28 w29 w30";

    private static String config(int port, long drainMs) {
        return config(port, drainMs, "ledger: { type: none }\n");
    }

    private static String config(int port, long drainMs, String ledger) {
        return """
                server: { host: 127.0.0.1, port: %d, drain_timeout_ms: %d }
                keys:
                  - { key: %s, name: team-a }
                providers:
                  paced: { type: mock, models: [echo], chunk_delay_ms: 100 }
                  slow:  { type: mock, models: [echo], first_token_delay_ms: 60000 }
                """.formatted(port, drainMs, Configs.KEY) + ledger;
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + WORDS + "\"}]}";
    }

    @Test
    void aStreamInFlightCompletesAfterSigtermAndTheProcessExitsZero() throws Exception {
        Path dir = Files.createTempDirectory("junction-shutdown-it");
        Path db = dir.resolve("usage.db");
        // a flush interval longer than the test: the stream's row can only be written by the exit flush
        String ledger = "ledger: { type: sqlite, path: \"" + db.toString().replace("\\", "/")
                + "\", flush_interval_ms: 60000 }\n";
        try (JunctionProcess junction = JunctionProcess.start("shutdown-drain", port -> config(port, 20_000, ledger));
                RawHttp probe = new RawHttp(junction.port());
                RawHttp stream = new RawHttp(junction.port())) {
            probe.write(RawHttp.get(junction.port(), "/ready", null));
            assertThat(probe.read().status()).isEqualTo(200);
            stream.write(
                    RawHttp.post(junction.port(), "/v1/chat/completions", Configs.KEY, chat("paced/echo", true), null));
            stream.readUntil("\"content\":\"w1");

            long t0 = System.nanoTime();
            junction.sigterm();

            // Readiness flips at once: asked on the connection opened before the signal.
            RawHttp.Response ready = awaitNotReady(probe, junction.port());
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).contains("\"shutdown\":{\"ok\":false");
            assertThat(ready.header("connection")).isEqualToIgnoringCase("close");
            // The listening socket is closed: a new connection is refused.
            assertThat(refusedWithin(junction.port(), Duration.ofSeconds(5))).isTrue();

            String body = stream.readToClose();
            assertThat(body)
                    .contains("\"content\":\" w30\"")
                    .contains("data: [DONE]")
                    .doesNotContain("error");
            assertThat(junction.awaitExit(Duration.ofSeconds(15))).isZero();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms)
                    .as("exit after the stream's ~3 s, well before the 20 s drain")
                    .isLessThan(12_000);
            assertThat(junction.log()).contains("drain complete after").contains("Junction stopped");
        }
        // the drained stream's usage record was flushed to the ledger before the process exited
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT key_name, model_requested, status, stream, completion_tokens FROM usage_record")) {
            assertThat(rs.next()).as("a ledger row for the drained stream").isTrue();
            assertThat(rs.getString("key_name")).isEqualTo("team-a");
            assertThat(rs.getString("model_requested")).isEqualTo("paced/echo");
            assertThat(rs.getInt("status")).isEqualTo(200);
            assertThat(rs.getInt("stream")).isEqualTo(1);
            assertThat(rs.getInt("completion_tokens")).isPositive();
            assertThat(rs.next()).as("exactly one row").isFalse();
        }
    }

    @Test
    void callsLongerThanTheDrainEndWithTheShutdownErrorAndTheProcessExitsZero() throws Exception {
        try (JunctionProcess junction = JunctionProcess.start("shutdown-cut", port -> config(port, 700));
                RawHttp stream = new RawHttp(junction.port());
                RawHttp plain = new RawHttp(junction.port())) {
            stream.write(
                    RawHttp.post(junction.port(), "/v1/chat/completions", Configs.KEY, chat("paced/echo", true), null));
            stream.readUntil("\"content\":\"w1");
            plain.write(
                    RawHttp.post(junction.port(), "/v1/chat/completions", Configs.KEY, chat("slow/echo", false), null));
            Thread.sleep(300); // the non-streamed call is waiting for its (60 s) answer

            junction.sigterm();

            String body = stream.readToClose();
            assertThat(body)
                    .contains("data: {\"error\":{")
                    .contains("\"code\":\"server_shutting_down\"")
                    .doesNotContain("[DONE]")
                    .doesNotContain("w30");
            RawHttp.Response refused = plain.read();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body())
                    .contains("\"code\":\"server_shutting_down\"")
                    .contains("\"type\":\"api_error\"");
            assertThat(refused.header("retry-after")).isEqualTo("1");
            assertThat(junction.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(junction.log())
                    .contains("drain over after")
                    .contains("ending 2 call(s) with server_shutting_down");
        }
    }

    private static RawHttp.Response awaitNotReady(RawHttp probe, int port) throws Exception {
        // The signal is delivered asynchronously: the first probe may still see 200 (and keep the connection).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            probe.write(RawHttp.get(port, "/ready", null));
            RawHttp.Response r = probe.read();
            if (r.status() != 200 || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(20);
        }
    }

    private static boolean refusedWithin(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            } catch (ConnectException e) {
                return true;
            } catch (IOException e) {
                // try again
            }
            Thread.sleep(20);
        }
        return false;
    }
}
