package io.junction.server.ledger;

import static io.junction.server.ledger.LedgerFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.junction.server.metrics.GatewayMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's batching, flush-on-close and drop accounting, against a real SQLite file. The
 * writer's steps are driven by hand with a fake clock (no thread, no sleeps), except where the
 * thread itself is the subject.
 */
class UsageRecorderTest {
    @TempDir
    Path dir;

    private final GatewayMetrics metrics = new GatewayMetrics();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        metrics.close();
    }

    private JdbcUsageStore store() throws Exception {
        JdbcUsageStore s = JdbcUsageStore.sqlite(dir.resolve("ledger/usage.db"));
        open.add(s);
        return s;
    }

    private double metric(String name, String... tags) {
        var search = metrics.registry().find(name);
        if (tags.length > 0) {
            search = search.tags(tags);
        }
        var c = search.counter();
        return c == null ? 0 : c.count();
    }

    /** A store that only inserts: what the recorder's tests wrap a real one in. */
    private abstract static class InsertOnlyStore implements UsageStore {
        @Override
        public List<UsageRow> aggregate(UsageQuery query) {
            return List.of();
        }

        @Override
        public String describe() {
            return getClass().getSimpleName();
        }

        @Override
        public void close() {}
    }

    private double queued() {
        return metrics.registry().get(GatewayMetrics.LEDGER_QUEUED).gauge().value();
    }

    @Test
    void writesAFullBatchAtOnceAndTheRestWhenTheIntervalHasPassed() throws Exception {
        JdbcUsageStore store = store();
        UsageRecorder r = new UsageRecorder(store, metrics, 100, 3, 1000, now::get);
        for (int i = 0; i < 5; i++) {
            assertThat(r.record(record("r" + i))).isTrue();
        }
        assertThat(r.drain()).isEqualTo(3); // one batch at most
        assertThat(r.flushIfDue()).isEqualTo(3); // full batch: written without waiting
        assertThat(store.count()).isEqualTo(3);

        assertThat(r.drain()).isEqualTo(2);
        assertThat(r.flushIfDue())
                .as("2 < batch size and the interval has not passed")
                .isZero();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
        assertThat(r.flushIfDue()).isZero();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(r.flushIfDue()).isEqualTo(2);
        assertThat(store.count()).isEqualTo(5);
        assertThat(metric(GatewayMetrics.LEDGER_WRITTEN)).isEqualTo(5);
    }

    @Test
    void closeWritesEverythingStillQueued() throws Exception {
        Path file = dir.resolve("ledger/usage.db");
        UsageRecorder r = new UsageRecorder(JdbcUsageStore.sqlite(file), metrics, 100, 4, 60_000, now::get);
        for (int i = 0; i < 10; i++) {
            r.record(record("r" + i));
        }
        r.close(); // no writer thread ran: close drains all 10 in batches of 4
        JdbcUsageStore reopened = store();
        assertThat(reopened.count()).isEqualTo(10);
        assertThat(r.record(record("late"))).as("closed").isFalse();
    }

    @Test
    void theWriterThreadWritesAndCloseFlushesWhatItHasNotWrittenYet() throws Exception {
        Path file = dir.resolve("ledger/usage.db");
        // a long interval: the thread only writes full batches of 50; close must write the other 7
        UsageRecorder r = new UsageRecorder(JdbcUsageStore.sqlite(file), metrics, 1000, 50, 60_000, System::nanoTime);
        r.startThread();
        for (int i = 0; i < 107; i++) {
            assertThat(r.record(record("r" + i))).isTrue();
        }
        r.close();
        assertThat(store().count()).isEqualTo(107);
        assertThat(r.dropped()).isZero();
    }

    @Test
    void aFullQueueDropsCountsAndNeverBlocks() throws Exception {
        UsageRecorder r = new UsageRecorder(store(), metrics, 2, 10, 1000, now::get);
        assertThat(r.record(record("a"))).isTrue();
        assertThat(r.record(record("b"))).isTrue();
        assertThat(r.record(record("c"))).isFalse();
        assertThat(r.record(record("d"))).isFalse();
        assertThat(r.dropped()).isEqualTo(2);
        assertThat(metric(GatewayMetrics.LEDGER_DROPPED, "reason", "queue_full"))
                .isEqualTo(2);
        r.close();
        assertThat(store().count()).isEqualTo(2);
    }

    @Test
    void theWriterStopsGivingWayWhileItsQueueBacksUpAndTheBacklogIsAGauge() throws Exception {
        BooleanSupplier[] paced = new BooleanSupplier[1];
        JdbcUsageStore real = store();
        UsageStore store = new InsertOnlyStore() {
            @Override
            public void insert(List<UsageRecord> batch) throws java.sql.SQLException {
                real.insert(batch);
            }

            @Override
            public void pace(BooleanSupplier offerCpu) {
                paced[0] = offerCpu;
            }
        };
        // a queue of 80: the writer gives way while fewer than 10 (an eighth) wait
        UsageRecorder r = new UsageRecorder(store, metrics, 80, 64, 1000, now::get);
        assertThat(paced[0]).as("the recorder hands the store its rule").isNotNull();
        assertThat(paced[0].getAsBoolean()).isTrue();
        for (int i = 0; i < 9; i++) {
            r.record(record("r" + i));
        }
        assertThat(r.offerCpu()).as("9 waiting").isTrue();
        r.record(record("r9"));
        assertThat(r.offerCpu()).as("10 waiting: a backlog").isFalse();
        assertThat(paced[0].getAsBoolean()).isFalse();
        assertThat(queued()).as("the backlog's gauge").isEqualTo(10);
        assertThat(metrics.scrape()).contains("junction_ledger_queued 10.0");
        assertThat(r.drain()).isEqualTo(10);
        assertThat(r.offerCpu()).as("caught up").isTrue();
        assertThat(queued()).isZero();
        assertThat(r.flushIfDue()).isZero(); // 10 < 64, interval not passed
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(r.flushIfDue()).isEqualTo(10);
        assertThat(real.count()).isEqualTo(10);
        r.close();
    }

    @Test
    void aFailedWriteIsCountedAndTheWriterCarriesOn() throws Exception {
        JdbcUsageStore real = store();
        UsageStore failing = new InsertOnlyStore() {
            int calls;

            @Override
            public void insert(List<UsageRecord> batch) throws java.sql.SQLException {
                if (calls++ == 0) {
                    throw new java.sql.SQLException("disk I/O error");
                }
                real.insert(batch);
            }
        };
        UsageRecorder r = new UsageRecorder(failing, metrics, 100, 2, 1000, now::get);
        r.record(record("a"));
        r.record(record("b"));
        r.drain();
        assertThat(r.lastWriteError()).isNull();
        assertThat(r.flushIfDue()).isZero();
        assertThat(metric(GatewayMetrics.LEDGER_DROPPED, "reason", "write_failed"))
                .isEqualTo(2);
        // readiness reports the ledger unwritable until a write succeeds again
        assertThat(r.lastWriteError()).contains("disk I/O error");
        r.record(record("c"));
        r.record(record("d"));
        r.drain();
        assertThat(r.flushIfDue()).isEqualTo(2);
        assertThat(real.count()).isEqualTo(2);
        assertThat(r.lastWriteError()).isNull();
    }

    @Test
    void deferredItemsAreResolvedOnTheWriterSide() throws Exception {
        JdbcUsageStore store = store();
        UsageRecorder r = new UsageRecorder(store, metrics, 100, 10, 1000, now::get);
        List<String> resolvedOn = new ArrayList<>();
        r.record(() -> {
            resolvedOn.add(Thread.currentThread().getName());
            return record("deferred");
        });
        assertThat(resolvedOn).as("record() only queues").isEmpty();
        r.close();
        assertThat(resolvedOn).hasSize(1);
        assertThat(store.count()).isEqualTo(1);
    }

    @Test
    void eachNonEmptyDrainIsBracketedForTheAccessLogEvenWhenALineFails() throws Exception {
        UsageRecorder r = new UsageRecorder(store(), metrics, 100, 10, 1000, now::get);
        List<String> calls = new ArrayList<>();
        r.accessLog(new RecordSink() {
            @Override
            public void accept(UsageRecord rec) {
                calls.add(rec.requestId());
                if (rec.requestId().equals("bad")) {
                    throw new IllegalStateException("line failed");
                }
            }

            @Override
            public void beginBatch() {
                calls.add("begin");
            }

            @Override
            public void endBatch() {
                calls.add("end");
            }
        });
        assertThat(r.drain()).isZero();
        assertThat(calls).as("an empty drain is not a batch").isEmpty();
        r.record(record("a"));
        r.record(record("bad"));
        r.record(record("c"));
        assertThat(r.drain()).isEqualTo(3);
        assertThat(calls).containsExactly("begin", "a", "bad", "c", "end");
        r.record(record("d"));
        r.drain();
        assertThat(calls).containsExactly("begin", "a", "bad", "c", "end", "begin", "d", "end");
    }
}
