package io.junction.server.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.ErrorStatus;
import java.io.IOException;

/**
 * The access log's appender: standard output, like Logback's {@link ConsoleAppender}, but an event is
 * encoded as it is, without first being prepared for deferred processing. That preparation formats
 * the message into a {@code String} (and copies the thread name and MDC), which a synchronous
 * appender does not need; for a chat line ({@link AccessLog.Line}) it would build the very text that
 * {@link AccessLogEncoder} writes as UTF-8 without one. Use it with that encoder:
 * {@code <appender class="io.junction.server.observe.AccessLogAppender"><encoder
 * class="io.junction.server.observe.AccessLogEncoder"/></appender>}.
 */
public final class AccessLogAppender extends ConsoleAppender<ILoggingEvent> {

    @Override
    protected void subAppend(ILoggingEvent event) {
        if (!isStarted()) {
            return;
        }
        try {
            writeOut(event); // encoded now, on this thread: nothing is deferred
        } catch (IOException e) {
            started = false; // as OutputStreamAppender does: stop and report once
            addStatus(new ErrorStatus("IO failure in appender", this, e));
        }
    }
}
