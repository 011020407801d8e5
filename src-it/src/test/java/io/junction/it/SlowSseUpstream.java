package io.junction.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slow OpenAI-compatible streaming upstream on 127.0.0.1 (JDK {@code HttpServer}): one content
 * chunk every {@value #INTERVAL_MS} ms, {@value #LONG_CHUNKS} chunks (~10 s) in all, then a finish
 * chunk and {@code [DONE]}. A request whose body contains {@value #SHORT_MARKER} gets only
 * {@value #SHORT_CHUNKS} chunks. For every stream it records how it ended; a failed write means its
 * client (Junction) closed the connection.
 */
final class SlowSseUpstream implements AutoCloseable {
    static final long INTERVAL_MS = 50;
    static final int LONG_CHUNKS = 200;
    static final int SHORT_CHUNKS = 3;
    static final String SHORT_MARKER = "SHORT";

    /** How one stream ended: completed, or cut because a write failed after {@code elapsedMs}. */
    record Outcome(int chunksWritten, boolean writeFailed, long elapsedMs, long endedAtNanos) {}

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "slow-sse-upstream");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    SlowSseUpstream() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(pool); // one thread per stream: a slow stream must not block the next request
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    int requests() {
        return requests.get();
    }

    /** The next stream outcome, waiting at most {@code timeoutMs}; null if none. */
    Outcome nextOutcome(long timeoutMs) throws InterruptedException {
        return outcomes.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Forgets outcomes not yet taken. */
    void clearOutcomes() {
        outcomes.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        long start = System.nanoTime();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int total = body.contains(SHORT_MARKER) ? SHORT_CHUNKS : LONG_CHUNKS;
        ex.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
        int written = 0;
        try (ex) {
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < total && !closed; i++) {
                out.write(event(chunk("w" + i + " ", null)));
                out.flush();
                written++;
                Thread.sleep(INTERVAL_MS);
            }
            out.write(event(chunk(null, "stop")));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            outcomes.add(new Outcome(written, false, millisSince(start), System.nanoTime()));
        } catch (IOException e) {
            outcomes.add(new Outcome(written, true, millisSince(start), System.nanoTime()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    static String chunk(String content, String finish) {
        String delta = content == null ? "{}" : "{\"content\":\"" + content + "\"}";
        return "{\"id\":\"chatcmpl-slow\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"slow-model\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static byte[] event(String json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        pool.shutdownNow();
    }
}
