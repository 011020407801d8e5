package io.junction.server.limits;

import static io.junction.server.limits.RedisLimitStoreTest.awaitConnected;
import static io.junction.server.limits.RedisLimitStoreTest.get;
import static io.junction.server.limits.RedisLimitStoreTest.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junction.core.govern.Decision;
import io.junction.core.govern.Policy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Redis limits store without Redis: every call fails fast (the Governor then applies
 * {@code on_error}), the store says why, and it connects by itself when Redis comes up. Needs no
 * {@code JUNCTION_TEST_REDIS_URL}; the reconnect test starts its own {@code redis-server}.
 */
class RedisLimitStoreFailureTest {
    private static final long T0 = 29_000_000L * 60_000 + 7_500;

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void redisDownFailsEveryCallFastAndSaysWhy() throws Exception {
        int port = closedPort();
        try (RedisLimitStore down = new RedisLimitStore("redis://:secret@127.0.0.1:" + port, "jt-down", 200)) {
            List<Policy> key = List.of(policy("key:bot", 5L, 100L, 1, 1_000L));
            long t = System.nanoTime();
            assertThatThrownBy(() -> get(down.admit(key, 1, "a", 1000, T0))).isInstanceOf(ExecutionException.class);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
            assertThat(ms).as("fails within its timeout").isLessThan(1_000);
            assertThatThrownBy(() -> get(down.settle(key, T0, 1, 1, T0))).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> get(down.spend(key.get(0), 0))).isInstanceOf(ExecutionException.class);
            down.release(key, "a"); // nothing to do, no exception
            Thread.sleep(300); // the first connection attempt has failed by now
            assertThat(down.unhealthyReason())
                    .contains("127.0.0.1:" + port)
                    .contains("unreachable")
                    .doesNotContain("secret");
        }
    }

    /** The gateway starts with Redis down; the store connects when Redis comes up. */
    @Test
    void aStoreOpenedBeforeRedisIsUpConnectsWhenItIs() throws Exception {
        String server = findRedisServer();
        Assumptions.assumeTrue(server != null, "no redis-server binary: SKIPPED");
        int port = closedPort();
        try (RedisLimitStore late = new RedisLimitStore("redis://127.0.0.1:" + port, "jt-late", 500)) {
            Thread.sleep(200);
            assertThat(late.unhealthyReason()).isNotNull();
            Process p = new ProcessBuilder(
                            server,
                            "--bind",
                            "127.0.0.1",
                            "--port",
                            Integer.toString(port),
                            "--save",
                            "",
                            "--appendonly",
                            "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                awaitConnected(late);
                Decision d = get(late.admit(List.of(policy("key:bot", 1L, null, null, null)), 0, "a", 1000, T0));
                assertThat(d.admitted()).isTrue();
                // Redis goes away again: fast failures, then back to healthy when it returns
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (late.unhealthyReason() == null && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(late.unhealthyReason()).isNotNull();
                long t = System.nanoTime();
                assertThatThrownBy(() ->
                                get(late.admit(List.of(policy("key:bot", 1L, null, null, null)), 0, "b", 1000, T0)))
                        .isInstanceOf(ExecutionException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t)).isLessThan(1_000);
                p = new ProcessBuilder(
                                server,
                                "--bind",
                                "127.0.0.1",
                                "--port",
                                Integer.toString(port),
                                "--save",
                                "",
                                "--appendonly",
                                "no")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                awaitConnected(late);
            } finally {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static String findRedisServer() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            java.io.File f = new java.io.File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
