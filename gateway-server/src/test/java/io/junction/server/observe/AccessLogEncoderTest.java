package io.junction.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The access log's encoder writes the same bytes as the {@code %msg%n} pattern it replaces. */
class AccessLogEncoderTest {
    private static byte[] viaPattern(LoggerContext ctx, LoggingEvent e) {
        PatternLayoutEncoder p = new PatternLayoutEncoder();
        p.setContext(ctx);
        p.setPattern("%msg%n");
        p.setCharset(StandardCharsets.UTF_8);
        p.start();
        return p.encode(e);
    }

    @Test
    void sameBytesAsMsgNewlineForAsciiUtf8AndArguments() {
        LoggerContext ctx = new LoggerContext();
        AccessLogEncoder enc = new AccessLogEncoder();
        enc.setContext(ctx);
        enc.start();
        List<Object[]> cases = List.of(
                new Object[] {"{\"type\":\"access\",\"status\":200}", null},
                new Object[] {"{\"labels\":{\"city\":\"Zürich\",\"emoji\":\"😀\",\"cjk\":\"中\"}}", null},
                new Object[] {"", null},
                new Object[] {"{} {}", new Object[] {"a", 1}});
        for (Object[] c : cases) {
            LoggingEvent e = new LoggingEvent(
                    "x", ctx.getLogger("junction.access"), Level.INFO, (String) c[0], null, (Object[]) c[1]);
            assertThat(enc.encode(e)).isEqualTo(viaPattern(ctx, e));
        }
        assertThat(enc.headerBytes()).isEmpty();
        assertThat(enc.footerBytes()).isEmpty();
    }
}
