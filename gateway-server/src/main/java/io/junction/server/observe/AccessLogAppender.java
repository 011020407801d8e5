package io.junction.server.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.ErrorStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The access log's appender: standard output, like Logback's {@link ConsoleAppender}, with two
 * differences.
 *
 * <ul>
 *   <li>An event is encoded as it is, without first being prepared for deferred processing. That
 *       preparation formats the message into a {@code String} (and copies the thread name and MDC),
 *       which a synchronous appender does not need; for a chat line ({@link AccessLog.Line}) it would
 *       build the very text that {@link AccessLogEncoder} writes as UTF-8 without one. With that
 *       encoder, a chat line is written straight into this appender's buffer (no array per line).
 *   <li>Lines can be written in batches. Between {@link #hold()} and {@link #release()} (the ledger's
 *       writer thread brackets each drain of its queue with them, see {@link AccessLog}) lines are
 *       gathered, then written with one {@code write} system call. Outside a hold, and once a batch
 *       reaches {@value #BATCH_LIMIT} bytes, each line is written at once, as before.
 * </ul>
 *
 * Use it with that encoder: {@code <appender class="io.junction.server.observe.AccessLogAppender">
 * <encoder class="io.junction.server.observe.AccessLogEncoder"/></appender>}.
 */
public final class AccessLogAppender extends ConsoleAppender<ILoggingEvent> {
    /** A batch is written once it holds this many bytes, held or not. */
    static final int BATCH_LIMIT = 32 * 1024;

    private final Batch batch = new Batch(); // guarded by streamWriteLock
    private int holds; // guarded by streamWriteLock

    /** Lines are gathered until the matching {@link #release()}; holds nest. */
    public void hold() {
        streamWriteLock.lock();
        try {
            holds++;
        } finally {
            streamWriteLock.unlock();
        }
    }

    /** Ends a {@link #hold()}: the last one writes what was gathered, in one call. */
    public void release() {
        locked(() -> {
            if (holds > 0 && --holds == 0) {
                writeBatch();
            }
        });
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        if (!isStarted()) {
            return;
        }
        streamWriteLock.lock();
        try {
            int mark = batch.size();
            try {
                if (encoder instanceof AccessLogEncoder access) {
                    access.encodeTo(event, batch); // encoded now, on this thread: nothing is deferred
                } else {
                    batch.write(encoder.encode(event));
                }
            } catch (IOException | RuntimeException e) {
                batch.truncate(mark); // no half line: what the failed line had written goes
                throw e;
            }
            if (holds == 0 || batch.size() >= BATCH_LIMIT) {
                writeBatch();
            }
        } catch (IOException e) {
            failed(e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    @Override
    public void stop() {
        locked(() -> {
            holds = 0;
            if (isStarted()) {
                writeBatch(); // nothing gathered is lost on a clean stop
            }
        });
        super.stop();
    }

    private interface StreamWork {
        void run() throws IOException;
    }

    /** {@code work} under the stream's lock; an I/O failure stops the appender, as Logback's own do. */
    private void locked(StreamWork work) {
        streamWriteLock.lock();
        try {
            work.run();
        } catch (IOException e) {
            failed(e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    private void writeBatch() throws IOException {
        if (batch.size() == 0 || !isStarted()) {
            return;
        }
        try {
            batch.writeTo(getOutputStream());
            getOutputStream().flush();
        } finally {
            batch.clear();
        }
    }

    private void failed(IOException e) {
        started = false; // as OutputStreamAppender does: stop and report once
        addStatus(new ErrorStatus("IO failure in appender", this, e));
    }

    /** The gathered lines; gives back a buffer an unusually long line (payload logging) grew. */
    private static final class Batch extends ByteArrayOutputStream {
        private static final int INITIAL = 8 * 1024;

        Batch() {
            super(INITIAL);
        }

        void truncate(int size) {
            count = size;
        }

        void clear() {
            if (buf.length > 2 * BATCH_LIMIT) {
                buf = new byte[INITIAL];
            }
            count = 0;
        }
    }
}
