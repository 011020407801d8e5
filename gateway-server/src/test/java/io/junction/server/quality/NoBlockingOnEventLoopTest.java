package io.junction.server.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.junction.core.cache.CachedAnswer;
import io.junction.core.govern.BudgetPeriod;
import io.junction.core.govern.Policy;
import io.junction.core.schema.ChatMessage;
import io.junction.core.schema.ChatResponse;
import io.junction.core.schema.Usage;
import io.junction.server.JunctionServer;
import io.junction.server.TestGateway;
import io.junction.server.cache.RedisResponseCache;
import io.junction.server.limits.RedisLimitStore;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;

/**
 * The "no blocking call on an event loop" gate: BlockHound (with Netty's own integration, which marks
 * event-loop threads as non-blocking) records every blocking call made on a Netty event loop while an
 * in-process Junction serves a varied workload; the test fails if there is any.
 */
class NoBlockingOnEventLoopTest {
    private static final List<String> BLOCKING = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void install() {
        BlockHound.builder()
                // Netty 4.2's bundled integration does not recognise MultiThreadIoEventLoopGroup threads,
                // so mark Junction's own loops (and the probe loop below) by their thread names.
                .nonBlockingThreadPredicate(p -> p.or(NoBlockingOnEventLoopTest::isEventLoop))
                // Netty's own: a loop that terminates (another test's server closing) hands its
                // termination listeners to GlobalEventExecutor through a LinkedBlockingQueue, whose lock
                // can be contended for an instant. Netty's BlockHound integration allows the same call.
                .allowBlockingCallsInside("io.netty.util.concurrent.GlobalEventExecutor", "addTask")
                .blockingMethodCallback(
                        m -> BLOCKING.add(m + " on " + Thread.currentThread().getName() + "\n" + stack()))
                .install();
    }

    static boolean isEventLoop(Thread t) {
        String n = t.getName();
        return n.startsWith(JunctionServer.LOOP_THREAD_PREFIX)
                || n.startsWith(JunctionServer.ACCEPTOR_THREAD_PREFIX)
                || n.startsWith("probe-loop");
    }

    private static String stack() {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] st = Thread.currentThread().getStackTrace();
        for (int i = 2; i < Math.min(st.length, 30); i++) {
            sb.append("    at ").append(st[i]).append('\n');
        }
        return sb.toString();
    }

    @Test
    void theGateCatchesABlockingCallOnAnEventLoop() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new io.netty.util.concurrent.DefaultThreadFactory("probe-loop"), NioIoHandler.newFactory());
        try {
            group.submit(() -> {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    })
                    .get(5, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(BLOCKING).as("a sleep on an event loop is caught").anySatisfy(s -> assertThat(s)
                .contains("sleep"));
        BLOCKING.clear();
    }

    @Test
    void servingTrafficNeverBlocksAnEventLoop() throws Exception {
        serveVariedTraffic("", Map.of());
    }

    /**
     * The same workload with tracing on: spans are created and ended on the loops, batched and
     * exported over OTLP/HTTP (the JDK sender) to a collector stub, exemplars are sampled, and the
     * OpenMetrics scrape is served — none of it may block a loop.
     */
    @Test
    void servingTrafficWithTracingNeverBlocksAnEventLoop() throws Exception {
        java.util.concurrent.atomic.AtomicInteger exports = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        collector.createContext("/v1/traces", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                exports.incrementAndGet();
                ex.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        try {
            serveVariedTraffic(
                    "tracing: { enabled: true, endpoint: \"http://127.0.0.1:%d/v1/traces\" }\n"
                            .formatted(collector.getAddress().getPort()),
                    Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        } finally {
            collector.stop(0);
        }
        assertThat(exports.get())
                .as("spans were exported (at shutdown at the latest)")
                .isPositive();
    }

    private void serveVariedTraffic(String extraYaml, Map<String, String> headers) throws Exception {
        BLOCKING.clear();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> serveOpenAi(upstream));
            try (TestGateway gw = new TestGateway("""
                    server: { host: 127.0.0.1, port: 0, stream_keepalive_ms: 50, max_body_bytes: 4096 }
                    providers:
                      mock: {}
                      slow: { type: mock, first_token_delay_ms: 120 }
                      down: { type: mock, fail_status: 503, retry: { max_retries: 1, initial_backoff_ms: 5, max_backoff_ms: 5 } }
                      up: { type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: sk-up, retry: { max_retries: 0 } }
                    models:
                      resilient: { targets: [down/x, mock/echo] }
                    cache: { enabled: true, mode: always }
                    """.formatted(upstream.getLocalPort()) + extraYaml)) {
                String hello = "{\"model\":\"%s\",%s\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
                // twice: the second round is served by the response cache (lookups, JSON and SSE replays)
                for (int round = 0; round < 2; round++) {
                    for (String model : List.of("mock/echo", "resilient", "slow/x", "up/gpt-4o-mini")) {
                        for (String stream :
                                List.of("", "\"stream\":true,\"stream_options\":{\"include_usage\":true},")) {
                            HttpResponse<String> r =
                                    gw.post("/v1/chat/completions", hello.formatted(model, stream), headers);
                            assertThat(r.statusCode()).as(model + " " + stream).isEqualTo(200);
                            if (round == 1) {
                                assertThat(r.headers().firstValue("x-junction-cache"))
                                        .as(model + " " + stream)
                                        .hasValue("HIT");
                            }
                        }
                    }
                }
                assertThat(gw.post("/v1/chat/completions", "{\"model\":").statusCode())
                        .isEqualTo(400);
                assertThat(gw.post(
                                        "/v1/chat/completions",
                                        hello.formatted("mock/echo", "").replace("hello", "x".repeat(5000)))
                                .statusCode())
                        .isEqualTo(413);
                assertThat(gw.get("/metrics", Map.of()).statusCode()).isEqualTo(200);
                assertThat(gw.get("/metrics", Map.of("accept", "application/openmetrics-text"))
                                .statusCode())
                        .isEqualTo(200);
                assertThat(gw.get("/v1/models", Map.of()).statusCode()).isEqualTo(200);
                assertThat(Thread.getAllStackTraces().keySet())
                        .as("the gateway's event loops are the threads the gate watches")
                        .anySatisfy(t -> assertThat(
                                        isEventLoop(t) && t.getName().startsWith(JunctionServer.LOOP_THREAD_PREFIX))
                                .isTrue());
            }
        }
        assertThat(BLOCKING).as("blocking calls on event loops").isEmpty();
    }

    /**
     * The Redis limits store called from an event loop, as the gateway calls it: admissions,
     * settlements, releases and spend look-ups only hand commands to Lettuce's own thread.
     */
    @Test
    void theRedisLimitStoreNeverBlocksAnEventLoop() throws Exception {
        String url = System.getenv("JUNCTION_TEST_REDIS_URL");
        Assumptions.assumeTrue(
                url != null, "no Redis: run '. .ci/redis.sh' first (CI does); the Redis part of the gate is SKIPPED");
        BLOCKING.clear();
        String prefix = "jt-bh-" + Long.toHexString(System.nanoTime());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new io.netty.util.concurrent.DefaultThreadFactory("probe-loop"), NioIoHandler.newFactory());
        try (RedisLimitStore store = new RedisLimitStore(url, prefix, 2_000)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (store.unhealthyReason() != null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Policy key = new Policy("key:bh", 20L, 5_000L, 3, 9_000_000L, BudgetPeriod.parse("1d"), 0.8);
            Policy team = new Policy("team:bh", 30L, null, null, null, null, 0.8);
            List<CompletableFuture<?>> all = new CopyOnWriteArrayList<>();
            group.submit(() -> {
                        long now = System.currentTimeMillis();
                        for (int i = 0; i < 40; i++) {
                            String lease = "l" + i;
                            all.add(store.admit(List.of(key, team), 50, lease, 60_000, now)
                                    .toCompletableFuture());
                            all.add(store.settle(List.of(key, team), now, 10, 1000, now)
                                    .toCompletableFuture());
                            store.release(List.of(key, team), lease);
                        }
                        all.add(store.spend(key, key.period().window(now).startMs())
                                .toCompletableFuture());
                    })
                    .get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(all).hasSize(81);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(BLOCKING).as("blocking calls on event loops").isEmpty();
    }

    /**
     * The Redis response cache called from an event loop, as ChatResponder calls it: lookups (hit and
     * miss, completed back on the loop) and writes only hand commands to Lettuce's own thread.
     */
    @Test
    void theRedisResponseCacheNeverBlocksAnEventLoop() throws Exception {
        String url = System.getenv("JUNCTION_TEST_REDIS_URL");
        Assumptions.assumeTrue(
                url != null, "no Redis: run '. .ci/redis.sh' first (CI does); the Redis part of the gate is SKIPPED");
        BLOCKING.clear();
        String prefix = "jt-bh-" + Long.toHexString(System.nanoTime());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new io.netty.util.concurrent.DefaultThreadFactory("probe-loop"), NioIoHandler.newFactory());
        try (RedisResponseCache cache = new RedisResponseCache(url, prefix, 10_000, 2_000, op -> {})) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cache.unhealthyReason() != null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            CachedAnswer answer = new CachedAnswer(
                    new ChatResponse(
                            "chatcmpl-bh",
                            "chat.completion",
                            1L,
                            "m",
                            List.of(new ChatResponse.Choice(0, ChatMessage.of("assistant", "hi"), null, "stop", null)),
                            Usage.of(1, 1),
                            null,
                            null,
                            null,
                            null),
                    "p",
                    "m",
                    1L);
            group.submit(() -> {
                        for (int i = 0; i < 40; i++) {
                            cache.put("jc1:bh" + i, answer);
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            Thread.sleep(200); // the writes reach Redis
            List<CompletableFuture<?>> all = new CopyOnWriteArrayList<>();
            var loop = group.next();
            loop.submit(() -> {
                        for (int i = 0; i < 80; i++) {
                            CompletableFuture<Object> back = new CompletableFuture<>();
                            cache.get("jc1:bh" + i)
                                    .whenComplete((a, e) -> loop.execute(() -> back.complete(a == null ? "miss" : a)));
                            all.add(back);
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(all).hasSize(80);
            assertThat(all.subList(0, 40)).allSatisfy(f -> assertThat(f.get()).isInstanceOf(CachedAnswer.class));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(BLOCKING).as("blocking calls on event loops").isEmpty();
    }

    @Test
    void runTimeKeysNeverBlockAnEventLoop(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        BLOCKING.clear();
        try (TestGateway gw =
                new TestGateway("""
                admin: { key: adm }
                providers:
                  mock: {}
                ledger: { type: sqlite, path: "%s" }
                """.formatted(dir.resolve("k.db").toString().replace("\\", "/")))) {
            Map<String, String> admin = Map.of("authorization", "Bearer adm");
            HttpResponse<String> c = gw.post("/admin/keys", "{\"name\":\"bot\"}", admin);
            assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
            var k = io.junction.core.schema.Json.MAPPER.readTree(c.body());
            String hello = "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            Map<String, String> auth =
                    Map.of("authorization", "Bearer " + k.get("key").asText());
            assertThat(gw.post("/v1/chat/completions", hello, auth).statusCode())
                    .isEqualTo(200);
            assertThat(gw.get("/admin/keys", admin).statusCode()).isEqualTo(200);
            assertThat(gw.get("/admin/keys/" + k.get("id").asText(), admin).statusCode())
                    .isEqualTo(200);
            var patch = java.net.http.HttpRequest.newBuilder(
                            gw.uri("/admin/keys/" + k.get("id").asText()))
                    .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"enabled\":false}"))
                    .header("authorization", "Bearer adm")
                    .build();
            assertThat(gw.client()
                            .send(patch, HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(gw.post("/v1/chat/completions", hello, auth).statusCode())
                    .isEqualTo(401);
            assertThat(gw.post("/v1/chat/completions", hello, Map.of("authorization", "Bearer jk-unknown"))
                            .statusCode())
                    .isEqualTo(401);
        }
        assertThat(BLOCKING).as("blocking calls on event loops").isEmpty();
    }

    /** A minimal OpenAI-compatible upstream on a plain socket (keep-alive, fixed answers). */
    private static void serveOpenAi(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        var in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        while (true) {
                            StringBuilder head = new StringBuilder();
                            int b;
                            while ((b = in.read()) >= 0) {
                                head.append((char) b);
                                if (head.toString().endsWith("\r\n\r\n")) {
                                    break;
                                }
                            }
                            if (b < 0) {
                                return;
                            }
                            int len = 0;
                            for (String line : head.toString().split("\r\n")) {
                                if (line.toLowerCase().startsWith("content-length:")) {
                                    len = Integer.parseInt(line.substring(15).trim());
                                }
                            }
                            String body = new String(in.readNBytes(len), StandardCharsets.UTF_8);
                            String answer;
                            String type;
                            if (body.contains("\"stream\":true")) {
                                type = "text/event-stream";
                                answer =
                                        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n"
                                                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                                                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1,\"total_tokens\":3}}\n\n"
                                                + "data: [DONE]\n\n";
                            } else {
                                type = "application/json";
                                answer =
                                        "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1,\"total_tokens\":3}}";
                            }
                            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                            out.write(("HTTP/1.1 200 OK\r\ncontent-type: " + type + "\r\ncontent-length: "
                                            + bytes.length + "\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            out.write(bytes);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // client went away
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }
}
