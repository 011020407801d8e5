package io.junction.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode: two Junction processes sharing one Redis limits store enforce one rate limit
 * together, and a gateway whose Redis is down at start still starts and (fail_open) serves. The
 * Redis is the one {@code .ci/redis.sh} starts ({@code JUNCTION_TEST_REDIS_URL}; {@code .ci/run}
 * sources it); without it the cross-replica test is reported skipped.
 */
class RedisLimitsIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String KEY = "sk-redis-rpm";
    private static final String URL = System.getenv("JUNCTION_TEST_REDIS_URL");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK =
            "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";

    private static String config(int port, String redisUrl, String prefix) {
        return """
                server: { host: 127.0.0.1, port: %d }
                limits_store: { type: redis, url: "%s", prefix: %s, timeout_ms: 1000 }
                keys:
                  - { key: %s, name: shared-bot, limits: { rpm: 10 } }
                providers:
                  mock: { type: mock, models: [echo] }
                ledger: { type: none }
                """.formatted(port, redisUrl, prefix, KEY);
    }

    @Test
    void twoReplicasShareOneRateLimit() throws Exception {
        Assumptions.assumeTrue(
                URL != null,
                "no Redis: run '. .ci/redis.sh' first (CI does) to set JUNCTION_TEST_REDIS_URL;"
                        + " the cross-replica rate-limit test is SKIPPED");
        // a prefix of its own: a rerun (or another test) never sees this run's counters
        String prefix = "jit-" + UUID.randomUUID().toString().substring(0, 8);
        try (JunctionProcess a = JunctionProcess.start("redis-a", port -> config(port, URL, prefix));
                JunctionProcess b = JunctionProcess.start("redis-b", port -> config(port, URL, prefix))) {
            for (JunctionProcess j : List.of(a, b)) {
                HttpResponse<String> ready = Clients.get(j, "/ready", null);
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(ready.body()).contains("limits_store");
            }
            // rpm is a sliding window over two one-minute buckets: a burst that straddles a minute
            // boundary sees the previous minute's count discounted by the time elapsed in the new
            // one, and could be let through an 11th call. Start the burst with >= 20 s left in the
            // minute, so 20 calls (well under a second each) all land in one bucket.
            long left = 60_000 - System.currentTimeMillis() % 60_000;
            if (left < 20_000) {
                Thread.sleep(left + 200);
            }
            List<Integer> statuses = new ArrayList<>();
            int okA = 0;
            int okB = 0;
            for (int i = 0; i < 20; i++) {
                JunctionProcess j = i % 2 == 0 ? a : b;
                HttpResponse<String> r = Clients.postJson(j, CHAT, KEY, ASK);
                statuses.add(r.statusCode());
                if (r.statusCode() == 200) {
                    if (j == a) {
                        okA++;
                    } else {
                        okB++;
                    }
                    assertThat(r.headers().firstValue("x-ratelimit-limit-requests"))
                            .hasValue("10");
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                    JsonNode error = JSON.readTree(r.body()).path("error");
                    assertThat(error.path("code").asText()).as(r.body()).isEqualTo("rate_limit_exceeded");
                    assertThat(error.path("message").asText()).contains("key 'shared-bot'");
                    assertThat(r.headers().firstValue("retry-after")).isPresent();
                }
            }
            assertThat(statuses.stream().filter(s -> s == 200).count())
                    .as("statuses in order: %s", statuses)
                    .isEqualTo(10);
            assertThat(statuses.stream().filter(s -> s == 429).count())
                    .as("statuses in order: %s", statuses)
                    .isEqualTo(10);
            // both replicas admitted calls: the limit was shared, not enforced by one of them alone
            assertThat(okA).as("admitted by a").isEqualTo(5);
            assertThat(okB).as("admitted by b").isEqualTo(5);
        }
    }

    @Test
    void redisDownAtStartFailsOpenAndSaysSoInReadiness() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String down = "redis://127.0.0.1:" + closed;
        try (JunctionProcess j = JunctionProcess.start("redis-down", port -> config(port, down, "jit-down"))) {
            for (int i = 0; i < 12; i++) {
                HttpResponse<String> r = Clients.postJson(j, CHAT, KEY, ASK);
                assertThat(r.statusCode()).as("fail_open: %s", r.body()).isEqualTo(200);
            }
            HttpResponse<String> ready = Clients.get(j, "/ready", null);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body())
                    .contains("limits_store")
                    .contains("unreachable")
                    .contains("127.0.0.1:" + closed);
            HttpResponse<String> metrics = Clients.get(j, "/metrics", null);
            assertThat(metrics.body()).contains("junction_limits_store_errors_total");
        }
    }
}
