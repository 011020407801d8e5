package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessLogAppenderTest {
    /** Counts how often the message is formatted into a String. */
    static final class CountingEvent extends LoggingEvent {
        int formatted;

        CountingEvent(LoggerContext ctx, Object arg) {
            super("x", ctx.getLogger(AccessLog.LOGGER), Level.INFO, "{}", null, new Object[] {arg});
        }

        @Override
        public String getFormattedMessage() {
            formatted++;
            return super.getFormattedMessage();
        }
    }

    private static <A extends OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>> A started(
            A appender, LoggerContext ctx, OutputStream out) {
        AccessLogEncoder enc = new AccessLogEncoder();
        enc.setContext(ctx);
        enc.start();
        appender.setContext(ctx);
        appender.setEncoder(enc);
        appender.start();
        appender.setOutputStream(out);
        return appender;
    }

    @Test
    void aChatLineIsWrittenAsUtf8WithoutEverBeingFormattedIntoAString() {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // what preparing an event reads
        AccessLog.Line line = new AccessLog.Line(AccessLogTest.record(AccessLogTest.access()), false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLogAppender appender = started(new AccessLogAppender(), ctx, out);
        CountingEvent e = new CountingEvent(ctx, line);
        appender.doAppend(e);
        assertThat(out.toByteArray()).isEqualTo(line.utf8WithNewline());
        assertThat(e.formatted).isZero();

        // Logback's own console appender formats every event first ("prepared for deferred processing")
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        CountingEvent e2 = new CountingEvent(ctx, line);
        started(new ConsoleAppender<>(), ctx, console).doAppend(e2);
        assertThat(console.toByteArray()).isEqualTo(out.toByteArray());
        assertThat(e2.formatted).isEqualTo(1);
    }

    @Test
    void otherMessagesAreWrittenAsText() {
        LoggerContext ctx = new LoggerContext();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLogAppender appender = started(new AccessLogAppender(), ctx, out);
        appender.doAppend(new CountingEvent(ctx, "{\"type\":\"request\"}"));
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"request\"}\n");
    }

    @Test
    void aFailingStreamStopsTheAppenderAndIsReported() {
        LoggerContext ctx = new LoggerContext();
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        AccessLogAppender appender = started(new AccessLogAppender(), ctx, broken);
        appender.doAppend(new CountingEvent(ctx, "x"));
        assertThat(appender.isStarted()).isFalse();
        assertThat(ctx.getStatusManager().getCopyOfStatusList())
                .anyMatch(s -> s.getLevel() == Status.ERROR && s.getMessage().contains("IO failure"));
    }

    /** Remembers each write call it gets. */
    static final class Writes extends OutputStream {
        final List<String> calls = new ArrayList<>();

        @Override
        public void write(int b) {
            calls.add(String.valueOf((char) b));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            calls.add(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void heldLinesAreWrittenInOneCallOnRelease() {
        LoggerContext ctx = new LoggerContext();
        Writes out = new Writes();
        AccessLogAppender appender = started(new AccessLogAppender(), ctx, out);
        appender.doAppend(new CountingEvent(ctx, "one"));
        assertThat(out.calls).as("not held: written at once").containsExactly("one\n");

        appender.hold();
        appender.hold(); // holds nest
        appender.doAppend(new CountingEvent(ctx, "two"));
        AccessLog.Line line = new AccessLog.Line(AccessLogTest.record(AccessLogTest.access()), false);
        appender.doAppend(new CountingEvent(ctx, line));
        appender.release();
        assertThat(out.calls).as("still held by the outer hold").hasSize(1);
        appender.release();
        assertThat(out.calls)
                .containsExactly(
                        "one\n", "two\n" + new String(line.utf8WithNewline(), java.nio.charset.StandardCharsets.UTF_8));
        appender.release(); // an unmatched release is harmless
        appender.doAppend(new CountingEvent(ctx, "three"));
        assertThat(out.calls).last().isEqualTo("three\n");
    }

    @Test
    void aBatchIsWrittenOnceItIsLargeEvenWhileHeld() {
        LoggerContext ctx = new LoggerContext();
        Writes out = new Writes();
        AccessLogAppender appender = started(new AccessLogAppender(), ctx, out);
        appender.hold();
        String big = "x".repeat(1000);
        int lines = AccessLogAppender.BATCH_LIMIT / 1001 + 1;
        for (int i = 0; i < lines; i++) {
            appender.doAppend(new CountingEvent(ctx, big));
        }
        assertThat(out.calls).as("the limit was reached by the last line").hasSize(1);
        assertThat(out.calls.get(0)).hasSize(lines * 1001);
        appender.doAppend(new CountingEvent(ctx, "tail"));
        assertThat(out.calls).hasSize(1);
        appender.stop();
        assertThat(out.calls).as("stop writes what is held").containsExactly(out.calls.get(0), "tail\n");
    }

    /** A value Jackson cannot write: its getter throws. */
    public static final class Unwritable {
        public String getBoom() {
            throw new IllegalStateException("cannot serialize");
        }
    }

    @Test
    void aLineThatFailsPartWayLeavesNothingOfItselfInTheBatch() {
        LoggerContext ctx = new LoggerContext();
        Writes out = new Writes();
        AccessLogAppender appender = started(new AccessLogAppender(), ctx, out);
        java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
        extra.put("x", new Unwritable());
        io.junction.core.schema.ChatMessage bad = new io.junction.core.schema.ChatMessage(
                "user", new io.junction.core.schema.MessageContent.Text("hi"), null, null, null, null, null, extra);
        var a = AccessLogTest.access();
        AccessLog.Line failing = new AccessLog.Line(
                AccessLogTest.record(new io.junction.server.ledger.UsageRecord.Access(
                        a.clientAddress(), a.userAgent(), null, List.of(bad), null)),
                true); // payloads: the messages are written last, after most of the line
        appender.hold();
        appender.doAppend(new CountingEvent(ctx, "before"));
        appender.doAppend(new CountingEvent(ctx, failing));
        appender.doAppend(new CountingEvent(ctx, "after"));
        appender.release();
        assertThat(out.calls).containsExactly("before\nafter\n");
        assertThat(appender.isStarted())
                .as("one bad line does not stop the access log")
                .isTrue();
    }
}
