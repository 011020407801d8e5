package io.junction.server.observe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junction.core.schema.Json;
import io.junction.server.ledger.BoundedHandoff;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access-log lines of requests that are not chat calls ({@code /v1/models}, {@code /admin/*}, probes
 * unless excluded, and chat requests refused before a call was built), on the same
 * {@code junction.access} logger as the chat lines. An event loop only offers a small record to a
 * bounded queue (full: the line is dropped and counted, never waited for); one daemon thread,
 * {@code junction-access-log}, formats and writes. Only the path is logged, never the query string
 * or a header value.
 */
public final class RequestAccessLog {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.LOGGER);
    private static final Logger self = LoggerFactory.getLogger(RequestAccessLog.class);
    static final int QUEUE_SIZE = 4096;
    /** Lock-free for the event loops (see {@link BoundedHandoff}); the writer polls it on a short tick. */
    private static final BoundedHandoff<Line> QUEUE = new BoundedHandoff<>(QUEUE_SIZE);

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final AtomicLong DROPPED = new AtomicLong();
    private static final AtomicLong OFFERED = new AtomicLong();
    private static final AtomicLong WRITTEN = new AtomicLong();
    private static final Thread WRITER;

    static {
        WRITER = new Thread(RequestAccessLog::run, "junction-access-log");
        WRITER.setDaemon(true);
        WRITER.start();
    }

    private RequestAccessLog() {}

    /** One finished request. Nullable: key (not authenticated), client, userAgent, traceparent. */
    public record Line(
            long timestampMs,
            String requestId,
            String endpoint,
            String method,
            String path,
            int status,
            long latencyNanos,
            String key,
            String client,
            String userAgent,
            String traceparent) {}

    /** Whether lines would be written at all (the logger's level); cheap, for the event loop. */
    public static boolean enabled() {
        return log.isInfoEnabled();
    }

    /** Hands a line over; never blocks. False when the queue was full and the line was dropped. */
    public static boolean offer(Line line) {
        if (QUEUE.offer(line)) {
            OFFERED.incrementAndGet();
            return true;
        }
        DROPPED.incrementAndGet();
        return false;
    }

    /** Lines dropped since start because the writer could not keep up. */
    public static long dropped() {
        return DROPPED.get();
    }

    /** Waits (bounded) until every line queued so far is written: shutdown, tests. Not on an event loop. */
    public static void flush(long timeoutMs) {
        long target = OFFERED.get();
        LockSupport.unpark(WRITER); // skip the rest of its tick
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (WRITTEN.get() < target && System.nanoTime() < until) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void run() {
        long reportedDrops = 0;
        while (true) {
            // Polled, not taken: a writer blocked in take() would make every offer a futex wake-up
            Line l = QUEUE.poll();
            if (l == null) {
                LockSupport.parkNanos(TICK_NANOS);
                if (Thread.interrupted()) {
                    return;
                }
                continue;
            }
            try {
                log.info(line(l));
                long d = DROPPED.get();
                if (d != reportedDrops) {
                    self.warn("access log: {} line(s) of non-chat requests dropped since start (queue full)", d);
                    reportedDrops = d;
                }
            } catch (RuntimeException e) {
                self.warn("access log: {}", e.toString());
            } finally {
                WRITTEN.incrementAndGet();
            }
        }
    }

    /** The JSON line of {@code l}. */
    public static String line(Line l) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("ts", Instant.ofEpochMilli(l.timestampMs()).toString());
        o.put("type", "access");
        o.put("request_id", l.requestId());
        o.put("endpoint", l.endpoint());
        o.put("method", l.method());
        o.put("path", l.path());
        o.put("key", l.key());
        o.put("client", l.client());
        o.put("user_agent", l.userAgent());
        if (l.traceparent() != null) {
            o.put("traceparent", l.traceparent());
            o.put("trace_id", l.traceparent().substring(3, 35));
        }
        o.put("status", l.status());
        o.put("error_type", ErrorTypes.classify(l.status(), null, false));
        o.put("latency_ms", TimeUnit.NANOSECONDS.toMillis(l.latencyNanos()));
        o.put("latency_us", TimeUnit.NANOSECONDS.toMicros(l.latencyNanos()));
        return Json.string(o);
    }
}
