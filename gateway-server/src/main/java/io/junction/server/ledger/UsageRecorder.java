package io.junction.server.ledger;

import io.junction.core.config.LedgerSpec;
import io.junction.core.error.GatewayException;
import io.junction.server.metrics.GatewayMetrics;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes usage records from the event loops and writes them to the {@link UsageStore} in batches,
 * from one background thread.
 *
 * <p>{@link #record} never blocks: it offers to a bounded queue and, when the queue is full, drops
 * the record, counts it ({@code junction_ledger_dropped_total{reason="queue_full"}}) and logs (at
 * most every 10 s). The writer thread resolves each item (deferred usage estimates are computed
 * there, off the event loop), and writes a batch when {@code batch_size} records are waiting or the
 * oldest has waited {@code flush_interval_ms}: a crash loses at most that interval's records (plus
 * the batch being written). A failed write is logged and its records are dropped and counted
 * ({@code reason="write_failed"}). {@link #close} stops the thread and writes everything queued.
 *
 * <p>Each record also goes to the access log from the writer thread, so log I/O never runs on an
 * event loop either. Admin queries run on a separate thread.
 */
public final class UsageRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);
    private volatile String lastWriteError;
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Items resolved and logged between two offers of the CPU in a drain (~0.1 ms of work). */
    private static final int ITEMS_PER_SLICE = 32;
    /**
     * The writer offers the CPU between slices of its work only while fewer than this share of the
     * queue's capacity wait ({@link #offerCpu}).
     */
    private static final int BACKLOG_DIVISOR = 8;

    /** What the event loop hands over: a finished record, or one whose usage is estimated on the writer thread. */
    public interface Item {
        UsageRecord resolve();
    }

    private final UsageStore store;
    private final GatewayMetrics metrics;
    private volatile RecordSink accessLog = RecordSink.NONE;
    private final BoundedHandoff<Item> queue;
    private final int backlog;
    private final int batchSize;
    private final long intervalNanos;
    /** How long the writer sleeps when the queue was empty: records wait at most this long to be taken. */
    private final long handoffTickNanos;

    private final LongSupplier clock;
    private final List<UsageRecord> pending = new ArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE);
    private final ExecutorService queries;
    private long oldestPendingNanos;
    private Thread thread;
    private volatile boolean running;
    private volatile boolean closed;
    private boolean silent;

    /**
     * @param store where records go; null keeps none (estimates and metrics still happen)
     * @param clock monotonic nanoseconds (tests inject one)
     */
    public UsageRecorder(
            UsageStore store,
            GatewayMetrics metrics,
            int queueSize,
            int batchSize,
            long flushIntervalMs,
            LongSupplier clock) {
        this.store = store;
        this.metrics = metrics;
        this.queue = new BoundedHandoff<>(queueSize);
        this.backlog = Math.max(1, queueSize / BACKLOG_DIVISOR);
        if (store != null) {
            store.pace(this::offerCpu);
            metrics.ledgerQueued(queue::size);
        }
        this.batchSize = batchSize;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
        this.handoffTickNanos = Math.min(intervalNanos, TimeUnit.MILLISECONDS.toNanos(20));
        this.clock = clock;
        this.queries = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "junction-ledger-query");
            t.setDaemon(true);
            return t;
        });
    }

    /** The store {@code spec} asks for (opened, schema migrated) behind a started recorder. */
    public static UsageRecorder start(LedgerSpec spec, GatewayMetrics metrics) {
        UsageStore store = null;
        try {
            store = switch (spec.type()) {
                case "sqlite" -> JdbcUsageStore.sqlite(Path.of(spec.path()));
                case "postgres" -> JdbcUsageStore.postgres(spec.url(), spec.user(), spec.password());
                default -> null;
            };
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the usage ledger (" + spec.type() + "): " + e.getMessage(), e);
        }
        if (store != null) {
            log.info("usage ledger: {}", store.describe());
        } else {
            log.info("usage ledger: off (ledger.type: none)");
        }
        UsageRecorder r = new UsageRecorder(
                store, metrics, spec.queueSize(), spec.batchSize(), spec.flushIntervalMs(), System::nanoTime);
        r.startThread();
        return r;
    }

    /** No store and no thread: records are dropped silently (for contexts built without a ledger). */
    public static UsageRecorder disabled(GatewayMetrics metrics) {
        UsageRecorder r = new UsageRecorder(null, metrics, 1, 1, 1000, System::nanoTime);
        r.closed = true;
        r.silent = true;
        return r;
    }

    /** Where each finished record goes besides the store (the access log), on the writer thread. */
    public void accessLog(RecordSink sink) {
        this.accessLog = sink;
    }

    public boolean enabled() {
        return store != null;
    }

    /** The store behind this recorder, or null without a ledger. */
    public UsageStore store() {
        return store;
    }

    /** Hands a finished call's record over; never blocks. False when it was dropped. */
    public boolean record(Item item) {
        if (closed) {
            if (!silent) {
                drop("closed");
            }
            return false;
        }
        if (queue.offer(item)) {
            return true;
        }
        drop("queue_full");
        return false;
    }

    private void drop(String reason) {
        long n = dropped.incrementAndGet();
        metrics.ledgerDropped(reason, 1);
        long now = clock.getAsLong();
        long last = lastDropLog.get();
        if ((last == Long.MIN_VALUE || now - last >= DROP_LOG_INTERVAL_NANOS) && lastDropLog.compareAndSet(last, now)) {
            log.warn(
                    "usage ledger: a record was dropped ({}); {} dropped since start. The queue holds {} records:"
                            + " the store is slower than the request rate",
                    reason,
                    n,
                    queue.capacity());
        }
    }

    /** Records dropped since start. */
    public long dropped() {
        return dropped.get();
    }

    void startThread() {
        running = true;
        thread = new Thread(this::run, "junction-ledger-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The writer's loop. It does not block on the queue: a consumer waiting on the queue's condition
     * makes every {@code offer} from an event loop a futex wake-up and a context switch (about one
     * per request). Instead it drains what has arrived, then sleeps for a short tick; an event
     * loop's hand-off is then a lock-free enqueue ({@link BoundedHandoff}), with no system call.
     */
    private void run() {
        while (running) {
            try {
                int n = drain();
                flushIfDue();
                if (n == 0 && running) {
                    long wait = handoffTickNanos;
                    if (!pending.isEmpty()) {
                        wait = Math.min(wait, Math.max(0, oldestPendingNanos + intervalNanos - clock.getAsLong()));
                    }
                    LockSupport.parkNanos(this, wait);
                    if (Thread.interrupted()) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                log.error("usage ledger writer: unexpected error", e);
            }
        }
    }

    /** Moves queued items into the pending batch, resolving each; returns how many. */
    int drain() {
        int n = 0;
        Item item;
        RecordSink sink = accessLog;
        try {
            while (pending.size() < batchSize && (item = queue.poll()) != null) {
                if (n++ == 0) {
                    sink.beginBatch(); // the access log writes the drain's lines at once
                } else if (n % ITEMS_PER_SLICE == 0 && offerCpu()) {
                    Thread.yield(); // a loop waiting for this core gets it (JdbcUsageStore.ROWS_PER_SLICE)
                }
                add(item, sink);
            }
        } finally {
            if (n > 0) {
                sink.endBatch();
            }
        }
        return n;
    }

    /**
     * Whether the writer should still give way to a waiting thread between slices of its work: yes
     * while fewer than an eighth of the queue's capacity wait. The yields keep a long drain or a
     * SQLite batch from holding a core an event loop is waiting for (performance-log.md, "Ninth
     * session"), but on saturated cores each one can cost the writer a whole scheduling slice, and a
     * writer that yields three times per 64-row batch then falls behind the request rate and the full
     * queue drops records (performance-log.md, "Sixteenth session"). Once a backlog builds, the ledger
     * catching up comes first: records are billing data, and a queue that stays full loses them.
     */
    boolean offerCpu() {
        return queue.size() < backlog;
    }

    private void add(Item item, RecordSink sink) {
        UsageRecord r;
        try {
            r = item.resolve();
        } catch (RuntimeException e) {
            log.error("usage ledger: could not complete a usage record", e);
            metrics.ledgerDropped("write_failed", 1);
            return;
        }
        if (r == null) {
            return;
        }
        try {
            sink.accept(r);
        } catch (RuntimeException e) {
            log.warn("access log: {}", e.toString());
        }
        if (pending.isEmpty()) {
            oldestPendingNanos = clock.getAsLong();
        }
        pending.add(r);
    }

    /** Writes the pending batch if it is full or its oldest record has waited the interval; returns rows written. */
    int flushIfDue() {
        if (pending.isEmpty()) {
            return 0;
        }
        if (pending.size() >= batchSize || clock.getAsLong() - oldestPendingNanos >= intervalNanos) {
            return write();
        }
        return 0;
    }

    /** Writes everything queued and pending now, in batches; returns rows written. */
    int flushAll() {
        int written = 0;
        do {
            drain();
            written += write();
        } while (!queue.isEmpty());
        return written;
    }

    private int write() {
        if (pending.isEmpty()) {
            return 0;
        }
        int n = pending.size();
        try {
            if (store != null) {
                store.insert(pending);
                metrics.ledgerWritten(n);
                lastWriteError = null;
            }
            return store == null ? 0 : n;
        } catch (SQLException | RuntimeException e) {
            lastWriteError = e.toString();
            log.error("usage ledger: writing {} records failed; they are lost: {}", n, e.toString());
            metrics.ledgerDropped("write_failed", n);
            return 0;
        } finally {
            pending.clear();
        }
    }

    /** Why the last batch could not be written, or null when it was (readiness: "ledger writable"). */
    public String lastWriteError() {
        return lastWriteError;
    }

    /** A short description of the store for {@code /ready}, never a password. */
    public String describe() {
        return store == null ? "off (ledger.type: none)" : store.describe();
    }

    /** Aggregates on the query thread (the store's reads never run on an event loop). */
    public CompletableFuture<List<UsageRow>> query(UsageQuery q) {
        if (store == null) {
            return CompletableFuture.failedFuture(new GatewayException(
                    404,
                    "invalid_request_error",
                    "ledger_disabled",
                    null,
                    "The usage ledger is off (ledger.type: none).",
                    false));
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return store.aggregate(q);
                    } catch (SQLException e) {
                        throw GatewayException.internal("The usage ledger query failed: " + e.getMessage(), e);
                    }
                },
                queries);
    }

    /** Stops the writer, writes everything still queued, closes the store. */
    @Override
    public void close() {
        if (closed) {
            queries.shutdown();
            return;
        }
        closed = true;
        if (thread != null) {
            running = false;
            LockSupport.unpark(thread); // ends its tick; it sees running=false
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.error("usage ledger: the writer did not stop within 30 s; unwritten records may be lost");
                thread.interrupt();
                return;
            }
        }
        int n = flushAll();
        if (n > 0) {
            log.info("usage ledger: wrote the last {} records on shutdown", n);
        }
        queries.shutdown();
        if (store != null) {
            store.close();
        }
    }
}
